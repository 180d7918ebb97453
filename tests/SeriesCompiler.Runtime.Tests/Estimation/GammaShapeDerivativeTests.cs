using System.Runtime.Intrinsics;
using MathNet.Numerics.Distributions;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Special;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// The implicit reparameterisation derivative dg/dk of a Gamma(k, 1) draw: at a fixed quantile u, g(k) = P^-1(k, u), so dg/dk
/// is the derivative of the inverse CDF in k. References: central differences of MathNet's inverse CDF (independent code),
/// and the runtime's incomplete-gamma route; the row form (SIMD lanes, series and fraction) against the one-draw form.
/// Also the masked, per-lane-shape gamma sampler: a lane's draw depends on its stream and shape alone.
/// </summary>
public sealed class GammaShapeDerivativeTests
{
    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    [InlineData(7.0)]
    [InlineData(40.0)]
    public void Agrees_with_differences_of_the_inverse_cdf(double k)
    {
        foreach (double u in new[] { 0.001, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999 })
        {
            double g = Gamma.InvCDF(k, 1, u);
            // Central difference of k -> P^-1(k, u); the step balances truncation (h^2 g''') and MathNet's ~1e-14 rounding.
            double h = 1e-4 * k;
            double reference = (Gamma.InvCDF(k + h, 1, u) - Gamma.InvCDF(k - h, 1, u)) / (2 * h);
            double ours = GammaShapeDerivative.Of(g, k);
            Assert.True(Math.Abs(ours - reference) <= 1e-6 * Math.Abs(reference) + 1e-12, $"k = {k}, u = {u}, g = {g}: {ours} vs {reference}");
        }
    }

    [Fact]
    public void Agrees_with_the_incomplete_gamma_route_to_a_few_ulps_scaled()
    {
        var random = new RandomSource(11);
        foreach (double k in new[] { 0.2, 0.9, 1.5, 2.5, 6.0, 25.0, 300.0 })
            for (int i = 0; i < 200; i++)
            {
                double g = random.Gamma(k);
                if (g == 0) continue;
                double reference = SpecialFunctions.GammaSampleShapeDerivative(g, k);
                double ours = GammaShapeDerivative.Of(g, k);
                Assert.True(Math.Abs(ours - reference) <= 1e-9 * Math.Abs(reference), $"k = {k}, g = {g}: {ours} vs {reference}");
            }
    }

    [Fact]
    public void The_row_form_is_the_one_draw_form()
    {
        var random = new RandomSource(3);
        foreach (double k in new[] { 0.5, 2.5, 9.0 })
        {
            var g = new double[103];
            for (int i = 0; i < g.Length; i++) g[i] = random.Gamma(k);
            var row = new double[g.Length];
            GammaShapeDerivative.Row(k, g, row);
            for (int i = 0; i < g.Length; i++)
            {
                double one = GammaShapeDerivative.Of(g[i], k);
                Assert.True(Math.Abs(row[i] - one) <= 1e-12 * Math.Abs(one), $"k = {k}, g = {g[i]}: row {row[i]} vs {one}");
            }
        }
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GammaShapeDerivative.Row(-1, new double[] { 1 }, new double[1]));
        Assert.Equal("k", e.ParamName);
        var z = Assert.Throws<ArgumentOutOfRangeException>(() => GammaShapeDerivative.Of(0, 2));
        Assert.Contains("underflowed", z.Message);
    }

    [Fact]
    public void A_masked_gamma_lane_depends_on_its_stream_and_shape_alone()
    {
        // Lane 2 runs stream (9, 40) at shape 2.5 among neighbours of other shapes, or alone under a mask: the same draws.
        var a = default(RandomLanes);
        var b = default(RandomLanes);
        a.SetStreams(9, new ulong[] { 1, 2, 40, 3 });
        b.SetStreams(9, new ulong[] { 7, 7, 40, 7 });
        var shapesA = Vector256.Create(0.3, 50.0, 2.5, 1.0);
        var shapesB = Vector256.Create(1.0, 1.0, 2.5, 1.0);
        var only2 = Vector256.Create(0UL, 0UL, ~0UL, 0UL);
        for (int i = 0; i < 50; i++)
            Assert.Equal(a.GammaMasked(shapesA, Vector256<ulong>.AllBitsSet)[2], b.GammaMasked(shapesB, only2)[2]);
    }

    [Theory]
    [InlineData(0.4)]
    [InlineData(2.5)]
    [InlineData(30.0)]
    public void Masked_gamma_draws_have_the_gamma_law(double k)
    {
        // Kolmogorov-Smirnov against MathNet's CDF at the 0.1% level (critical value 1.95 / sqrt(n)), fixed streams.
        const int n = 40_000;
        var draws = new double[n];
        var lanes = default(RandomLanes);
        for (int i = 0; i < n; i += 4)
        {
            lanes.SetStreams(21, [(ulong)i, (ulong)i + 1, (ulong)i + 2, (ulong)i + 3]);
            lanes.GammaMasked(Vector256.Create(k), Vector256<ulong>.AllBitsSet).CopyTo(draws.AsSpan(i));
        }
        Array.Sort(draws);
        double distance = 0;
        for (int i = 0; i < n; i++)
        {
            double f = Gamma.CDF(k, 1, draws[i]);
            distance = Math.Max(distance, Math.Max(Math.Abs(f - (double)i / n), Math.Abs(f - (i + 1.0) / n)));
        }
        Assert.True(distance < 1.95 / Math.Sqrt(n), $"KS distance {distance} at k = {k}");
    }
}
