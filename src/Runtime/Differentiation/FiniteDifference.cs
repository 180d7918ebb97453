namespace SeriesCompiler.Runtime.Differentiation;

/// <summary>
/// Finite-difference weights by Fornberg's algorithm (Math. Comp. 51, 1988; SIAM Rev. 40, 1998),
/// in doubles. The emitter computes exact rational stencils at compile time; this is the runtime
/// fallback and the reference for tests.
/// </summary>
public static class FiniteDifference
{
    /// <summary>
    /// Weights of every derivative order 0..<paramref name="maxOrder"/> at <paramref name="x0"/> for
    /// arbitrary distinct <paramref name="nodes"/>: <c>f^(m)(x0) ~ sum_i weights[m*n + i] f(nodes[i])</c>,
    /// <c>n = nodes.Length</c>. Exact for polynomials of degree &lt; n. O(n^2 maxOrder), no allocation.
    /// </summary>
    public static void Weights(double x0, ReadOnlySpan<double> nodes, int maxOrder, Span<double> weights)
    {
        int n = nodes.Length;
        ArgumentOutOfRangeException.ThrowIfNegative(maxOrder);
        if (n == 0) throw new ArgumentException("Need at least one node.", nameof(nodes));
        if (weights.Length < (maxOrder + 1) * n)
            throw new ArgumentException($"Needs {(maxOrder + 1) * n} elements.", nameof(weights));
        weights = weights[..((maxOrder + 1) * n)];
        weights.Clear();
        // w(m, i) = weights[m * n + i]: the weight of node i for derivative m, built node by node
        // from the Lagrange basis recursion (Fornberg's c_{i,m}).
        double c1 = 1, c4 = nodes[0] - x0;
        weights[0] = 1;
        for (int i = 1; i < n; i++)
        {
            int mn = Math.Min(i, maxOrder);
            double c2 = 1, c5 = c4;
            c4 = nodes[i] - x0;
            for (int j = 0; j < i; j++)
            {
                double c3 = nodes[i] - nodes[j];
                c2 *= c3;
                if (j == i - 1)
                {
                    // new node i from node i-1: w(m,i) = c1 (m w(m-1,i-1) - c5 w(m,i-1)) / c2
                    for (int m = mn; m >= 1; m--)
                        weights[m * n + i] = c1 * (m * weights[(m - 1) * n + i - 1] - c5 * weights[m * n + i - 1]) / c2;
                    weights[i] = -c1 * c5 * weights[i - 1] / c2;
                }
                // old node j updated for the extra factor (x - nodes[i]): w(m,j) = (c4 w(m,j) - m w(m-1,j)) / c3
                for (int m = mn; m >= 1; m--)
                    weights[m * n + j] = (c4 * weights[m * n + j] - m * weights[(m - 1) * n + j]) / c3;
                weights[j] = c4 * weights[j] / c3;
            }
            c1 = c2;
        }
    }

    /// <summary>
    /// Half-width r of the central stencil on nodes <c>-r..r</c> for derivative
    /// <paramref name="order"/> with truncation error <c>O(h^accuracy)</c> (accuracy even):
    /// <c>2r + 1 = 2 floor((order + 1)/2) - 1 + accuracy</c> points.
    /// </summary>
    public static int CentralHalfWidth(int order, int accuracy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        if (accuracy < 2 || (accuracy & 1) != 0) throw new ArgumentOutOfRangeException(nameof(accuracy), accuracy, "Accuracy must be even and >= 2.");
        return (order + 1) / 2 - 1 + accuracy / 2;
    }

    /// <summary>
    /// Central weights on unit-spaced nodes <c>-r..r</c> (<see cref="CentralHalfWidth"/>):
    /// <c>f^(m)(x) ~ h^-m sum_i w[i] f(x + (i - r) h)</c>. Exact for polynomials of degree
    /// <c>&lt; order + accuracy</c> (symmetry adds one more degree). Needs <c>(order+1)(2r+1)</c> of
    /// scratch, taken from the stack.
    /// </summary>
    public static void CentralWeights(int order, int accuracy, Span<double> weights)
    {
        int r = CentralHalfWidth(order, accuracy), points = 2 * r + 1;
        if (weights.Length < points) throw new ArgumentException($"Needs {points} elements.", nameof(weights));
        if ((long)(order + 1) * points > 1 << 16) throw new ArgumentOutOfRangeException(nameof(order), "Stencil too large.");
        Span<double> nodes = stackalloc double[points];
        Span<double> all = stackalloc double[(order + 1) * points];
        for (int i = 0; i < points; i++) nodes[i] = i - r;
        Weights(0, nodes, order, all);
        all.Slice(order * points, points).CopyTo(weights);
    }

    /// <summary>
    /// Default step for derivative <paramref name="order"/> at accuracy p around z:
    /// <c>h = eps^(1/(order+p)) max(1, |z|)</c>. It balances truncation <c>~ h^p</c> against
    /// rounding <c>~ eps/h^order</c>, leaving a relative error near <c>eps^(p/(order+p))</c>
    /// (times the scale of f's derivatives): with p = 4, ~1e-13 for order 1, ~1e-10 for
    /// order 2, ~1e-8 for order 4, ~1e-5 for order 8.
    /// </summary>
    public static double DefaultStep(int order, int accuracy, double z) =>
        Math.Pow(Epsilon, 1.0 / (order + accuracy)) * Math.Max(1.0, Math.Abs(z));

    private const double Epsilon = 2.220446049250313e-16; // 2^-52, the spacing of doubles at 1
}
