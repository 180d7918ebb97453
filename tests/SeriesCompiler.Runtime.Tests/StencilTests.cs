using SeriesCompiler.Runtime.Differentiation;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

public sealed class StencilTests
{
    [Fact]
    public void Known_central_stencils()
    {
        var w = new double[5];
        FiniteDifference.CentralWeights(2, 2, w);
        Assert.Equal([1.0, -2.0, 1.0], w[..3]);
        FiniteDifference.CentralWeights(1, 4, w);
        double[] expected = [1.0 / 12, -2.0 / 3, 0, 2.0 / 3, -1.0 / 12];
        for (int i = 0; i < 5; i++) Approx.Equal(expected[i], w[i], 1e-15, 1e-16);
        Assert.Equal(3, FiniteDifference.CentralHalfWidth(4, 4)); // 7 points for f'''' at O(h^4)
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    public void Central_stencils_are_exact_on_polynomials_below_order_plus_accuracy(int accuracy)
    {
        for (int m = 1; m <= 8; m++)
        {
            int r = FiniteDifference.CentralHalfWidth(m, accuracy);
            var w = new double[2 * r + 1];
            FiniteDifference.CentralWeights(m, accuracy, w);
            double mFactorial = 1;
            for (int i = 2; i <= m; i++) mFactorial *= i;
            // sum_i w_i i^d = d^m/dx^m x^d at 0 = m! [d = m], for every degree d < m + accuracy.
            for (int d = 0; d < m + accuracy; d++)
            {
                double sum = 0, scale = 0;
                for (int i = -r; i <= r; i++)
                {
                    double term = w[i + r] * Math.Pow(i, d);
                    sum += term;
                    scale += Math.Abs(term);
                }
                Approx.Equal(d == m ? mFactorial : 0, sum, 1e-13, 1e-13 * Math.Max(1, scale), $"m={m} p={accuracy} d={d}");
            }
        }
    }

    [Fact]
    public void Weights_on_irregular_nodes_are_exact_for_polynomials()
    {
        double[] nodes = [-0.7, -0.1, 0.3, 1.1, 2.0];
        var w = new double[3 * nodes.Length];
        FiniteDifference.Weights(0.25, nodes, 2, w);
        // p(x) = 2 - x + 3x^2 - 0.5x^4: p(0.25), p'(0.25), p''(0.25)
        static double P(double x) => 2 - x + 3 * x * x - 0.5 * Math.Pow(x, 4);
        double[] expected = [P(0.25), -1 + 6 * 0.25 - 2 * Math.Pow(0.25, 3), 6 - 6 * 0.25 * 0.25];
        for (int m = 0; m <= 2; m++)
        {
            double sum = 0;
            for (int i = 0; i < nodes.Length; i++) sum += w[m * nodes.Length + i] * P(nodes[i]);
            Approx.Equal(expected[m], sum, 1e-12, what: $"m={m}");
        }
    }

    [Fact]
    public void FromStencil_reaches_the_documented_accuracy()
    {
        double z = 0.8;
        var d = new double[7];
        Derivatives.FromStencil(x => Math.Exp(2 * x), z, 6, d);
        // eps^(p/(m+p)) with p = 4, times a modest constant (derivatives grow like 2^m)
        double[] bound = [1e-15, 2e-12, 1e-9, 1e-8, 1e-7, 2e-6, 2e-5];
        for (int m = 0; m <= 6; m++) Approx.Equal(Math.Pow(2, m) * Math.Exp(2 * z), d[m], bound[m], what: $"m={m}");

        // A polynomial of degree 5 is differentiated exactly (up to rounding) by O(h^4) stencils from m = 2 on.
        var p = new double[5];
        Derivatives.FromStencil(x => ((x - 1) * x * x + 2) * x * x, 1.5, 4, p, step: 0.25);
        // x^5 - x^4 + 2x^2: p' = 5x^4 - 4x^3 + 4x, p'' = 20x^3 - 12x^2 + 4, p''' = 60x^2 - 24x, p'''' = 120x - 24
        Approx.Equal(20 * 3.375 - 12 * 2.25 + 4, p[2], 1e-12);
        Approx.Equal(60 * 2.25 - 24 * 1.5, p[3], 1e-12);
        Approx.Equal(120 * 1.5 - 24, p[4], 1e-12);
    }
}
