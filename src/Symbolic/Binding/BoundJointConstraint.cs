using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Binding;

/// <summary>The comparison of a joint constraint.</summary>
public enum ComparisonKind { Less, LessEqual, Greater, GreaterEqual }

/// <summary>
/// A constraint on several parameters together, <c>constraint p1 + p2 &lt; 1</c>: both sides are exact real
/// expressions of the scalar parameters. <see cref="Text"/> is the constraint as written (normalised spacing).
/// </summary>
public sealed record BoundJointConstraint(Expr Left, ComparisonKind Comparison, Expr Right, string Text, TextSpan Span)
{
    public bool Strict => Comparison is ComparisonKind.Less or ComparisonKind.Greater;

    /// <summary>The quantity the constraint keeps positive (strict) or non-negative: right - left for &lt;, left - right for &gt;.</summary>
    public Expr Slack => Comparison is ComparisonKind.Less or ComparisonKind.LessEqual ? Ex.Sub(Right, Left) : Ex.Sub(Left, Right);

    public static string OperatorText(ComparisonKind kind) => kind switch
    {
        ComparisonKind.Less => "<",
        ComparisonKind.LessEqual => "<=",
        ComparisonKind.Greater => ">",
        _ => ">=",
    };

    /// <summary>The parameters the constraint names, in the order of <paramref name="parameters"/>.</summary>
    public IEnumerable<BoundParameter> Parameters(IEnumerable<BoundParameter> parameters) =>
        parameters.Where(p => Left.Contains(p.Symbol) || Right.Contains(p.Symbol));
}
