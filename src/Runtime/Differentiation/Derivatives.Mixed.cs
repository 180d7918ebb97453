namespace SeriesCompiler.Runtime.Differentiation;

public static partial class Derivatives
{
    /// <summary>
    /// Any mixed partial <c>d^|i| f / dz^i</c> for a multi-index <paramref name="multiIndex"/>
    /// (<c>i_l</c> = order in <c>z_l</c>), from univariate jets of order <c>d = |i|</c> along
    /// integer directions, by the interpolation formula of Griewank, Utke and Walther
    /// (Math. Comp. 69, 2000, "Evaluating higher derivative tensors by forward propagation of
    /// univariate Taylor series"):
    /// <code>
    /// d^i f = sum_{|j| = d} gamma_{i,j} D_j^d f / d!,
    /// gamma_{i,j} = sum_{0 &lt; k &lt;= i} (-1)^{|i-k|} C(i,k) C(d k/|k|, j) (|k|/d)^d
    /// </code>
    /// where j runs over the multi-indices of total degree d supported where i is non-zero (used as
    /// direction vectors), <c>C(i,k) = prod_l C(i_l, k_l)</c> and <c>C(r, j)</c> is the generalised
    /// binomial <c>prod_{t&lt;j} (r - t)/(t + 1)</c>. Why it works: <c>D_j^d f / d! = sum_{|b|=d}
    /// j^b d^b f / b!</c> is a homogeneous polynomial of degree d in the direction, and gamma is
    /// the inverse of that Vandermonde-like system on the lattice <c>|j| = d</c>.
    /// </summary>
    /// <remarks>
    /// Cost: <c>C(d + m - 1, d)</c> jets of order d, m = number of variables that i involves
    /// (<c>d^2 f/dz_1 dz_2</c>: 3 jets; <c>d^3 f/dz_1^2 dz_2</c>: 4). The coefficients alternate in sign,
    /// so rounding grows with d (about 1e-12 relative at d = 4 for well-scaled f). To fill a whole
    /// derivative tensor, reuse the same directions for every i of the same degree.
    /// </remarks>
    public static double MixedPartial<TF>(TF f, ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
        where TF : IJetFunction
    {
        int dim = z.Length;
        if (multiIndex.Length != dim) throw new ArgumentException("Multi-index and point differ in length.", nameof(multiIndex));
        CheckStack(dim);
        int d = 0, m = 0;
        for (int l = 0; l < dim; l++)
        {
            if (multiIndex[l] < 0) throw new ArgumentOutOfRangeException(nameof(multiIndex), "Orders must be non-negative.");
            d += multiIndex[l];
            if (multiIndex[l] > 0) m++;
        }
        if (d > TaylorSeries.MaxOrder) throw new ArgumentOutOfRangeException(nameof(multiIndex), $"Total order must be at most {TaylorSeries.MaxOrder}.");

        var arena = ArenaFor(d);
        Span<double> v = stackalloc double[dim];
        Span<double> c = stackalloc double[d + 1];
        v.Clear();
        if (d == 0)
        {
            DirectionalTaylor(ref f, arena, z, v, c);
            return c[0];
        }

        // Restrict to the support of i: indices, orders.
        Span<int> support = stackalloc int[m];
        Span<int> alpha = stackalloc int[m];
        for (int l = 0, s = 0; l < dim; l++)
        {
            if (multiIndex[l] > 0)
            {
                support[s] = l;
                alpha[s++] = multiIndex[l];
            }
        }

        Span<int> j = stackalloc int[m];
        Span<int> k = stackalloc int[m];
        j.Clear();
        j[0] = d; // first composition of d into m parts: (d, 0, ..., 0)
        double sum = 0;
        do
        {
            double gamma = Gamma(alpha, j, k, d);
            if (gamma == 0) continue;
            for (int s = 0; s < m; s++) v[support[s]] = j[s];
            DirectionalTaylor(ref f, arena, z, v, c);
            sum += gamma * c[d]; // c_d = D_j^d f / d!
        }
        while (NextComposition(j));
        return sum;
    }

    /// <inheritdoc cref="MixedPartial{TF}"/>
    public static double MixedPartial(JetFunction f, ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex) =>
        MixedPartial(new DelegateJetFunction(f), z, multiIndex);

    // gamma_{i,j} = sum_{0 < k <= i} (-1)^{|i-k|} C(i,k) C(d k/|k|, j) (|k|/d)^d; k is scratch.
    private static double Gamma(ReadOnlySpan<int> alpha, ReadOnlySpan<int> j, Span<int> k, int d)
    {
        int m = alpha.Length;
        k.Clear();
        double gamma = 0;
        while (NextInBox(k, alpha))
        {
            int kSum = 0, gap = 0;
            for (int s = 0; s < m; s++)
            {
                kSum += k[s];
                gap += alpha[s] - k[s];
            }
            double term = (gap & 1) == 0 ? 1.0 : -1.0;
            for (int s = 0; s < m && term != 0; s++)
            {
                term *= Binomial(alpha[s], k[s]);
                // C(r, j_s) with r = d k_s / kSum; (r - t) = (d k_s - t kSum) / kSum in exact integers,
                // so integral r gives exact zeros.
                for (int t = 0; t < j[s]; t++) term *= (double)(d * k[s] - t * kSum) / kSum / (t + 1);
            }
            if (term != 0) gamma += term * Math.Pow((double)kSum / d, d);
        }
        return gamma;
    }

    // Odometer over 0 <= k <= alpha, skipping k = 0: returns false after the last box point.
    private static bool NextInBox(Span<int> k, ReadOnlySpan<int> alpha)
    {
        for (int s = 0; s < k.Length; s++)
        {
            if (k[s] < alpha[s])
            {
                k[s]++;
                return true;
            }
            k[s] = 0;
        }
        return false;
    }

    // Compositions of d into m parts in decreasing lexicographic order, from (d,0,..,0) to (0,..,0,d).
    private static bool NextComposition(Span<int> j)
    {
        int m = j.Length;
        int t = m - 2;
        while (t >= 0 && j[t] == 0) t--;
        if (t < 0) return false;
        j[t]--;
        int rest = j[m - 1] + 1;
        j[m - 1] = 0;
        j[t + 1] = rest;
        return true;
    }

    private static double Binomial(int n, int k)
    {
        double b = 1;
        for (int t = 0; t < k; t++) b = b * (n - t) / (t + 1);
        return b;
    }
}
