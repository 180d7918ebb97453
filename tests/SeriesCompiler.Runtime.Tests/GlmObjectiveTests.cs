using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Special;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>
/// The GLM objective and its logistic link against references computed another way: the exponential series of
/// <c>sigmoid(-m)</c>, jets, <see cref="Objective.Ridge"/> summed over the rows, and finite differences of a direct sum.
/// </summary>
public sealed class GlmObjectiveTests
{
    // A small data set from a fixed seed: 13 rows (not a multiple of the 4 SIMD lanes, so the padding is exercised), 5 features.
    private static (double[][] X, double[] Y) Data(int rows = 13, int features = 5, ulong seed = 11)
    {
        var random = new RandomSource(seed);
        var x = new double[rows][];
        var y = new double[rows];
        for (int n = 0; n < rows; n++)
        {
            x[n] = new double[features];
            for (int j = 0; j < features; j++) x[n][j] = 1.5 * random.Normal();
            y[n] = random.NextDouble() < 0.5 ? 0 : 1;
        }
        return (x, y);
    }

    private static readonly double[] W = [0.3, -0.8, 0.45, 1.1, -0.2];

    // ls^(k)(m) for m >= 2 from ls'(m) = sigmoid(-m) = sum_{r>=1} (-1)^{r+1} e^{-r m}: differentiating term by term,
    // ls^(k)(m) = sum_r (-1)^{r+1} (-r)^{k-1} e^{-r m}; ls(m) = -log(1 + e^{-m}) = sum_r (-1)^r e^{-r m} / r.
    // For m <= -2, ls(m) = m + ls(-m), so ls^(k)(m) = (-1)^k ls^(k)(-m) + [k = 1] (+ m for k = 0).
    private static double SeriesReference(double m, int k)
    {
        if (m < 0)
        {
            double mirrored = SeriesReference(-m, k);
            return k == 0 ? m + mirrored : (k % 2 == 0 ? mirrored : -mirrored) + (k == 1 ? 1 : 0);
        }
        double sum = 0;
        for (int r = 1; r <= 2000; r++)
        {
            double e = Math.Exp(-r * m);
            if (e == 0) break;
            double term = k == 0 ? e / r : Math.Pow(r, k - 1) * e;
            // sign: k = 0: (-1)^r; k >= 1: (-1)^{r+1} (-1)^{k-1} = (-1)^{r+k}
            bool negative = k == 0 ? r % 2 == 1 : (r + k) % 2 == 1;
            sum += negative ? -term : term;
        }
        return sum;
    }

    private static double[] LinkDerivatives(GlmLink link, double y, double eta, int order)
    {
        var output = new double[order + 1];
        link.Derivatives([y], [eta], 0, order, output, 1);
        return output;
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(3.7)]
    [InlineData(-2.5)]
    [InlineData(12.0)]
    [InlineData(-30.0)]
    [InlineData(45.0)]
    [InlineData(-200.0)]
    [InlineData(700.0)]
    public void Logistic_derivatives_to_order_14_match_the_exponential_series(double m)
    {
        var d = LinkDerivatives(GlmLink.Logistic, 1, m, 14);
        for (int k = 0; k <= 14; k++)
        {
            double expected = SeriesReference(m, k);
            // Relative in the tails (the form in u and v does not cancel there); the orders near 14 at |m| = 2 lose a few digits.
            Approx.Equal(expected, d[k], 1e-11 * Math.Pow(2, k / 2.0), 1e-300, $"ls^({k})({m})");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.4)]
    [InlineData(-1.3)]
    [InlineData(1.9)]
    public void Logistic_derivatives_near_zero_match_jets(double m)
    {
        var d = LinkDerivatives(GlmLink.Logistic, 1, m, 12);
        var jets = new double[13];
        Derivatives.OfScalar(Jet.LogSigmoid, m, 12, jets);
        for (int k = 0; k <= 12; k++)
            Approx.Equal(jets[k], d[k], 1e-10, 1e-12 * Factorial(k), $"ls^({k})({m})");
    }

    private static double Factorial(int k) => k <= 1 ? 1 : k * Factorial(k - 1);

    [Fact]
    public void Logistic_labels_zero_and_minus_one_flip_the_margin()
    {
        // log p(y = 0 | eta) = log sigmoid(-eta): g^(k)(eta) = (-1)^k ls^(k)(-eta), for labels 0 and -1 alike.
        var negative = LinkDerivatives(GlmLink.Logistic, 0, 0.7, 9);
        var minusOne = LinkDerivatives(GlmLink.Logistic, -1, 0.7, 9);
        var mirrored = LinkDerivatives(GlmLink.Logistic, 1, -0.7, 9);
        for (int k = 0; k <= 9; k++)
        {
            Assert.Equal(negative[k], minusOne[k]);
            Approx.Equal((k % 2 == 0 ? 1 : -1) * mirrored[k], negative[k], 1e-14, 1e-300, $"k = {k}");
        }
    }

