using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Emit.Stencils;

/// <summary>
/// Finite-difference weights by Fornberg's algorithm (Math. Comp. 51, 1988), in exact rationals:
/// weights w[m][i] such that f^(m)(x0) ~ sum_i w[m][i] f(x_i) for every derivative order m up to M.
/// </summary>
public static class Fornberg
{
    public static Rational[][] Weights(Rational x0, IReadOnlyList<Rational> nodes, int maxOrder)
    {
        int n = nodes.Count;
        // c[m][i]: weight of node i for derivative m, using the first j+1 nodes (updated in place).
        var c = new Rational[maxOrder + 1][];
        for (int m = 0; m <= maxOrder; m++) { c[m] = new Rational[n]; Array.Fill(c[m], Rational.Zero); }
        c[0][0] = Rational.One;
        var c1 = Rational.One;
        var c4 = nodes[0] - x0;
        for (int i = 1; i < n; i++)
        {
            int mn = Math.Min(i, maxOrder);
            var c2 = Rational.One;
            var c5 = c4;
            c4 = nodes[i] - x0;
            for (int j = 0; j < i; j++)
            {
                var c3 = nodes[i] - nodes[j];
                c2 *= c3;
                if (j == i - 1)
                {
                    for (int m = mn; m >= 1; m--)
                        c[m][i] = c1 * (m * c[m - 1][i - 1] - c5 * c[m][i - 1]) / c2;
                    c[0][i] = -c1 * c5 * c[0][i - 1] / c2;
                }
                for (int m = mn; m >= 1; m--)
                    c[m][j] = (c4 * c[m][j] - m * c[m - 1][j]) / c3;
                c[0][j] = c4 * c[0][j] / c3;
            }
            c1 = c2;
        }
        return c;
    }

    /// <summary>
    /// Central weights for the m-th derivative on the nodes -h..h (h = (m + accuracy - 1) / 2), of accuracy
    /// O(step^accuracy) for even accuracy: exact on polynomials of degree below m + accuracy.
    /// </summary>
    public static Rational[] Central(int order, int accuracy)
    {
        int half = (order + accuracy - 1) / 2;
        var nodes = Enumerable.Range(-half, 2 * half + 1).Select(k => (Rational)k).ToArray();
        return Weights(Rational.Zero, nodes, order)[order];
    }
}
