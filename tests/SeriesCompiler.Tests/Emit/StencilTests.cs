using SeriesCompiler.Emit.Stencils;
using SeriesCompiler.Symbolic.Expressions;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// Fornberg's weights, in exact rationals, differentiate polynomials exactly: on n nodes the m-th derivative of any
/// polynomial of degree below n is reproduced without error, whatever the nodes and the point. The emitted tables
/// are those weights rounded once.
/// </summary>
public class StencilTests
{
    /// <summary>p(x) = sum c_k x^k and its m-th derivative, exactly.</summary>
    private static Rational Evaluate(IReadOnlyList<Rational> c, Rational x, int derivative = 0)
    {
        Rational sum = Rational.Zero, power = Rational.One;
        for (int k = derivative; k < c.Count; k++)
        {
            sum += c[k] * Falling(k, derivative) * power;
            power *= x;
        }
        return sum;
    }

    private static Rational Falling(int k, int m)
    {
        Rational f = Rational.One;
        for (int i = 0; i < m; i++) f *= k - i;
        return f;
    }

    private static Rational[] RandomPolynomial(Random random, int degree) =>
        Enumerable.Range(0, degree + 1).Select(_ => new Rational(random.Next(-50, 51), random.Next(1, 12))).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Central_weights_are_exact_on_polynomials_of_degree_below_order_plus_accuracy(int m)
    {
        var w = Fornberg.Central(m, StencilEmitter.Accuracy);
        int half = (w.Length - 1) / 2;
        var random = new Random(97 + m);
        // 2*half + 1 nodes give degree 2*half; symmetry adds one more for even m: degree m + Accuracy - 1 in all.
        int exactDegree = m + StencilEmitter.Accuracy - 1;
        Assert.True(2 * half + 1 >= exactDegree);
        for (int trial = 0; trial < 5; trial++)
        {
            var p = RandomPolynomial(random, exactDegree);
            var x0 = new Rational(random.Next(-20, 21), random.Next(1, 7));
            Rational sum = Rational.Zero;
            for (int i = 0; i < w.Length; i++) sum += w[i] * Evaluate(p, x0 + (i - half));
            Assert.Equal(Evaluate(p, x0, m), sum);
        }
        // Monomials one by one: sum_i w_i i^d = m! when d = m, else 0.
        for (int d = 0; d <= exactDegree; d++)
        {
            Rational sum = Rational.Zero;
            for (int i = 0; i < w.Length; i++)
            {
                Rational power = Rational.One;
                for (int k = 0; k < d; k++) power *= i - half;
                sum += w[i] * power;
            }
            Assert.Equal(d == m ? Rational.Factorial(m) : Rational.Zero, sum);
        }
    }

    [Fact]
    public void Weights_on_uneven_nodes_are_exact_for_every_derivative_order()
    {
        var random = new Random(5);
        Rational[] nodes = [new(-3, 2), Rational.Zero, new(1, 3), Rational.One, new(5, 2), new(7, 2)];
        var x0 = new Rational(2, 5);
        var weights = Fornberg.Weights(x0, nodes, maxOrder: 5);
        var p = RandomPolynomial(random, nodes.Length - 1);
        for (int m = 0; m <= 5; m++)
        {
            Rational sum = Rational.Zero;
            for (int i = 0; i < nodes.Length; i++) sum += weights[m][i] * Evaluate(p, nodes[i]);
            Assert.Equal(Evaluate(p, x0, m), sum);
        }
    }

    [Fact]
    public void The_classic_second_difference_comes_out()
    {
        Assert.Equal(new Rational[] { 1, -2, 1 }, Fornberg.Central(2, 2));
        Assert.Equal(new Rational[] { new(1, 12), new(-2, 3), 0, new(2, 3), new(-1, 12) }, Fornberg.Central(1, 4));
    }

    [Fact]
    public void The_emitted_tables_are_the_exact_weights_rounded_once()
    {
        Assert.Equal(EmitFixture.Order, SeriesCompiler.Generated.Stencils.MaxOrder);
        for (int m = 1; m <= EmitFixture.Order; m++)
        {
            var exact = Fornberg.Central(m, StencilEmitter.Accuracy);
            var emitted = SeriesCompiler.Generated.Stencils.Weights[m];
            Assert.Equal(exact.Select(r => r.ToDouble()), emitted);
            Assert.Equal((exact.Length - 1) / 2, SeriesCompiler.Generated.Stencils.HalfWidth[m]);
        }
    }

    [Fact]
    public void The_emitted_stencils_differentiate_a_smooth_function()
    {
        // d^m/dz^m exp(z) = exp(z): each order to the accuracy the step guidance promises (loosely).
        double z = 0.3;
        for (int m = 1; m <= 4; m++)
        {
            double h = SeriesCompiler.Generated.Stencils.StepSize(m, z);
            var w = SeriesCompiler.Generated.Stencils.Weights[m];
            int half = SeriesCompiler.Generated.Stencils.HalfWidth[m];
            double sum = 0;
            for (int i = 0; i < w.Length; i++) sum += w[i] * Math.Exp(z + (i - half) * h);
            double estimate = sum / Math.Pow(h, m);
            Assert.True(Math.Abs(estimate - Math.Exp(z)) < 1e-3 * Math.Exp(z), $"order {m}: {estimate} vs {Math.Exp(z)}");
        }
    }
}