    [Fact]
    public void Logistic_block_of_rows_equals_row_by_row_including_the_tail()
    {
        // 7 rows: one full SIMD group and a tail of 3.
        double[] eta = [-3, -0.5, 0, 0.25, 4, 40, -700];
        double[] y = [1, 0, 1, 0, 1, 0, 1];
        const int lowest = 2, highest = 6, stride = 9;
        var block = new double[(highest - lowest) * stride + eta.Length];
        GlmLink.Logistic.Derivatives(y, eta, lowest, highest, block, stride);
        for (int i = 0; i < eta.Length; i++)
        {
            var one = LinkDerivatives(GlmLink.Logistic, y[i], eta[i], highest);
            for (int k = lowest; k <= highest; k++) Assert.Equal(one[k], block[(k - lowest) * stride + i]);
        }
    }

    [Fact]
    public void Logistic_eight_lane_rows_equal_row_by_row_to_order_20()
    {
        // 21 rows: two groups of eight (the AVX-512 lanes where the machine has them), one of four and a tail of one;
        // every order from 0 (its log1p) to 20 (Horner over the Eulerian coefficients), each row against itself alone
        // (one row runs through the four-lane tail), bit for bit.
        double[] eta = [-3, -0.5, 0, -0.0, 0.25, 4, 40, -700, 1e-9, -1e-300, 36.7, -36.7, 2.5, -2.5, 0.75, 710, -0.125, 13, -13, 0.5, 1];
        double[] y = [.. eta.Select((_, i) => i % 3 == 0 ? 0.0 : 1.0)];
        const int lowest = 0, highest = 20, stride = 23;
        var block = new double[highest * stride + eta.Length];
        GlmLink.Logistic.Derivatives(y, eta, lowest, highest, block, stride);
        for (int i = 0; i < eta.Length; i++)
        {
            var one = LinkDerivatives(GlmLink.Logistic, y[i], eta[i], highest);
            for (int k = lowest; k <= highest; k++)
                Assert.True(BitConverter.DoubleToInt64Bits(one[k]) == BitConverter.DoubleToInt64Bits(block[k * stride + i]), $"row {i}, order {k}: {block[k * stride + i]:R} against {one[k]:R}");
        }
    }

    [Fact]
    public void Logistic_values_and_slopes_alone_equal_the_full_orders_bit_for_bit()
    {
        // Orders 0 and 1 alone take their own lane kernel (every estimator's f and f'); orders 0..3 take the general one.
        // 23 rows: two groups of eight, one of four and a tail of three, with the tails of both kernels.
        double[] eta = [-3, -0.5, 0, -0.0, 0.25, 4, 40, -700, 1e-9, -1e-300, 36.7, -36.7, 2.5, -2.5, 0.75, 710, -0.125, 13, -13, 0.5, 1, 800, double.NaN];
        double[] y = [.. eta.Select((_, i) => i % 3 == 0 ? 0.0 : 1.0)];
        const int stride = 25;
        var pair = new double[stride + eta.Length];
        var full = new double[3 * stride + eta.Length];
        GlmLink.Logistic.Derivatives(y, eta, 0, 1, pair, stride);
        GlmLink.Logistic.Derivatives(y, eta, 0, 3, full, stride);
        static long Bits(double v) => double.IsNaN(v) ? -1 : BitConverter.DoubleToInt64Bits(v);
        for (int i = 0; i < eta.Length; i++)
            for (int k = 0; k <= 1; k++)
                Assert.True(Bits(full[k * stride + i]) == Bits(pair[k * stride + i]), $"row {i}, order {k}: {pair[k * stride + i]:R} against {full[k * stride + i]:R}");
        Assert.True(double.IsNaN(pair[eta.Length - 1]));
    }

    // The reference: f = scale sum_n g(y_n, x_n . w) as a sum of ridge objectives (jets through log sigmoid).
    private static Objective[] Ridges(double[][] x, double[] y) =>
        [.. x.Select((row, n) => Objective.Ridge(e => Jet.LogSigmoid(y[n] > 0 ? e : -e), row))];

    [Fact]
    public void Pure_partials_equal_ridge_objectives_summed()
    {
        var (x, y) = Data();
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        const int order = 9;
        var result = new double[W.Length * (order + 1)];
        glm.PurePartials(W, order, result);
        var reference = new double[W.Length * (order + 1)];
        var one = new double[W.Length * (order + 1)];
        foreach (var ridge in Ridges(x, y))
        {
            ridge.PurePartials(W, order, one);
            for (int i = 0; i < one.Length; i++) reference[i] += one[i];
        }
        double value = Ridges(x, y).Sum(r => r.Value(W));
        for (int j = 0; j < W.Length; j++)
        {
            Approx.Equal(value, result[j * (order + 1)], 1e-13, 0, "f in slot 0");
            for (int k = 1; k <= order; k++)
                Approx.Equal(reference[j * (order + 1) + k], result[j * (order + 1) + k], 1e-9, 1e-12 * Factorial(k), $"d^{k} f / dw_{j}^{k}");
        }
        Approx.Equal(value, glm.Value(W), 1e-13, 0, "f");
    }

