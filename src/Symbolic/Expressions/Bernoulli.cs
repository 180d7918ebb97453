namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>Exact Bernoulli numbers B_n (B_1 = -1/2), by the recurrence sum_{k<=n} C(n+1,k) B_k = 0.</summary>
public static class Bernoulli
{
    private static readonly List<Rational> Cache = [Rational.One];

    public static Rational Number(int n)
    {
        lock (Cache)
        {
            while (Cache.Count <= n)
            {
                int m = Cache.Count;
                // B_m = -1/(m+1) sum_{k<m} C(m+1, k) B_k
                var sum = Rational.Zero;
                var binomial = System.Numerics.BigInteger.One; // C(m+1, 0)
                for (int k = 0; k < m; k++)
                {
                    sum += Cache[k] * binomial;
                    binomial = binomial * (m + 1 - k) / (k + 1);
                }
                Cache.Add(-sum / (m + 1));
            }
            return Cache[n];
        }
    }
}
