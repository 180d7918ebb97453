using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Functions;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>
/// A user's block model (values and partials for a whole block per call) against the same function written over jets:
/// <c>f(z) = sum_j sin(z_j) + z_0 z_1</c>, so the pure partials along 0 and 1 see the coupling only at order 1.
/// </summary>
public sealed class BlockFunctionObjectiveTests
{
    private static readonly Objective Reference = Objective.Of(z =>
    {
        var sum = Jet.Sin(z[0]) + z[0] * z[1];
        for (int j = 1; j < z.Length; j++) sum = sum + Jet.Sin(z[j]);
        return sum;
    }, arity: 3);

    // The model over a block: every row is a coordinate, every lane a sample.
    private sealed class Model : IBlockFunction
    {
        public int Calls;
        public int? Arity => 3;
        public int MaxOrder => 8;

        public void Values(SampleBlock z, Span<double> values)
        {
            Calls++;
            for (int s = 0; s < z.Count; s++)
            {
                double sum = z.Row(0)[s] * z.Row(1)[s];
                for (int j = 0; j < z.Dimension; j++) sum += Math.Sin(z.Row(j)[s]);
                values[s] = sum;
            }
        }

        // d^k/dz_j^k sin = sin(z + k pi/2); the product z_0 z_1 adds z_1 (j = 0) or z_0 (j = 1) at k = 1 only.
        public void PurePartials(SampleBlock z, int order, Span<double> partials)
        {
            Calls++;
            int d = z.Dimension;
            for (int k = 1; k <= order; k++)
                for (int j = 0; j < d; j++)
                    for (int s = 0; s < z.Count; s++)
                    {
                        double value = Math.Sin(z.Row(j)[s] + k * Math.PI / 2);
                        if (k == 1 && j < 2) value += z.Row(1 - j)[s];
                        partials[(k * d + j) * z.Stride + s] = value;
                    }
        }
    }

    private static readonly double[][] Points = [[0.3, -1.2, 0.8], [1.1, 0.4, -2.0], [-0.7, 2.0, 0.1], [0.0, 0.5, 1.5], [2.2, -0.3, -0.6]];

    [Fact]
    public void Scalar_view_matches_jets()
    {
        var f = Objective.FromBlocks(new Model());
        var a = new double[3 * 5];
        var b = new double[3 * 5];
        var g = new double[3];
        foreach (var p in Points)
        {
            Approx.Equal(Reference.Value(p), f.Value(p), 1e-14, 1e-15, "value");
            f.PurePartials(p, 4, a);
            Reference.PurePartials(p, 4, b);
            for (int j = 0; j < 3; j++)
                for (int k = 1; k <= 4; k++) Approx.Equal(b[j * 5 + k], a[j * 5 + k], 1e-13, 1e-15, $"d^{k}/dz_{j}^{k}");
            f.Gradient(p, g);
            for (int j = 0; j < 3; j++) Approx.Equal(b[j * 5 + 1], g[j], 1e-13, 1e-15, $"gradient {j}");
            Approx.Equal(Reference.CoordinatePartial(p, 1, 0.25, 2), f.CoordinatePartial(p, 1, 0.25, 2), 1e-13, 1e-15, "shifted");
        }
    }

    [Fact]
    public void A_block_is_one_model_call_and_shifted_partials_one_call_per_coordinate()
    {
        var model = new Model();
        var f = Objective.FromBlocks(model);
        const int stride = 8, d = 3;
        var data = new double[d * stride];
        for (int s = 0; s < Points.Length; s++)
            for (int j = 0; j < d; j++) data[j * stride + s] = Points[s][j];
        var block = new SampleBlock(data, d, Points.Length, stride);

        var values = new double[stride];
        f.Values(block, values);
        Assert.Equal(1, model.Calls);
        var partials = new double[3 * d * stride];
        f.PurePartials(block, 2, partials);
        Assert.Equal(2, model.Calls);
        var x = new double[d * stride];
        for (int i = 0; i < x.Length; i++) x[i] = data[i] + 0.3 * (i % 5) - 0.4;
        var shifted = new double[d * stride];
        f.CoordinatePartials(block, x, 2, shifted);
        Assert.Equal(2 + d, model.Calls);

        var one = new double[d * 3];
        for (int s = 0; s < Points.Length; s++)
        {
            Approx.Equal(Reference.Value(Points[s]), values[s], 1e-14, 1e-15, "value");
            Reference.PurePartials(Points[s], 2, one);
            for (int j = 0; j < d; j++)
            {
                for (int k = 1; k <= 2; k++) Approx.Equal(one[j * 3 + k], partials[(k * d + j) * stride + s], 1e-13, 1e-15, $"partial {j},{k}");
                Approx.Equal(Reference.CoordinatePartial(Points[s], j, x[j * stride + s], 2), shifted[j * stride + s], 1e-13, 1e-15, $"shifted {j}");
            }
        }
        // The block itself is left as it was (the shift works on a copy).
        for (int s = 0; s < Points.Length; s++)
            for (int j = 0; j < d; j++) Assert.Equal(Points[s][j], data[j * stride + s]);
    }

    [Fact]
    public void Delegates_work_and_orders_past_the_model_are_refused()
    {
        var model = new Model();
        var f = Objective.FromBlocks(model.Values, model.PurePartials, arity: 3, maxOrder: 2);
        Assert.Equal(3, f.Arity);
        Approx.Equal(Reference.Value(Points[0]), f.Value(Points[0]), 1e-14, 1e-15, "value");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => f.PurePartials(Points[0], 3, new double[12]));
        Assert.Contains("0..2", e.Message);
        Assert.Throws<ArgumentNullException>(() => Objective.FromBlocks(null!, model.PurePartials));
    }
}