    // f by a direct double loop, for finite differences.
    private static double Direct(double[][] x, double[] y, ReadOnlySpan<double> w)
    {
        double sum = 0;
        for (int n = 0; n < x.Length; n++)
        {
            double eta = 0;
            for (int j = 0; j < w.Length; j++) eta += x[n][j] * w[j];
            double m = y[n] > 0 ? eta : -eta;
            sum += m >= 0 ? -Math.Log(1 + Math.Exp(-m)) : m - Math.Log(1 + Math.Exp(m));
        }
        return sum;
    }

    [Fact]
    public void Gradient_and_second_partials_match_finite_differences_of_a_direct_sum()
    {
        var (x, y) = Data();
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var gradient = new double[W.Length];
        glm.Gradient(W, gradient);
        var partials = new double[W.Length * 3];
        glm.PurePartials(W, 2, partials);
        const double h = 1e-4;
        var shifted = (double[])W.Clone();
        for (int j = 0; j < W.Length; j++)
        {
            double Shift(double delta) { shifted[j] = W[j] + delta; double v = Direct(x, y, shifted); shifted[j] = W[j]; return v; }
            double plus = Shift(h), minus = Shift(-h), here = Direct(x, y, W);
            Approx.Equal((plus - minus) / (2 * h), gradient[j], 1e-6, 1e-8, $"df/dw_{j}");
            Approx.Equal((plus - 2 * here + minus) / (h * h), partials[3 * j + 2], 1e-4, 1e-6, $"d2f/dw_{j}^2");
        }
    }

    [Fact]
    public void Mixed_partials_match_the_ridge_reference()
    {
        var (x, y) = Data();
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        int[][] indices = [[1, 1, 0, 0, 0], [0, 2, 0, 1, 0], [1, 0, 1, 1, 1], [0, 0, 0, 0, 0]];
        foreach (var index in indices)
        {
            double reference = Ridges(x, y).Sum(r => r.Partial(W, index));
            Approx.Equal(reference, glm.Partial(W, index), 1e-10, 1e-13, $"multi-index ({string.Join(",", index)})");
        }
    }

    [Fact]
    public void Coordinate_partials_and_slices_equal_partials_at_the_shifted_point()
    {
        var (x, y) = Data();
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var at = new double[W.Length * 4];
        for (int j = 0; j < W.Length; j++)
        {
            double moved = W[j] + 0.37 * (j + 1) - 0.9;
            var w2 = (double[])W.Clone();
            w2[j] = moved;
            var fresh = Objective.Glm(x, y, GlmLink.Logistic);
            fresh.PurePartials(w2, 3, at);
            for (int k = 1; k <= 3; k++)
                Approx.Equal(at[j * 4 + k], glm.CoordinatePartial(W, j, moved, k), 1e-12, 1e-14, $"coordinate {j}, order {k}");
            // Unshifted: the cached g^(k)(eta).
            fresh.PurePartials(W, 3, at);
            Approx.Equal(at[j * 4 + 2], glm.CoordinatePartial(W, j, W[j], 2), 1e-14, 0, $"coordinate {j} unshifted");
            Approx.Equal(Direct(x, y, w2), glm.CoordinateSlice(W, j, moved), 1e-12, 0, $"slice {j}");
        }
    }

    private static double[] Soa(double[][] samples, int stride)
    {
        int d = samples[0].Length;
        var data = new double[d * stride];
        for (int s = 0; s < samples.Length; s++)
            for (int j = 0; j < d; j++) data[j * stride + s] = samples[s][j];
        return data;
    }

