namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// The pole index of the pole-expansion rules: K on 1, 2, 3, ... with P(K = k) = k^-s / zeta(s) (the zeta or Zipf law),
/// its restriction to the odd integers, and the shift U = scale X / K the generated rules draw (X ~ Gamma(shape, 1) or
/// Laplace(0, 1)). Exact: rejection from a continuous envelope, no truncated table.
/// </summary>
public static class ZetaLaw
{
    /// <summary>
    /// K with P(K = k) = k^-s / zeta(s), s > 1. Envelope: Y = floor(V^(-1/(s-1))), V uniform, has
    /// P(Y >= k) = k^(1-s), so P(Y = k) = k^(1-s) - (k+1)^(1-s) = k^(1-s) (1 - 1/T_k), T_k = (1 + 1/k)^(s-1). The target
    /// over the envelope is proportional to T_k / (k (T_k - 1)), decreasing in k with its maximum b/(b - 1) at k = 1
    /// (b = 2^(s-1)); accept k with probability that ratio over its maximum. For s = 2 it is (1 + 1/k)/2, so about
    /// 82 % (pi^2/12) of proposals are kept.
    /// </summary>
    public static double Sample(RandomSource random, double s)
    {
        if (!(s > 1)) throw new ArgumentOutOfRangeException(nameof(s), s, "the zeta law needs s > 1");
        double b = Math.Pow(2, s - 1);
        while (true)
        {
            double v = random.NextDouble();   // in (0, 1): never 0, so y is finite
            double y = Math.Floor(Math.Pow(v, -1 / (s - 1)));
            if (y > 9007199254740992.0) continue; // beyond 2^53 k is no longer an exact integer (probability under 1e-15 at s = 2)
            // T - 1 = (1 + 1/y)^(s-1) - 1; for large y by its binomial series (s-1)/y (1 + (s-2)/(2y)), where the
            // subtraction would cancel (the next term is O(1/y^3), below 1e-18 there).
            double tMinusOne = s == 2 ? 1 / y : y > 1e6 ? (s - 1) / y * (1 + (s - 2) / (2 * y)) : Math.Pow(1 + 1 / y, s - 1) - 1;
            double t = 1 + tMinusOne;
            if (random.NextDouble() * y * tMinusOne / (b - 1) <= t / b) return y;
        }
    }

    /// <summary>
    /// J odd with P(J = j) proportional to j^-s: the odd part of a zeta(s) draw. K = 2^m j has
    /// P(odd part = j) = sum_m (2^m j)^-s / zeta(s) = j^-s / ((1 - 2^-s) zeta(s)).
    /// </summary>
    public static double SampleOdd(RandomSource random, double s)
    {
        double k = Sample(random, s);
        while (k % 2 == 0) k /= 2;
        return k;
    }

    /// <summary>U = scale G / K, G ~ Gamma(shape, 1) (Exp(1) for shape 1), K from the zeta law (odd integers only if asked).</summary>
    public static double GammaOverIndex(RandomSource random, double scale, double shape, double s, bool oddOnly)
    {
        double x = shape == 1 ? random.Exponential() : random.Gamma(shape);
        return scale * x / (oddOnly ? SampleOdd(random, s) : Sample(random, s));
    }

    /// <summary>U = scale L / K, L ~ Laplace(0, 1), K from the zeta law (odd integers only if asked).</summary>
    public static double LaplaceOverIndex(RandomSource random, double scale, double s, bool oddOnly)
    {
        double x = random.Laplace(1.0);
        return scale * x / (oddOnly ? SampleOdd(random, s) : Sample(random, s));
    }
}
