using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Functions;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>The block (structure-of-arrays) view of an objective agrees with its scalar view, sample by sample.</summary>
public sealed class BlockObjectiveTests
{
    // f(z) = exp(z0) z1^2 + sin(z0 z1): not separable, so every default goes through the scalar methods.
    private static readonly Objective Coupled = Objective.Of(z => Jet.Exp(z[0]) * z[1] * z[1] + Jet.Sin(z[0] * z[1]), arity: 2);

    private static (double[] Data, int Stride) Block(double[][] samples, int stride)
    {
        int d = samples[0].Length;
        var data = new double[d * stride];
        for (int s = 0; s < samples.Length; s++)
            for (int j = 0; j < d; j++) data[j * stride + s] = samples[s][j];
        return (data, stride);
    }

    private static readonly double[][] Points = [[0.3, -1.2], [1.1, 0.4], [-0.7, 2.0]];

    [Fact]
    public void Block_values_and_partials_equal_the_scalar_ones()
    {
        const int order = 3, stride = 4;
        var (data, _) = Block(Points, stride);
        var block = new SampleBlock(data, 2, Points.Length, stride);

        var values = new double[stride];
        Coupled.Values(block, values);
        var partials = new double[(order + 1) * 2 * stride];
        Coupled.PurePartials(block, order, partials);

        var one = new double[2 * (order + 1)];
        for (int s = 0; s < Points.Length; s++)
        {
            Assert.Equal(Coupled.Value(Points[s]), values[s]);
            Coupled.PurePartials(Points[s], order, one);
            for (int j = 0; j < 2; j++)
                for (int k = 1; k <= order; k++)
                    Assert.Equal(one[j * (order + 1) + k], partials[(k * 2 + j) * stride + s]);
        }
    }

    [Fact]
    public void Block_coordinate_partials_shift_each_coordinate_on_its_own()
    {
        const int stride = 3;
        var (data, _) = Block(Points, stride);
        var block = new SampleBlock(data, 2, Points.Length, stride);
        var x = new double[2 * stride];
        for (int i = 0; i < x.Length; i++) x[i] = 0.25 * i - 0.5;
        var result = new double[2 * stride];
        Coupled.CoordinatePartials(block, x, 2, result);

        for (int s = 0; s < Points.Length; s++)
            for (int j = 0; j < 2; j++)
            {
                // Independent reference: d^2/dz_j^2 of the closed form at the shifted point.
                double z0 = j == 0 ? x[j * stride + s] : Points[s][0], z1 = j == 1 ? x[j * stride + s] : Points[s][1];
                double expected = j == 0
                    ? Math.Exp(z0) * z1 * z1 - z1 * z1 * Math.Sin(z0 * z1)
                    : 2 * Math.Exp(z0) - z0 * z0 * Math.Sin(z0 * z1);
                Assert.Equal(expected, result[j * stride + s], 12);
            }
    }

    [Fact]
    public void A_block_too_small_for_its_shape_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new SampleBlock(new double[5], 2, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleBlock(new double[6], 2, 4, 3));
    }
}