    [Fact]
    public void Block_methods_equal_the_scalar_ones_bit_for_bit()
    {
        var (x, y) = Data();
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var random = new RandomSource(5);
        var samples = Enumerable.Range(0, 7).Select(_ => W.Select(w => w + random.Normal()).ToArray()).ToArray();
        const int stride = 8, order = 4, d = 5;
        var data = Soa(samples, stride);
        var block = new SampleBlock(data, d, samples.Length, stride);
        var values = new double[stride];
        glm.Values(block, values);
        var partials = new double[(order + 1) * d * stride];
        glm.PurePartials(block, order, partials);
        var shifts = new double[d * stride];
        for (int i = 0; i < shifts.Length; i++) shifts[i] = data[i] + 0.1 * (i % 7) - 0.3;
        var coordinate = new double[d * stride];
        glm.CoordinatePartials(block, shifts, 2, coordinate);
        // Order 1 with every third coordinate unshifted (the resummed rules' E[f'] term) and order 0 (slices).
        var unshifted = (double[])shifts.Clone();
        for (int i = 0; i < unshifted.Length; i += 3) unshifted[i] = data[i];
        var first = new double[d * stride];
        glm.CoordinatePartials(block, unshifted, 1, first);
        var slices = new double[d * stride];
        glm.CoordinatePartials(block, shifts, 0, slices);
        // The fused call (one eta per sample for f and its partials) gives the same numbers as the two calls.
        var fusedValues = new double[stride];
        var fused = new double[(order + 1) * d * stride];
        glm.ValuesAndPurePartials(block, order, fusedValues, fused);

        var reference = Objective.Glm(x, y, GlmLink.Logistic);
        var one = new double[d * (order + 1)];
        for (int s = 0; s < samples.Length; s++)
        {
            Assert.Equal(reference.Value(samples[s]), values[s]);
            Assert.Equal(values[s], fusedValues[s]);
            reference.PurePartials(samples[s], order, one);
            for (int j = 0; j < d; j++)
            {
                for (int k = 1; k <= order; k++)
                {
                    Assert.Equal(one[j * (order + 1) + k], partials[(k * d + j) * stride + s]);
                    Assert.Equal(one[j * (order + 1) + k], fused[(k * d + j) * stride + s]);
                }
                Assert.Equal(reference.CoordinatePartial(samples[s], j, shifts[j * stride + s], 2), coordinate[j * stride + s]);
                Assert.Equal(reference.CoordinatePartial(samples[s], j, unshifted[j * stride + s], 1), first[j * stride + s]);
                Assert.Equal(reference.CoordinateSlice(samples[s], j, shifts[j * stride + s]), slices[j * stride + s]);
            }
        }
    }

    [Fact]
    public void The_links_exponential_is_within_two_ulps_of_Math_Exp_and_zero_only_where_subnormal()
    {
        // x from -708.39 (exp = 2^-1022, the smallest normal) to 0 on a grid with irrational steps, plus the reduction's
        // boundaries (half-integer multiples of ln 2, where k changes) and the ends.
        var points = new List<double> { 0.0, -0.0, -1e-300, -708.39, -Math.Log(2) / 2, -3 * Math.Log(2) / 2 };
        for (double x = -708.39; x < 0; x += 0.0137 * Math.PI) points.Add(x);
        foreach (double x in points)
        {
            double expected = Math.Exp(x), got = FastMath.ExpNonPositive(x);
            Assert.True(Math.Abs(got - expected) <= 2 * Math.BitIncrement(expected) - 2 * expected, $"exp({x:R}) = {got:R}, Math.Exp gives {expected:R}");
        }
        // Where exp(x) is subnormal (or 0) the kernel returns 0: an absolute error under 2^-1022.
        foreach (double x in new[] { -708.8, -720.0, -745.2, -1e5, double.NegativeInfinity })
            Assert.Equal(0.0, FastMath.ExpNonPositive(x));
        Assert.True(double.IsNaN(FastMath.ExpNonPositive(double.NaN)));
        // Lane by lane: a lane's result does not depend on its neighbours.
        var mixed = FastMath.ExpNonPositive(System.Runtime.Intrinsics.Vector256.Create(-1.5, double.NaN, -800.0, -0.25));
        Assert.Equal(FastMath.ExpNonPositive(-1.5), mixed[0]);
        Assert.Equal(FastMath.ExpNonPositive(-0.25), mixed[3]);
    }

    [Fact]
    public void Selected_orders_are_the_full_calls_numbers_and_the_others_are_not_written()
    {
        // The batched Fourier series over the Laplace law reads orders 1, 2, 4, 6, 8 only: the selective call gives those
        // rows the bits of the full call (a fresh objective, so nothing is held from it), leaves the others as they were,
        // and a later full call on the same block fills them in with the full call's bits.
        var (x, y) = Data(rows: 90, features: 31, seed: 4);
        var random = new RandomSource(9);
        var rows = Enumerable.Range(0, 64).Select(_ => random.NextInt(90)).ToArray();
        var full = Objective.Glm(x, y, GlmLink.Logistic);
        var selective = Objective.Glm(x, y, GlmLink.Logistic);
        full.SelectRows(rows);
        selective.SelectRows(rows);
        const int d = 31, count = 50, stride = 64, order = 8;
        ulong orders = (1UL << 1) | (1UL << 2) | (1UL << 4) | (1UL << 6) | (1UL << 8);
        var data = new double[d * stride];
        for (int i = 0; i < data.Length; i++) data[i] = 0.3 * random.Laplace(1.0);
        var block = new SampleBlock(data, d, count, stride);
        var values = new double[stride];
        var partials = new double[(order + 1) * d * stride];
        full.ValuesAndPurePartials(block, order, values, partials);
        var selectedValues = new double[stride];
        var selected = new double[(order + 1) * d * stride];
        Array.Fill(selected, -12345.0);
        selective.ValuesAndPurePartials(block, order, orders, selectedValues, selected);
        for (int s = 0; s < count; s++) Assert.Equal(values[s], selectedValues[s]);
        for (int k = 1; k <= order; k++)
            for (int j = 0; j < d; j++)
                for (int s = 0; s < count; s++)
                    Assert.Equal((orders & (1UL << k)) != 0 ? partials[(k * d + j) * stride + s] : -12345.0, selected[(k * d + j) * stride + s]);
        selective.PurePartials(block, order, selected);
        for (int k = 1; k <= order; k++)
            for (int j = 0; j < d; j++)
                for (int s = 0; s < count; s++) Assert.Equal(partials[(k * d + j) * stride + s], selected[(k * d + j) * stride + s]);
    }

