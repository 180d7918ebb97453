using SeriesCompiler.Runtime.Functions;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// <c>f(z + u e_j) - f(z)</c> for the shift rules (Poisson's <c>E[f(z+1) - f(z)]</c>, the resummed lattice shifts). Above
/// 2^53 doubles are more than 1 apart, so <c>z + 1</c> rounds to z and the plain difference is 0 (Poisson at lambda =
/// 1e17 with f = z gave 0 +- 0). There the difference is taken as f's Taylor series
/// <c>sum_{n&gt;=1} f^(n)(z) u^n / n!</c> by jets, exact for polynomials and converging fast for the slowly varying f that
/// are finite at such z; an f that is not smooth, or not given over jets, or whose series does not settle, is refused.
/// </summary>
internal static class ShiftedDifference
{
    private const int TaylorOrder = 24;

    [ThreadStatic] private static double[]? t_partials;

    /// <summary>
    /// Whether the plain difference of f is right: a lattice shift (an integer u) must land exactly; a continuous shift
    /// (the compound Poisson's E/beta, a Lévy generator rule's tail proposal) is rounded at any z, and is accepted when
    /// z_j + u is within 1e-10 of the shifted point relative to u, the ordinary rounding every f^(j)(z + u) of the rules
    /// also has. Far above 2^53 the rounding error is a whole spacing of doubles, and the Taylor series takes over.
    /// </summary>
    public static bool IsExact(double zj, double u) =>
        (zj + u) - zj == u || (u != Math.Floor(u) && Math.Abs((zj + u) - zj - u) <= 1e-10 * Math.Abs(u));

    public static double Of(string estimator, Objective f, ReadOnlySpan<double> z, int coordinate, double u, double here)
    {
        if (u == 0) return 0;
        double zj = z[coordinate];
        if (IsExact(zj, u)) return f.CoordinateSlice(z, coordinate, zj + u) - here;
        string where = $"z = {zj.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is so large that z + {u.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is not a double "
            + "(doubles above 2^53 = 9007199254740992 are more than 1 apart), so f(z + u) - f(z) cannot be taken by differences";
        if (!f.Smoothness.IsSmooth || f.Mode != DerivativeMode.Jet)
            throw new EstimatorNotApplicableException(estimator, $"{where}, and f is not a smooth function given over jets whose Taylor series could replace it; choose parameters whose draws stay below 2^53");
        int stride = TaylorOrder + 1, length = z.Length * stride;
        var partials = t_partials is { } buffer && buffer.Length >= length ? buffer : t_partials = new double[Math.Max(length, 2 * (t_partials?.Length ?? 0))];
        f.PurePartials(z, TaylorOrder, partials.AsSpan(0, length));
        // sum_n f^(n) u^n / n!, stopping once the terms are exactly zero (polynomials) or below rounding of the sum.
        double sum = 0, power = 1, last = double.PositiveInfinity;
        for (int n = 1; n <= TaylorOrder; n++)
        {
            power *= u / n;
            double term = partials[coordinate * stride + n] * power;
            sum += term;
            last = Math.Abs(term);
        }
        if (!(last <= 1e-15 * Math.Abs(sum)) && last != 0)
            throw new EstimatorNotApplicableException(estimator, $"{where}, and f's Taylor series in the shift does not settle within {TaylorOrder} terms there");
        return sum;
    }
}
