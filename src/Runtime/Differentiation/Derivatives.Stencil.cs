namespace SeriesCompiler.Runtime.Differentiation;

public static partial class Derivatives
{
    /// <summary>
    /// The error of <see cref="FromStencil"/>'s f^(m) at its default step, per unit <c>|f|</c>: the rounding of the values,
    /// <c>eps sum_i |w_i| |f| / h^m</c> with <c>h = eps^(1/(m+p)) max(1, |z|)</c>, doubled for the truncation error, which that
    /// step makes about as large. Multiply by <c>|f(z)| / max(1, |z|)^m</c>. Grows like <c>sum |w_i|</c>: below 1e-8 at
    /// m = 2, above 1e-3 at m = 16 and above 1 at m = 32 (p = 4), where a stencil loses every digit.
    /// </summary>
    public static double StencilErrorScale(int order, int accuracy = 4)
    {
        int points = 2 * FiniteDifference.CentralHalfWidth(order, accuracy) + 1;
        Span<double> w = points <= 512 ? stackalloc double[points] : new double[points];
        FiniteDifference.CentralWeights(order, accuracy, w);
        double sum = 0;
        foreach (double x in w) sum += Math.Abs(x);
        const double eps = 2.220446049250313e-16;
        return 2 * eps * sum / Math.Pow(eps, order / (double)(order + accuracy));
    }

    /// <summary>
    /// Derivatives by central finite differences, for functions that cannot take jets:
    /// <c>result[0] = f(z)</c>, <c>result[m] ~ f^(m)(z)</c> for <c>m = 1..n</c>, each from its own
    /// Fornberg stencil of truncation order <paramref name="accuracy"/> (even; default 4) on
    /// <c>2 floor((m+1)/2) - 1 + accuracy</c> points.
    /// </summary>
    /// <param name="step">
    /// Spacing for every order; by default <see cref="FiniteDifference.DefaultStep"/>,
    /// <c>h_m = eps^(1/(m+p)) max(1, |z|)</c>, which balances truncation <c>O(h^p)</c> against
    /// rounding <c>O(eps/h^m)</c>.
    /// </param>
    /// <remarks>
    /// Accuracy: relative error about <c>eps^(p/(m+p))</c> times the ratio of f's derivative scale
    /// to f's value: at p = 4 roughly 1e-13 (m = 1), 1e-10 (m = 2), 1e-8 (m = 4), 1e-5 (m = 8).
    /// High orders are poor; prefer jets. Each order costs its own evaluations (about
    /// <c>n^2/2 + p n</c> calls of f in all); no allocation.
    /// </remarks>
    public static void FromStencil(Func<double, double> f, double z, int n, Span<double> result, double? step = null, int accuracy = 4)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 64);
        CheckLength(result, n + 1, nameof(result));
        if (step is { } given && !(given > 0)) throw new ArgumentOutOfRangeException(nameof(step), given, "Step must be positive.");
        result[0] = f(z);
        if (n == 0) return;
        int maxPoints = 2 * FiniteDifference.CentralHalfWidth(n, accuracy) + 1;
        Span<double> w = stackalloc double[maxPoints];
        for (int m = 1; m <= n; m++)
        {
            int r = FiniteDifference.CentralHalfWidth(m, accuracy);
            FiniteDifference.CentralWeights(m, accuracy, w);
            double h = step ?? FiniteDifference.DefaultStep(m, accuracy, z);
            // Make h exactly representable at z, so that the node spacing is what the weights assume.
            h = (z + h) - z;
            double sum = 0;
            // Zero weights (the centre node of odd orders) cost no call of f.
            for (int i = 0; i < 2 * r + 1; i++)
            {
                if (w[i] != 0) sum += w[i] * f(z + (i - r) * h);
            }
            result[m] = sum / Math.Pow(h, m);
        }
    }
}