    [Fact]
    public void Block_methods_equal_the_scalar_ones_at_the_benchmarks_shape()
    {
        // 31 features, a mini-batch of 64 rows with repeats, 50 samples in a stride of 64 (the samples' lanes end in a
        // partial vector), orders up to 8, and the resummed rule's calls: f, unshifted f', shifted f''.
        var (x, y) = Data(rows: 90, features: 31, seed: 3);
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var reference = Objective.Glm(x, y, GlmLink.Logistic);
        var random = new RandomSource(8);
        var rows = Enumerable.Range(0, 64).Select(_ => random.NextInt(90)).ToArray();
        glm.SelectRows(rows);
        reference.SelectRows(rows);
        const int d = 31, count = 50, stride = 64, order = 8;
        var samples = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, d).Select(_ => 0.3 * random.Laplace(1.0)).ToArray()).ToArray();
        var data = new double[d * stride];
        for (int s = 0; s < count; s++)
            for (int j = 0; j < d; j++) data[j * stride + s] = samples[s][j];
        var block = new SampleBlock(data, d, count, stride);
        var values = new double[stride];
        var partials = new double[(order + 1) * d * stride];
        glm.ValuesAndPurePartials(block, order, values, partials);
        var blockValues = new double[stride];
        glm.Values(block, blockValues);
        var first = new double[d * stride];
        glm.CoordinatePartials(block, data, 1, first);
        var moved = (double[])data.Clone();
        for (int i = 0; i < moved.Length; i++) moved[i] += 0.2 * random.Laplace(1.0);
        var second = new double[d * stride];
        glm.CoordinatePartials(block, moved, 2, second);
        var one = new double[d * (order + 1)];
        for (int s = 0; s < count; s++)
        {
            Assert.Equal(reference.Value(samples[s]), values[s]);
            Assert.Equal(values[s], blockValues[s]);
            reference.PurePartials(samples[s], order, one);
            for (int j = 0; j < d; j++)
            {
                for (int k = 1; k <= order; k++) Assert.Equal(one[j * (order + 1) + k], partials[(k * d + j) * stride + s]);
                Assert.Equal(reference.CoordinatePartial(samples[s], j, samples[s][j], 1), first[j * stride + s]);
                Assert.Equal(reference.CoordinatePartial(samples[s], j, moved[j * stride + s], 2), second[j * stride + s]);
            }
        }
    }

    [Theory]
    [InlineData(50)]
    [InlineData(57)]
    [InlineData(61)]
    [InlineData(20)]
    [InlineData(3)]
    [InlineData(49)]
    [InlineData(18)]
    [InlineData(2)]
    [InlineData(1)]
    public void Shifted_second_partials_equal_the_scalar_path_for_any_sample_count(int count)
    {
        // The block's order-2 path runs passes of sixteen samples per row and the rest in groups of four, two rows' groups
        // per eight-lane vector (an odd one on four lanes), or, where one or two samples are left (49, 50, 18, 1, 2), eight
        // or four rows' samples to a vector (rows 0-3 and 5-8 consecutive features, 0-3 and 5-8 together not); row 4 unshifted (the product), some samples of row 2 with
        // delta = 0 (the held g''): every entry the scalar path's, bit for bit.
        var (x, y) = Data(rows: 70, features: 9, seed: 21);
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var reference = Objective.Glm(x, y, GlmLink.Logistic);
        var random = new RandomSource((ulong)count);
        int[] rows = [.. Enumerable.Range(0, 37).Select(_ => random.NextInt(70))];
        glm.SelectRows(rows);
        reference.SelectRows(rows);
        const int d = 9, stride = 64;
        var samples = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, d).Select(_ => 0.4 * random.Laplace(1.0)).ToArray()).ToArray();
        var data = new double[d * stride];
        for (int s = 0; s < count; s++)
            for (int j = 0; j < d; j++) data[j * stride + s] = samples[s][j];
        var moved = (double[])data.Clone();
        for (int j = 0; j < d; j++)
            for (int s = 0; s < count; s++)
                if (j != 4 && !(j == 2 && s % 3 == 0)) moved[j * stride + s] += 0.3 * random.Laplace(1.0);
        var second = new double[d * stride];
        glm.CoordinatePartials(new SampleBlock(data, d, count, stride), moved, 2, second);
        for (int s = 0; s < count; s++)
            for (int j = 0; j < d; j++)
                Assert.Equal(reference.CoordinatePartial(samples[s], j, moved[j * stride + s], 2), second[j * stride + s]);
    }

    [Fact]
    public void Repeated_batch_rows_keep_the_shifted_second_partials_of_the_scalar_path()
    {
        // The block's order-2 path computes a repeated row's curvature term once and adds it again in its place; a row
        // three times, repeats next to each other and far apart, then a batch without repeats and every row (the map of
        // repeats must not outlive its batch): every entry the scalar path's, bit for bit.
        var (x, y) = Data(rows: 30, features: 7, seed: 5);
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var reference = Objective.Glm(x, y, GlmLink.Logistic);
        var random = new RandomSource(77);
        const int d = 7, count = 50, stride = 56;
        var data = new double[d * stride];
        var moved = new double[d * stride];
        for (int j = 0; j < d; j++)
            for (int s = 0; s < count; s++)
            {
                data[j * stride + s] = 0.4 * random.Laplace(1.0);
                moved[j * stride + s] = data[j * stride + s] + 0.3 * random.Laplace(1.0);
            }
        int[]?[] batches = [[4, 4, 9, 4, 11, 12, 9, 0, 29, 11, 3, 3], [.. Enumerable.Range(0, 20).Select(n => (7 * n) % 30)], [6, 6, 6, 6, 6], null];
        foreach (var rows in batches)
        {
            if (rows is null) { glm.SelectAllRows(); reference.SelectAllRows(); }
            else { glm.SelectRows(rows); reference.SelectRows(rows); }
            var second = new double[d * stride];
            glm.CoordinatePartials(new SampleBlock(data, d, count, stride), moved, 2, second);
            for (int s = 0; s < count; s++)
            {
                var point = Enumerable.Range(0, d).Select(j => data[j * stride + s]).ToArray();
                for (int j = 0; j < d; j++)
                    Assert.Equal(reference.CoordinatePartial(point, j, moved[j * stride + s], 2), second[j * stride + s]);
            }
        }
    }

    [Fact]
    public void A_mini_batch_is_its_rows_times_N_over_batch()
    {
        var (x, y) = Data(rows: 40);
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        int[] rows = [3, 17, 17, 0, 39, 22, 8];
        glm.SelectRows(rows);
        Assert.Equal(40.0 / 7, glm.Scale);
        Assert.Equal(7, glm.BatchSize);
        double reference = 0;
        var gradient = new double[W.Length];
        var expectedGradient = new double[W.Length];
        var one = new double[W.Length];
        foreach (int n in rows)
        {
            var ridge = Objective.Ridge(e => Jet.LogSigmoid(y[n] > 0 ? e : -e), x[n]);
            reference += ridge.Value(W);
            ridge.Gradient(W, one);
            for (int j = 0; j < W.Length; j++) expectedGradient[j] += 40.0 / 7 * one[j];
        }
        Approx.Equal(40.0 / 7 * reference, glm.Value(W), 1e-13, 0, "batch value");
        glm.Gradient(W, gradient);
        for (int j = 0; j < W.Length; j++) Approx.Equal(expectedGradient[j], gradient[j], 1e-12, 1e-14, $"batch gradient {j}");

        // An explicit scale, then all rows again.
        glm.SelectRows(rows, scale: 1);
        Approx.Equal(reference, glm.Value(W), 1e-13, 0, "scale 1");
        glm.SelectAllRows();
        Approx.Equal(Direct(x, y, W), glm.Value(W), 1e-13, 0, "all rows");
    }

    [Fact]
    public void User_links_by_jets_and_by_callback_agree_with_the_closed_form()
    {
        // Poisson log-likelihood up to a constant: g(y, eta) = y eta - exp(eta); g' = y - e^eta, g^(k) = -e^eta for k >= 2.
        var (x, _) = Data();
        var counts = Enumerable.Range(0, x.Length).Select(n => (double)(n % 4)).ToArray();
        var w = W.Select(v => 0.3 * v).ToArray();
        var byJet = Objective.Glm(x, counts, GlmLink.FromJet((y, eta) => y * eta - Jet.Exp(eta)));
        var byCallback = Objective.Glm(x, counts, GlmLink.FromDerivatives((y, eta, d) =>
        {
            double e = Math.Exp(eta);
            d[0] = y * eta - e;
            if (d.Length > 1) d[1] = y - e;
            for (int k = 2; k < d.Length; k++) d[k] = -e;
        }));
        const int order = 5;
        var a = new double[w.Length * (order + 1)];
        var b = new double[w.Length * (order + 1)];
        byJet.PurePartials(w, order, a);
        byCallback.PurePartials(w, order, b);
        for (int j = 0; j < w.Length; j++)
            for (int k = 1; k <= order; k++)
            {
                double expected = 0;
                for (int n = 0; n < x.Length; n++)
                {
                    double eta = 0;
                    for (int i = 0; i < w.Length; i++) eta += x[n][i] * w[i];
                    double gk = k == 1 ? counts[n] - Math.Exp(eta) : -Math.Exp(eta);
                    expected += Math.Pow(x[n][j], k) * gk;
                }
                Approx.Equal(expected, a[j * (order + 1) + k], 1e-11, 1e-13, $"jet link d^{k}/dw_{j}^{k}");
                Approx.Equal(expected, b[j * (order + 1) + k], 1e-11, 1e-13, $"callback link d^{k}/dw_{j}^{k}");
            }
        Assert.True(byJet.SupportsJets);
        Assert.False(byCallback.SupportsJets);
    }

    [Fact]
    public void Bad_data_is_refused_with_the_row_named()
    {
        double[][] ragged = [[1, 2], [3]];
        var e1 = Assert.Throws<ArgumentException>(() => Objective.Glm(ragged, [0, 1], GlmLink.Logistic));
        Assert.Contains("row 1", e1.Message);
        double[][] nan = [[1, 2], [3, double.NaN]];
        var e2 = Assert.Throws<ArgumentException>(() => Objective.Glm(nan, [0, 1], GlmLink.Logistic));
        Assert.Contains("Feature 1 of data row 1", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => Objective.Glm(new double[,] { { 1 }, { 2 } }, [0, 2], GlmLink.Logistic));
        Assert.Contains("row 1", e3.Message);
        Assert.Contains("0 or 1", e3.Message);
        Assert.Throws<ArgumentException>(() => Objective.Glm(new double[,] { { 1 }, { 2 } }, [0], GlmLink.Logistic));
        var glm = Objective.Glm(new double[,] { { 1 }, { 2 } }, [0, 1], GlmLink.Logistic);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() => glm.SelectRows([0, 2]));
        Assert.Contains("entry 1", e4.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => glm.PurePartials([0.5], 61, new double[62]));
    }

    [Fact]
    public void Jets_through_the_glm_give_its_partials()
    {
        var (x, y) = Data();
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        Assert.True(glm.SupportsJets);
        // Along e_2: the directional derivatives are the pure partials along coordinate 2.
        var direction = new double[W.Length];
        direction[2] = 1;
        var viaJets = new double[5];
        Derivatives.Directional(new GlmJets(glm), W, direction, 4, viaJets);
        var partials = new double[W.Length * 5];
        glm.PurePartials(W, 4, partials);
        for (int k = 0; k <= 4; k++) Approx.Equal(partials[2 * 5 + k], viaJets[k], 1e-11, 1e-13, $"order {k}");
    }

    private readonly struct GlmJets(Objective f) : IJetFunction
    {
        public Jet Evaluate(ReadOnlySpan<Jet> z) => f.Evaluate(z);
    }

    [Fact]
    public void Warm_evaluations_allocate_nothing()
    {
        var (x, y) = Data(rows: 64, features: 5);
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        int[] batch = [1, 5, 9, 33, 60, 2, 2, 7];
        var partials = new double[W.Length * 10];
        var gradient = new double[W.Length];
        var w = (double[])W.Clone();
        var blockData = new double[5 * 8];
        for (int i = 0; i < blockData.Length; i++) blockData[i] = 0.1 * (i % 9) - 0.4;
        var blockPartials = new double[10 * 5 * 8];
        var blockValues = new double[8];
        var blockShifted = new double[5 * 8];
        void Round(int i)
        {
            var block = new SampleBlock(blockData, 5, 7, 8);
            glm.PurePartials(block, 9, blockPartials);
            glm.Values(block, blockValues);
            glm.ValuesAndPurePartials(block, 9, blockValues, blockPartials);
            glm.CoordinatePartials(block, blockData, 2, blockShifted);
            glm.SelectRows(batch);
            w[0] = 0.01 * i;
            glm.Value(w);
            glm.Gradient(w, gradient);
            glm.PurePartials(w, 9, partials);
            glm.CoordinatePartial(w, 3, w[3] + 0.2, 2);
        }
        Round(0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 50; i++) Round(i);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wide_kernels_give_the_four_lane_bits()
    {
        // WideMath (eight lanes, used where AVX-512 is) against FastMath (four lanes) on the same inputs, lane for lane.
        var points = new List<double> { 0.0, -0.0, -1e-300, -708.39, -708.7, -708.8, -745.2, double.NegativeInfinity, double.NaN, -Math.Log(2) / 2 };
        for (double x = -760; x < 0; x += 0.0173 * Math.PI) points.Add(x);
        while (points.Count % 8 != 0) points.Add(-0.5);
        var positive = new List<double> { 5e-324, 1e-310, 2.2250738585072014e-308, 1, 1.4142135623730951, 1.4142135623730954, 2, 1e300, double.MaxValue };
        for (double x = 1e-12; x < 1e12; x *= 1.0371) positive.Add(x);
        while (positive.Count % 8 != 0) positive.Add(3.0);
        void Check(List<double> inputs, Func<Vector512<double>, Vector512<double>> wide, Func<Vector256<double>, Vector256<double>> narrow)
        {
            for (int i = 0; i < inputs.Count; i += 8)
            {
                var w = wide(Vector512.Create([.. inputs.GetRange(i, 8)]));
                var lo = narrow(Vector256.Create([.. inputs.GetRange(i, 4)]));
                var hi = narrow(Vector256.Create([.. inputs.GetRange(i + 4, 4)]));
                for (int l = 0; l < 4; l++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(lo[l]), BitConverter.DoubleToInt64Bits(w[l]));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(hi[l]), BitConverter.DoubleToInt64Bits(w[l + 4]));
                }
            }
        }
        Check(points, WideMath.ExpNonPositive, FastMath.ExpNonPositive);
        Check(positive, WideMath.Log, FastMath.Log);
    }

    [Fact]
    public void Scalar_methods_equal_a_direct_evaluation_bit_for_bit()
    {
        // The experiments' shape (31 features, 64 rows with repeats) and the calls the estimators make: f, the pure
        // partials of orders 1 and 2, the unshifted f' and the shifted f''. The reference is the formula written out here:
        // eta_n by fused multiply-adds over j from 0; m = s eta; e = exp(-|m|) (the link's kernel), r = 1/(1 + e);
        // g = min(m, 0) - log1p(e), g' = s sigmoid(-m), g'' = -sigmoid(m) sigmoid(-m); each partial summed over the rows in
        // order by fused multiply-adds, times the scale; the shifted f'' (GlmKernels' curvature kernel) as -sum x^2 e / (1 + e)^2.
        // It pins the bits of the path the block kernels are tested against.
        var (x, y) = Data(rows: 90, features: 31, seed: 3);
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var random = new RandomSource(8);
        int[] rows = [.. Enumerable.Range(0, 64).Select(_ => random.NextInt(90))];
        glm.SelectRows(rows);
        double scale = 90.0 / 64;
        static double Exp(double v) => FastMath.ExpNonPositive(v);
        static double Ln(double v) => FastMath.Log(Vector256.Create(v)).ToScalar();
        static double CurvatureExp(double v) => GlmKernels.ExpOfMinusAbs(Vector256.Create(v)).ToScalar();
        var partials = new double[31 * 3];
        for (int sample = 0; sample < 20; sample++)
        {
            var w = Enumerable.Range(0, 31).Select(_ => 0.3 * random.Laplace(1.0)).ToArray();
            var eta = new double[64];
            for (int n = 0; n < 64; n++)
                for (int j = 0; j < 31; j++) eta[n] = Math.FusedMultiplyAdd(w[j], x[rows[n]][j], eta[n]);
            double Sign(int n) => y[rows[n]] > 0 ? 1 : -1;
            double value = 0;
            for (int n = 0; n < 64; n++)
            {
                double m = Sign(n) * eta[n], e = Exp(-Math.Abs(m)), t = 1 + e;
                double log1p = t == 1 ? e : Ln(t) * e / (t - 1);
                value += Math.Min(m, 0) - log1p;
            }
            Assert.Equal(scale * value, glm.Value(w));
            glm.PurePartials(w, 2, partials);
            for (int j = 0; j < 31; j++)
            {
                double first = 0, second = 0, shifted = 0, moved = w[j] + 0.2 * random.Laplace(1.0), delta = moved - w[j];
                for (int n = 0; n < 64; n++)
                {
                    double xn = x[rows[n]][j], s = Sign(n), m = s * eta[n], e = Exp(-Math.Abs(m)), r = 1 / (1 + e);
                    double u = m >= 0 ? r : e * r, v = m >= 0 ? e * r : r;
                    first = Math.FusedMultiplyAdd(xn, s * v, first);
                    second = Math.FusedMultiplyAdd(xn * xn, -(u * v * 1.0), second);
                    // The shifted f'': GlmKernels' exponential of -|y|, then x^2 e / (1 + e)^2 added up and negated.
                    double ys = Math.FusedMultiplyAdd(delta, xn, eta[n]), es = CurvatureExp(ys), cs = 1 + es;
                    shifted += xn * xn * es / (cs * cs);
                }
                Assert.Equal(scale * first, partials[j * 3 + 1]);
                Assert.Equal(scale * second, partials[j * 3 + 2]);
                Assert.Equal(scale * first, glm.CoordinatePartial(w, j, w[j], 1));
                Assert.Equal(scale * -shifted, glm.CoordinatePartial(w, j, moved, 2));
            }
        }
    }
}
