using System.Collections.Immutable;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Symbolic.Functions;

/// <summary>Where a function's name may be written.</summary>
[Flags]
public enum FunctionScope
{
    /// <summary>Nowhere: a node the simplifier makes (<c>sign</c>, <c>zeta</c>), never written by a user.</summary>
    None = 0,
    /// <summary>In a <c>.dist</c> declaration (docs/language.md lists these).</summary>
    Declaration = 1,
    /// <summary>In <c>seriesc estimate --f</c> (the objective's expression).</summary>
    Objective = 2,
}

/// <summary>
/// The truncated series of F(u) from the series of u, which is computed only when the rule asks for it (a rule that
/// refuses, like abs, refuses before any work), to <paramref name="order"/>; <paramref name="argumentExpression"/> is u
/// (for messages) and <paramref name="arguments"/> the node's arguments (polygamma's integer order).
/// </summary>
public delegate TruncatedSeries SeriesRule(Func<TruncatedSeries> argument, Expr argumentExpression, ImmutableArray<Expr> arguments, int order);

/// <summary>The exact value of F on a rational interval [lo, hi] that holds x: an interval that holds F(x).</summary>
public delegate (Rational Lo, Rational Hi) IntervalRule(Rational lo, Rational hi);

/// <summary>
/// How generated C# computes a call and bounds its rounding error (<c>StraightLineWriter</c>): the call on the code of
/// its last argument, |F'(x)| as code (the error of x is multiplied by it), and F's own rounding as code in the value's
/// absolute value and the unit roundoff. A constant node (zeta) is written as its value instead (<see cref="Constant"/>).
/// </summary>
public sealed record CSharpForm(
    Func<ImmutableArray<Expr>, string, string> Code,
    Func<ImmutableArray<Expr>, string, string, Func<string, string>, string> Slope,
    Func<string, string, string> Rounding,
    Func<ImmutableArray<Expr>, double>? Constant = null)
{
    public const string MathType = "global::System.Math";
    public const string Special = "global::SeriesCompiler.Runtime.Special.SpecialFunctions";
    public const string RuleMath = "global::SeriesCompiler.Runtime.Rules.RuleMath";

    /// <summary><c>System.Math.NAME(x)</c>, rounded to about one ulp (two units of roundoff).</summary>
    public static CSharpForm SystemMath(string name, Func<string, string, Func<string, string>, string> slope) =>
        new((_, x) => $"{MathType}.{name}({x})", (_, x, v, abs) => slope(x, v, abs), (absValue, unit) => $"2.0 * {unit} * {absValue}");
}

/// <summary>
/// What the compiler knows of a node kind (<see cref="Function"/>): its derivative, series, evaluators, printing and
/// C#. Every table that handles a <see cref="Call"/> reads it here.
/// </summary>
public sealed record NodeRules(
    Function Kind,
    Func<Call, Expr> Derivative,
    SeriesRule Series,
    Func<ImmutableArray<Expr>, double, double> Evaluate,
    IntervalRule? Exact,
    CSharpForm CSharp,
    string Latex);

/// <summary>
/// One function of the language, declared once (<see cref="FunctionRegistry"/>): the name a user writes, where, with
/// how many arguments and on what domain; how the binder builds it (<see cref="Build"/>); the node kind whose rules
/// (<see cref="Node"/>) the derivative, series, evaluators and emitter read, when it is one (a function written
/// through others, like <c>sqrt</c> = <c>x^(1/2)</c>, has none: the nodes it builds carry the rules); and the runtime
/// jet that evaluates it in <c>--f</c> (<see cref="Jet"/>, the runtime's own enum: the runtime cannot see this
/// assembly, so a test checks the jet against the series here).
/// </summary>
public sealed record FunctionEntry(
    string Name,
    FunctionScope Scope,
    int Arity,
    string Domain,
    Func<double, bool> InDomain,
    Func<ImmutableArray<Expr>, Expr> Build,
    NodeRules? Node = null,
    ElementaryFunction? Jet = null)
{
    /// <summary>Further names (<c>logsigmoid</c> for <c>log_sigmoid</c>), accepted but not listed.</summary>
    public ImmutableArray<string> Aliases { get; init; } = [];

    /// <summary>Leading arguments that must be integer literals (polygamma's order m), each from 0 to <see cref="MaxInteger"/>.</summary>
    public int IntegerArguments { get; init; }

    public int MaxInteger { get; init; }

    /// <summary>What the arguments are, for the message of a wrong call; null: "takes N argument(s)".</summary>
    public string? ArgumentHelp { get; init; }

    /// <summary>Only a log density may use it (abs: a characteristic function must be analytic).</summary>
    public bool OnlyInLogDensity { get; init; }

    /// <summary>False for a function with a kink or a jump (abs, sign): its series rule refuses, with the reason.</summary>
    public bool Analytic { get; init; } = true;
}
