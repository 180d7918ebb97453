using System.Collections.Immutable;
using System.Numerics;
using CsCheck;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using Xunit;

namespace SeriesCompiler.Tests.Symbolic;

internal static class SymbolicTestHelpers
{
    /// <summary>The bundled declarations, copied next to the test assembly by the test project.</summary>
    public static string DistributionsFolder => Path.Combine(AppContext.BaseDirectory, "distributions");

    private static readonly Lazy<ImmutableArray<SourceText>> Library = new(() =>
        Directory.GetFiles(DistributionsFolder, "*.dist").Order(StringComparer.Ordinal).Select(f => SourceText.FromFile(f)).ToImmutableArray());

    /// <summary>One workspace over all bundled files as primary files (shared: a workspace caches its derivations).</summary>
    private static readonly Lazy<Workspace> BundledWorkspace = new(() => Workspace.Create(Library.Value));

    private static readonly object Gate = new();

    /// <summary>Derives a bundled distribution (by its declared name) and asserts that the derivation is clean.</summary>
    public static RuleModel DeriveBundled(string name, int order = 10)
    {
        lock (Gate) // Workspace memoises derivations in a plain dictionary: keep xunit's parallel classes off it.
        {
            var ws = BundledWorkspace.Value;
            Assert.True(ws.Diagnostics.Count == 0, Format(ws.Diagnostics));
            var d = ws.Find(name) ?? throw new InvalidOperationException($"no bundled distribution '{name}'");
            var (rule, diagnostics) = ws.Derive(d, order);
            Assert.True(diagnostics.IsEmpty, Format(diagnostics));
            return Assert.IsType<RuleModel>(rule);
        }
    }

    /// <summary>A workspace of one primary file with the bundled declarations as library.</summary>
    public static Workspace Compile(string text, string path = "test.dist") =>
        Workspace.Create([new SourceText(path, text)], Library.Value);

    /// <summary>Compiles one declaration that must bind cleanly and derives it cleanly.</summary>
    public static RuleModel Derive(string text, int order = 10)
    {
        var ws = Compile(text);
        Assert.True(ws.Diagnostics.Count == 0, Format(ws.Diagnostics));
        var d = Assert.Single(ws.Distributions);
        var (rule, diagnostics) = ws.Derive(d, order);
        Assert.True(diagnostics.IsEmpty, Format(diagnostics));
        return Assert.IsType<RuleModel>(rule);
    }

    /// <summary>A one-parameter-list declaration with support real and the given characteristic statement.</summary>
    public static string Declaration(string parameters, string statement, string support = "real") =>
        $"distribution D({parameters}) {{\n    support {support}\n    {statement}\n}}\n";

    /// <summary>Every diagnostic of compiling and deriving each declaration of <paramref name="text"/> (binding first).</summary>
    public static List<Diagnostic> AllDiagnostics(string text, int order = 10)
    {
        var ws = Compile(text);
        var all = new List<Diagnostic>(ws.Diagnostics);
        foreach (var d in ws.Distributions) all.AddRange(ws.Derive(d, order).Diagnostics);
        return all;
    }

    public static string Format(IEnumerable<Diagnostic> diagnostics) => string.Join(Environment.NewLine, diagnostics);

    public static Symbol P(string name) => Ex.Sym(name, SymbolKind.Parameter);

    public static Expr Q(long numerator, long denominator = 1) => Ex.Num(new Rational(numerator, denominator));

    /// <summary>c_n of a one-variable rule.</summary>
    public static Expr C(RuleModel rule, int n)
    {
        var c = rule.Coefficients[n - 1];
        Assert.Equal(new[] { n }, c.Index.ToArray());
        return c.Value;
    }

    /// <summary>a_{n,p} = d c_n / d p of a one-variable rule.</summary>
    public static Expr A(RuleModel rule, int n, string parameter)
    {
        int p = rule.Differentiable.Select(x => x.Name).ToList().IndexOf(parameter);
        Assert.True(p >= 0, $"'{parameter}' is not a differentiable parameter of {rule.Name}");
        return rule.Coefficients[n - 1].Derivatives[p];
    }

    /// <summary>A decimal literal such as <c>-0.4</c> or <c>3.0</c> read exactly.</summary>
    public static Rational ParseExact(string text)
    {
        bool negative = text.StartsWith('-');
        Assert.True(Rational.TryParseDecimal(negative ? text[1..] : text, 1000, out var r), text);
        return negative ? -r : r;
    }

    /// <summary>
    /// Evaluates exactly: substitutes rationals for the parameters and requires a rational result (for the
    /// polynomial and rational coefficients of the fixtures this is free of rounding).
    /// </summary>
    public static double EvaluateExactly(Expr e, IReadOnlyDictionary<Symbol, Rational> point)
    {
        var map = point.ToDictionary(kv => kv.Key, kv => Ex.Num(kv.Value));
        var value = Substitution.Apply(e, map);
        var number = Assert.IsType<Number>(value);
        Assert.True(number.IsReal, $"{e} is not real at the point");
        return number.Re.ToDouble();
    }

    public static double Evaluate(Expr e, params (string Name, double Value)[] point) =>
        ExprEvaluator.Evaluate(e, point.ToDictionary(p => P(p.Name), p => p.Value));

    /// <summary>Relative tolerance on the value, absolute tolerance where the expected value is exactly or nearly 0.</summary>
    public static void RelClose(double expected, double actual, double rel, string what)
    {
        double err = Math.Abs(actual - expected);
        double bound = Math.Abs(expected) <= rel ? rel : rel * Math.Abs(expected);
        Assert.True(double.IsFinite(actual) && err <= bound, $"{what}: expected {expected:R}, actual {actual:R}, error {err:E3} > {bound:E3}");
    }

    /// <summary>
    /// Runs a CsCheck generator deterministically: a fixed stream and seed, a fixed number of iterations, one thread.
    /// On failure the message names the iteration and the input (printed by <paramref name="print"/>).
    /// </summary>
    public static void SampleFixed<T>(this Gen<T> gen, Action<T> assert, int iterations = 100, ulong seed = 20240611, Func<T, string>? print = null)
    {
        var pcg = new PCG(7, seed);
        for (int i = 0; i < iterations; i++)
        {
            var value = gen.Generate(pcg, null!, out _);
            try
            {
                assert(value);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"property failed at iteration {i} (seed {seed}) for input {(print ?? (v => v?.ToString() ?? "null"))(value)}:{Environment.NewLine}{ex.Message}");
            }
        }
    }

    public static BigInteger Factorial(int n)
    {
        BigInteger f = BigInteger.One;
        for (int k = 2; k <= n; k++) f *= k;
        return f;
    }
}
