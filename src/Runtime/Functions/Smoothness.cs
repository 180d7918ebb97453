namespace SeriesCompiler.Runtime.Functions;

/// <summary>
/// How far the derivatives of f that the estimators compute (by jets or stencils, at the samples) are f's true
/// (distributional) derivatives. The series and the resummed rules need <c>E[f^(n)(z)]</c> with f^(n) the distributional
/// derivative: for <c>|z|</c>, <c>f' = sign z</c> is right almost everywhere but <c>f'' = 2 delta(z)</c>, which no
/// derivative taken at a sample can see (the jets give 0). A rule whose terms need f^(n) for n above
/// <see cref="Order"/> would be silently wrong, so the estimators refuse it.
/// </summary>
/// <param name="Order">The highest n for which the pointwise f^(n) (almost everywhere) is f's distributional derivative:
/// <see cref="int.MaxValue"/> for C-infinity f, 1 for a Lipschitz f with kinks (<c>abs</c>), 0 for an f with jumps.</param>
/// <param name="Reason">Why f is not smooth, in words (null for smooth f).</param>
public readonly record struct Smoothness(int Order, string? Reason)
{
    /// <summary>C-infinity: every derivative at a sample is the true one.</summary>
    public static Smoothness Smooth { get; } = new(int.MaxValue, null);

    /// <summary>Continuous and piecewise smooth with kinks (Lipschitz): f' holds almost everywhere, f'' has Dirac masses.</summary>
    public static Smoothness Kinked(string reason) => new(1, reason);

    public bool IsSmooth => Order == int.MaxValue;

    /// <summary>The less smooth of two (the smoothness of a sum, a product or a composition).</summary>
    public static Smoothness Min(Smoothness a, Smoothness b) => a.Order <= b.Order ? a : b;

    /// <summary>
    /// The refusal when a rule needs f^(<paramref name="needed"/>) and f is only this smooth, or null when it is smooth
    /// enough. <paramref name="what"/> names the rule's need (<c>the series for k</c>).
    /// </summary>
    public string? Refusal(int needed, string what) =>
        needed <= Order ? null
        : $"f is not smooth enough: {Reason}, so f^({Order + 1}) has Dirac masses that derivatives taken at the samples cannot see, "
          + $"and {what} needs f^({needed}) (a rule needing only f' holds for such f); use --estimator score or pathwise";
}
