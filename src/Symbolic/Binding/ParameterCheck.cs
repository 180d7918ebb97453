using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic.Evaluation;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Binding;

/// <summary>
/// Parameter values against a declaration, judged on exact rationals: a parameter's own bounds and the joint
/// constraints (<c>constraint p1 + p2 &lt; 1</c>). The command line's one check of <c>--at</c>, for every command, so
/// that a value on a boundary gets one verdict whether it is then used exactly (<c>coefficients</c>) or as a double
/// (<c>estimate</c>). The generated rule's Validate judges the doubles it is given; see docs/parameter-checks.md for
/// where the two may differ (within a rounding of a boundary).
/// </summary>
public static class ParameterCheck
{
    /// <summary>Whether <paramref name="x"/> is a whole number where the parameter must be one.</summary>
    public static bool IsIntegerWhereRequired(BoundParameter p, Rational x) => !p.IsInteger || x.IsInteger;

    /// <summary>The declared bounds, exactly: the same comparison the runtime makes on doubles (<see cref="ParameterInfo.WithinBounds"/>).</summary>
    public static bool IsWithinBounds(BoundParameter p, Rational x) =>
        ParameterInfo.WithinBounds(x, p.Lower, p.LowerInclusive, p.Upper, p.UpperInclusive);

    /// <summary>
    /// The first of the joint constraints that the values do not satisfy, or null. <paramref name="values"/> holds the
    /// scalar parameters (a joint constraint names no vector parameter: SC0125).
    /// </summary>
    public static BoundJointConstraint? FirstViolated(IEnumerable<BoundJointConstraint> constraints, IReadOnlyDictionary<Symbol, Rational> values) =>
        constraints.Distinct().FirstOrDefault(c => !Holds(c, values));

    /// <summary>
    /// Whether the constraint holds at the values: left &lt; right is right - left &gt; 0, so the verdict is the sign of
    /// <see cref="BoundJointConstraint.Slack"/> (positive, or also zero when not strict). A slack with no defined value
    /// (a pole, a log of a negative number) fails, as NaN fails the generated Validate.
    /// </summary>
    public static bool Holds(BoundJointConstraint constraint, IReadOnlyDictionary<Symbol, Rational> values) =>
        SlackSign(constraint.Slack, values) is { } sign && (constraint.Strict ? sign > 0 : sign >= 0);

    /// <summary>
    /// The sign of the slack at the values, or null when it has none. Rational arithmetic decides it exactly (the
    /// polynomial and rational constraints: substituting numbers folds to one number); otherwise the exact evaluator's
    /// correctly rounded double has the sign of the true value (pi, square roots), and where no bounded evaluation
    /// exists (exp, log) its double interpreter's value is the best available, the one the runtime computes too.
    /// </summary>
    private static int? SlackSign(Expr slack, IReadOnlyDictionary<Symbol, Rational> values)
    {
        try
        {
            var map = values.ToDictionary(kv => kv.Key, kv => Ex.Num(kv.Value));
            if (Substitution.Apply(slack, map) is Number { IsReal: true } n) return n.Re.Sign;
        }
        catch (Exception ex) when (ex is SymbolicException or ArithmeticException)
        {
            // A division by zero while folding: the evaluator below reports the pole.
        }
        var result = ExactEvaluator.Evaluate(slack, values);
        // A pole is NaN (no sign); an overflow keeps its sign as an infinity.
        return double.IsNaN(result.Value) ? null : Math.Sign(result.Value);
    }
}
