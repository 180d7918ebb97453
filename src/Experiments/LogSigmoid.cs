namespace SeriesCompiler.Experiments;

/// <summary>
/// Derivatives of g(s) = log sigmoid(s) to order N as polynomials in u = sigmoid(s): g' = 1 - u, and
/// d/ds P(u) = P'(u) u (1 - u). The polynomials have small integer coefficients, computed once.
/// </summary>
public static class LogSigmoid
{
    public const int MaxOrder = 16;

    // Coefficients[n][k]: g^(n)(s) = sum_k Coefficients[n][k] u^k, n >= 1.
    private static readonly double[][] Coefficients = Build();

    private static double[][] Build()
    {
        var c = new double[MaxOrder + 1][];
        c[0] = [0];
        c[1] = [1, -1];
        for (int n = 2; n <= MaxOrder; n++)
        {
            var p = c[n - 1];
            var next = new double[p.Length + 1];
            // P'(u) (u - u^2): the term k p_k u^(k-1) becomes k p_k (u^k - u^(k+1)).
            for (int k = 1; k < p.Length; k++)
            {
                next[k] += k * p[k];
                next[k + 1] -= k * p[k];
            }
            c[n] = next;
        }
        return c;
    }

    public static double Value(double s) => s >= 0 ? -Math.Log(1 + Math.Exp(-s)) : s - Math.Log(1 + Math.Exp(s));

    /// <summary>g^(n)(s) for n = 1..order into <paramref name="result"/>[n] (result[0] = g(s)).</summary>
    public static void Derivatives(double s, int order, Span<double> result)
    {
        double u = 1 / (1 + Math.Exp(-s));
        result[0] = Value(s);
        for (int n = 1; n <= order; n++)
        {
            var p = Coefficients[n];
            double v = 0;
            for (int k = p.Length - 1; k >= 0; k--) v = v * u + p[k];
            result[n] = v;
        }
    }

    /// <summary>g^(n)(s) alone, n from 1 to <see cref="MaxOrder"/>: one exponential (u = sigmoid(s)) and one polynomial.</summary>
    public static double Derivative(double s, int n) => FromSigmoid(1 / (1 + Math.Exp(-s)), n);

    /// <summary>g^(n) at the point where sigmoid(s) = u (n from 1 to <see cref="MaxOrder"/>): the polynomial alone.</summary>
    public static double FromSigmoid(double u, int n)
    {
        var p = Coefficients[n];
        double v = 0;
        for (int k = p.Length - 1; k >= 0; k--) v = v * u + p[k];
        return v;
    }

    /// <summary>g''(s) = -u (1 - u).</summary>
    public static double Second(double s)
    {
        double u = 1 / (1 + Math.Exp(-s));
        return -u * (1 - u);
    }
}
