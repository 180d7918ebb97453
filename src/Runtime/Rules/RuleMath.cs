using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Rules;

/// <summary>Small numeric helpers shared by generated rules and the compiler's tree interpreter, so both compute alike.</summary>
public static class RuleMath
{
    /// <summary>
    /// x^n for an integer n by binary powering (x^-n = 1/x^n): exact for small integer powers of exact
    /// doubles, and the same operation order as the tree interpreter.
    /// </summary>
    public static double PowInt(double x, int n)
    {
        if (n < 0) return 1.0 / PowInt(x, -n);
        double result = 1.0, square = x;
        for (; n > 0; n >>= 1)
        {
            if ((n & 1) != 0) result *= square;
            if (n > 1) square *= square;
        }
        return result;
    }

    /// <summary>
    /// <c>a / b</c> for error bounds, where a zero error stays zero even at b = 0 (a parameter exactly at a point where the
    /// derivative of the operation is infinite contributes no error if it carries none).
    /// </summary>
    public static double ErrorRatio(double a, double b) => a == 0 ? 0 : a / b;

    /// <summary>
    /// A polynomial in a parameter on a finite interval, from its Taylor coefficients around <paramref name="centers"/>
    /// equally spaced points <c>lower + j step</c>: the nearest center's block of <paramref name="coefficients"/> (each
    /// <c>coefficients.Length / centers</c> long, lowest degree first) by Horner's rule in <c>d = x - center</c>, which is
    /// exact (Sterbenz). In the monomial basis a degree-32 polynomial such as Bernoulli's a_32 sums terms 10^20 times its
    /// value near p = 1/2 and p = 1; around the nearest of 0, 1/4, 1/2, 3/4, 1 the terms fall off instead.
    /// </summary>
    public static double CenteredPolynomial(double x, double lower, double step, int centers, ReadOnlySpan<double> coefficients)
    {
        int length = coefficients.Length / centers;
        var c = coefficients.Slice(Center(x, lower, step, centers, out double d) * length, length);
        double h = c[length - 1];
        for (int k = length - 2; k >= 0; k--) h = h * d + c[k];
        return h;
    }

    /// <summary>
    /// A bound on the rounding error of <see cref="CenteredPolynomial"/>: coefficients rounded to doubles, Horner's 2 deg
    /// operations, and d taken as carrying one rounding, together at most <c>(3 deg + 2) u sum |c_k| |d|^k</c> (first order).
    /// </summary>
    public static double CenteredPolynomialError(double x, double lower, double step, int centers, ReadOnlySpan<double> coefficients)
    {
        int length = coefficients.Length / centers;
        var c = coefficients.Slice(Center(x, lower, step, centers, out double d) * length, length);
        double size = Math.Abs(c[length - 1]), ad = Math.Abs(d);
        for (int k = length - 2; k >= 0; k--) size = size * ad + Math.Abs(c[k]);
        return (3 * (length - 1) + 2) * 1.1102230246251565E-16 * size;
    }

    private static int Center(double x, double lower, double step, int centers, out double d)
    {
        int j = (int)Math.Clamp(Math.Round((x - lower) / step), 0, centers - 1);
        d = x - (lower + j * step);
        return j;
    }

    /// <summary>G ~ Geometric(q) on 0, 1, 2, ...: P(G = g) = (1 - q) q^g, by inversion: floor(log U / log q).</summary>
    public static double Geometric(RandomSource random, double q) =>
        q <= 0 ? 0 : Math.Floor(Math.Log(random.NextDouble()) / Math.Log(q));

    /// <summary>
    /// M ~ Logarithmic(q) on 1, 2, ...: P(M = m) = -q^m / (m log(1 - q)), by Kemp's second algorithm (LK, 1981).
    /// </summary>
    public static double Logarithmic(RandomSource random, double q)
    {
        double r = Math.Log(1 - q);
        double v = random.NextDouble();
        if (v >= q) return 1;
        double u = random.NextDouble();
        double threshold = 1 - Math.Exp(r * u);
        if (v <= threshold * threshold) return Math.Floor(1 + Math.Log(v) / Math.Log(threshold));
        return v <= threshold ? 2 : 1;
    }

    /// <summary>A Binomial(n, p) draw in O(1) expected time for any n up to 2^53 (<see cref="RandomSource.Binomial"/>).</summary>
    public static double Binomial(RandomSource random, double n, double p) => random.Binomial(n, p);
}
