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

    /// <summary>A Binomial(n, p) draw as a sum of n Bernoulli draws (n is a small fixed hyper-parameter).</summary>
    public static double Binomial(RandomSource random, double n, double p)
    {
        long count = 0;
        for (long k = 0; k < (long)n; k++) if (random.Bernoulli(p)) count++;
        return count;
    }
}
