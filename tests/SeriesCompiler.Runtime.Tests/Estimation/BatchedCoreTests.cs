using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// The batched core: the same seed gives the same numbers, bit for bit, for every block size and thread count; its
/// estimates agree with the closed form and with the scalar loop (a different stream of draws) within standard errors;
/// one sample works; a prepared session repeats Estimate's numbers and allocates nothing once warm.
/// </summary>
public sealed class BatchedCoreTests
{
    private static readonly Rule Gamma = Rule.From(HandGamma.Instance);

    // E[(z - 0.49)^2] for z ~ Gamma(k, mu) is k mu^2 + (k mu - 0.49)^2 (variance plus squared bias), so
    // d/dk = mu^2 + 2 (k mu - 0.49) mu and d/dmu = 2 k mu + 2 (k mu - 0.49) k.
    private static double[] Exact(double[] theta)
    {
        var g = new double[theta.Length];
        for (int c = 0; c < theta.Length / 2; c++)
        {
            double k = theta[2 * c], mu = theta[2 * c + 1], bias = k * mu - 0.49;
            g[2 * c] = mu * mu + 2 * bias * mu;
            g[2 * c + 1] = 2 * k * mu + 2 * bias * k;
        }
        return g;
    }

    private static readonly double[] Theta = [2.5, 0.7, 1.5, 0.3, 3.5, 1.2, 0.8, 2.0];
    private static Objective Quadratic() => Objective.Sum(z => Jet.Square(z - 0.49));

    public static TheoryData<string> Estimators => ["fourier", "fourier-auto", "pathwise"];

    private static GradientEstimator Make(string which) => which switch
    {
        "fourier" => new FourierEstimator(Gamma, 2),
        "fourier-auto" => new FourierEstimator(Gamma, 4, autoOrder: true),
        "pathwise" => new PathwiseEstimator(Gamma),
        _ => throw new ArgumentException(which),
    };

    [Theory]
    [MemberData(nameof(Estimators))]
    public void Block_size_and_threads_change_no_number(string which)
    {
        var estimator = Make(which);
        // 1000 samples: the last block and the last chunk are partial for every block size.
        var reference = estimator.Estimate(Theta, Quadratic(), 1000, seed: 7, copies: 4, new EstimateOptions { BlockSize = 64 });
        foreach (var options in new[] { new EstimateOptions { BlockSize = 256 }, new EstimateOptions { BlockSize = 1024 },
                     new EstimateOptions { BlockSize = 128, Threads = 3 }, new EstimateOptions { BlockSize = 64, Threads = 4 } })
        {
            var other = estimator.Estimate(Theta, Quadratic(), 1000, seed: 7, copies: 4, options);
            Assert.Equal(reference.Gradient.ToArray(), other.Gradient.ToArray());
            Assert.Equal(reference.StandardError.ToArray(), other.StandardError.ToArray());
            Assert.Equal(reference.Terms.Length, other.Terms.Length);
            for (int n = 0; n < reference.Terms.Length; n++) Assert.Equal(reference.Terms[n].Values.ToArray(), other.Terms[n].Values.ToArray());
        }
        // A different seed draws different numbers (the streams do depend on it).
        var reseeded = estimator.Estimate(Theta, Quadratic(), 1000, seed: 8, copies: 4);
        Assert.NotEqual(reference.Gradient.ToArray(), reseeded.Gradient.ToArray());
    }

    [Theory]
    [MemberData(nameof(Estimators))]
    public void Blocked_estimate_matches_the_closed_form_and_the_scalar_loop(string which)
    {
        var estimator = Make(which);
        var exact = Exact(Theta);
        var blocked = estimator.Estimate(Theta, Quadratic(), 20_000, seed: 3, copies: 4, new EstimateOptions { Threads = 2 });
        var problem = new Problem(Gamma, Theta, 4, Quadratic());
        var scalar = estimator.Run(problem, Quadratic(), 20_000, new RandomSource(3));
        for (int i = 0; i < exact.Length; i++)
        {
            Assert.True(Math.Abs(blocked.Gradient[i] - exact[i]) < 4.5 * blocked.StandardError[i],
                $"{which} slot {i}: {blocked.Gradient[i]} vs exact {exact[i]} (se {blocked.StandardError[i]})");
            double both = Math.Sqrt(blocked.StandardError[i] * blocked.StandardError[i] + scalar.StandardError[i] * scalar.StandardError[i]);
            Assert.True(Math.Abs(blocked.Gradient[i] - scalar.Gradient[i]) < 4.5 * both, $"{which} slot {i}: blocked {blocked.Gradient[i]} vs scalar {scalar.Gradient[i]}");
            // The same law of contributions: standard errors within 10% of each other at 20,000 samples.
            Assert.InRange(blocked.StandardError[i] / scalar.StandardError[i], 0.9, 1.1);
        }
        if (which.StartsWith("fourier", StringComparison.Ordinal)) Assert.Equal(Truncation.Exact, blocked.Truncation); // f''' = 0 everywhere
    }

    [Theory]
    [MemberData(nameof(Estimators))]
    public void One_sample_gives_the_gradient_and_one_sample_estimates_average_to_it(string which)
    {
        var estimator = Make(which);
        var exact = Exact(Theta);
        int seeds = 4000;
        var sum = new double[exact.Length];
        var squares = new double[exact.Length];
        for (ulong seed = 1; seed <= (ulong)seeds; seed++)
        {
            var one = estimator.Estimate(Theta, Quadratic(), 1, seed, copies: 4);
            Assert.False(one.HasStandardError);
            for (int i = 0; i < exact.Length; i++)
            {
                Assert.True(double.IsFinite(one.Gradient[i]));
                sum[i] += one.Gradient[i];
                squares[i] += one.Gradient[i] * one.Gradient[i];
            }
        }
        for (int i = 0; i < exact.Length; i++)
        {
            double mean = sum[i] / seeds, se = Math.Sqrt((squares[i] / seeds - mean * mean) / (seeds - 1));
            Assert.True(Math.Abs(mean - exact[i]) < 4.5 * se, $"{which} slot {i}: {mean} vs {exact[i]} (se {se})");
        }
        // A session with one sample repeats Estimate with one sample.
        var single = estimator.Estimate(Theta, Quadratic(), 1, seed: 11, copies: 4);
        var session = estimator is FourierEstimator { AutoOrder: true } ? null : estimator.Prepare(Theta, Quadratic(), copies: 4);
        if (session is not null)
        {
            var g = new double[8];
            var se = new double[8];
            session.Estimate(1, 11, g, se);
            Assert.Equal(single.Gradient.ToArray(), g);
            Assert.All(se, v => Assert.True(double.IsNaN(v)));
        }
    }

    [Theory]
    [InlineData("fourier")]
    [InlineData("pathwise")]
    public void Session_repeats_Estimate_and_allocates_nothing_once_warm(string which)
    {
        var estimator = Make(which);
        var f = Quadratic();
        var session = estimator.Prepare(Theta, f, copies: 4);
        Assert.Equal(8, session.GradientLength);
        var gradient = new double[8];
        var error = new double[8];
        session.Estimate(1000, 5, gradient, error);
        var plain = estimator.Estimate(Theta, Quadratic(), 1000, seed: 5, copies: 4);
        Assert.Equal(plain.Gradient.ToArray(), gradient);
        Assert.Equal(plain.StandardError.ToArray(), error);
        // Three rounds of 21 calls: an allocation on the hot path shows in every round; a one-off of the runtime's own
        // (a class initialised when tiered compilation swaps in optimised code mid-loop, seen once in a loaded full
        // run) in one round only. So the session must allocate 0 B in at least one whole round.
        var rounds = new long[3];
        for (int round = 0; round < rounds.Length; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) session.Estimate(1000, (ulong)i, gradient, error);
            session.Estimate(1, 1, gradient, error);
            rounds[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(rounds.Min() == 0, $"bytes allocated per round of 21 calls: {string.Join(", ", rounds)}");
    }

    [Fact]
    public void Session_refuses_parameters_whose_coefficients_overflow_and_stays_where_it_was()
    {
        // At order 8, a_{8,k} = mu^8 / 8 is 1e400 at mu = 1e50: not a double, so the series cannot be summed there.
        var estimator = new FourierEstimator(Gamma, 8);
        var session = estimator.Prepare(Theta, Quadratic(), copies: 4);
        var fresh = estimator.Prepare(Theta, Quadratic(), copies: 4);
        double[] other = [1.7, 0.9, 2.5, 0.4, 0.6, 1.1, 3.0, 0.5];
        double[] huge = [.. other];
        huge[5] = 1e50;   // copy 2's mu: copies 0 and 1 are updated before the overflow is met
        session.SetParameters(other);
        session.SetParameters(Theta);
        var e = Assert.Throws<NonFiniteValueException>(() => session.SetParameters(huge));
        Assert.Contains("mu = 1E+50", e.Message);
        var gradient = new double[8];
        var error = new double[8];
        var expected = new double[8];
        var expectedError = new double[8];
        session.Estimate(400, 3, gradient, error);
        fresh.Estimate(400, 3, expected, expectedError);
        Assert.Equal(expected, gradient);
        Assert.Equal(expectedError, error);
    }

    [Theory]
    [InlineData("fourier")]
    [InlineData("pathwise")]
    public void Session_moves_to_new_parameters_in_place_as_a_fresh_session_and_allocates_nothing(string which)
    {
        var estimator = Make(which);
        double[] other = [1.7, 0.9, 2.5, 0.4, 0.6, 1.1, 3.0, 0.5];
        var session = estimator.Prepare(Theta, Quadratic(), copies: 4);
        var fresh = estimator.Prepare(other, Quadratic(), copies: 4);
        var gradient = new double[8];
        var error = new double[8];
        var expected = new double[8];
        var expectedError = new double[8];
        session.Estimate(500, 9, gradient, error);
        session.SetParameters(other);
        session.Estimate(500, 9, gradient, error);
        fresh.Estimate(500, 9, expected, expectedError);
        Assert.Equal(expected, gradient);
        Assert.Equal(expectedError, error);
        // A training loop: new theta, then a gradient, again and again, with nothing allocated.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            session.SetParameters(i % 2 == 0 ? Theta : other);
            session.Estimate(300, (ulong)i, gradient, error);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        // A bad parameter names itself and leaves the session where it was.
        session.SetParameters(other);
        double[] bad = [.. other];
        bad[3] = -1;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => session.SetParameters(bad));
        Assert.Contains("mu", e.Message);
        session.Estimate(500, 9, gradient, error);
        Assert.Equal(expected, gradient);
        Assert.Throws<ArgumentException>(() => session.SetParameters(new double[3]));
    }

    [Fact]
    public void Session_refuses_what_it_does_not_cover()
    {
        var auto = new FourierEstimator(Gamma, 4, autoOrder: true);
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => auto.Prepare(Theta, Quadratic(), copies: 4));
        Assert.Contains("session", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FourierEstimator(Gamma, 2).Prepare(Theta, Quadratic(), 4, new EstimateOptions { BlockSize = 100 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FourierEstimator(Gamma, 2).Estimate(Theta, Quadratic(), 10, 1, 4, new EstimateOptions { Threads = 0 }));
        var session = new FourierEstimator(Gamma, 2).Prepare(Theta, Quadratic(), copies: 4);
        Assert.Throws<ArgumentException>(() => session.Estimate(10, 1, new double[3], new double[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Estimate(0, 1, new double[8], new double[8]));
    }

    [Fact]
    public void Non_finite_f_names_the_sample_for_any_thread_count()
    {
        // log(z - 1) is NaN for z < 1, which Gamma(2.5, 0.7) draws often: the first such sample, whatever the threads.
        var f = Objective.Sum(z => Jet.Log(z - 1.0));
        var one = Assert.Throws<NonFiniteValueException>(() => new FourierEstimator(Gamma, 2).Estimate(Theta, f, 5000, 1, 4, new EstimateOptions { BlockSize = 64 }));
        var four = Assert.Throws<NonFiniteValueException>(() => new FourierEstimator(Gamma, 2).Estimate(Theta, f, 5000, 1, 4, new EstimateOptions { BlockSize = 64, Threads = 4 }));
        Assert.Equal(one.Message, four.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void A_kink_met_on_any_thread_refuses_the_series(int threads)
    {
        // |z - 1| has f'' = 2 delta(z - 1), which jets at the samples miss: order 2 must be refused, as on the scalar loop.
        var f = Objective.Sum(z => Jet.Abs(z - 1.0));
        var ex = Assert.Throws<EstimatorNotApplicableException>(() =>
            new FourierEstimator(Gamma, 2).Estimate(Theta, f, 2000, 1, 4, new EstimateOptions { BlockSize = 64, Threads = threads }));
        Assert.Contains("kink", ex.Message);
    }

    [Fact]
    public void Chunked_moments_agree_with_a_two_pass_reference()
    {
        var random = new RandomSource(42);
        int n = 1000, q = 3;
        var data = new double[q * n];
        for (int i = 0; i < data.Length; i++) data[i] = 1e6 + random.Normal() * (1 + i % q); // a large mean: a naive sum of squares would cancel
        var moments = new ChunkedMoments(q);
        Span<double> mean = stackalloc double[q], m2 = stackalloc double[q];
        // Chunks of 64 read from a structure-of-arrays block of stride n.
        for (int start = 0; start < n; start += 64)
        {
            int count = Math.Min(64, n - start);
            ChunkedMoments.OfChunk(data.AsSpan(start), q, n, count, mean, m2);
            moments.Merge(mean, m2, count);
        }
        for (int j = 0; j < q; j++)
        {
            double m = 0;
            for (int s = 0; s < n; s++) m += data[j * n + s];
            m /= n;
            double v = 0;
            for (int s = 0; s < n; s++) v += (data[j * n + s] - m) * (data[j * n + s] - m);
            v /= n - 1;
            Assert.Equal(m, moments.Mean[j], 1e-9 * Math.Abs(m));
            Assert.Equal(v, moments.Variance(j), 1e-9 * v);
        }
        Assert.Equal(n, moments.Count);
    }

    [Fact]
    public void Chunk_moments_have_the_formulas_bits_and_a_one_chunk_run_those_of_clearing_and_merging()
    {
        // A session's few-sample run puts its chunk's moments straight into the statistics; Clear then Merge is the path
        // they replace, and every bit must be the same (the experiments are rerun on the old path).
        var random = new RandomSource(3);
        foreach (int count in new[] { 1, 2, 7, 64 })
        {
            int q = 7, stride = count + 3;   // one group of four quantities, three on their own
            var data = new double[q * stride];
            for (int i = 0; i < data.Length; i++) data[i] = count == 7 && i % 4 == 0 ? double.NaN : 1e3 * random.Normal();
            var merged = new ChunkedMoments(q);
            merged.Merge([1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 1, 1], 9);   // something to clear
            merged.Clear();
            var mean = new double[q];
            var m2 = new double[q];
            ChunkedMoments.OfChunk(data, q, stride, count, mean, m2);
            merged.Merge(mean, m2, count);
            // The documented formulas written out per quantity, in sample order: OfChunk (four quantities at a time)
            // must give exactly these bits.
            for (int j = 0; j < q; j++)
            {
                double inv = 1.0 / count, first = data[j * stride], sum = 0;
                for (int s = 1; s < count; s++) sum += (data[j * stride + s] - first) * inv;
                double m = count == 1 ? data[j * stride] : first + sum, squares = 0;
                for (int s = 0; s < count; s++) squares += (data[j * stride + s] - m) * (data[j * stride + s] - m);
                if (count == 1) squares = (m - m) * (m - m);
                Assert.Equal(BitConverter.DoubleToInt64Bits(m), BitConverter.DoubleToInt64Bits(mean[j]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(squares), BitConverter.DoubleToInt64Bits(m2[j]));
            }
            var direct = new ChunkedMoments(q);
            direct.Merge([1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 1, 1], 9);
            direct.SetFromChunk(data, stride, count);
            Assert.Equal(merged.Count, direct.Count);
            for (int j = 0; j < q; j++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(merged.Mean[j]), BitConverter.DoubleToInt64Bits(direct.Mean[j]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(merged.M2[j]), BitConverter.DoubleToInt64Bits(direct.M2[j]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(merged.StandardError(j)), BitConverter.DoubleToInt64Bits(direct.StandardError(j)));
            }
        }
    }

    [Fact]
    public void Chunked_moments_of_equal_values_are_exact_even_near_the_double_range()
    {
        // Welford's update keeps equal values' mean exact with M2 = 0; the chunks must too (a running sum of 1e308s overflows).
        var moments = new ChunkedMoments(2);
        var data = new double[2 * 64];
        Array.Fill(data, 1e308, 0, 64);
        Array.Fill(data, 0.1, 64, 64);
        Span<double> mean = stackalloc double[2], m2 = stackalloc double[2];
        foreach (int count in new[] { 64, 40, 64 })
        {
            ChunkedMoments.OfChunk(data, 2, 64, count, mean, m2);
            moments.Merge(mean, m2, count);
        }
        Assert.Equal(1e308, moments.Mean[0]);
        Assert.Equal(0.1, moments.Mean[1]);
        Assert.Equal(0, moments.StandardError(0));
        Assert.Equal(0, moments.StandardError(1));
    }

    [Fact]
    public void Streams_are_set_in_place_and_depend_on_seed_and_index()
    {
        var a = new RandomSource(0);
        var b = new RandomSource(99);
        a.SetStream(5, 17);
        b.SetStream(5, 17);
        for (int i = 0; i < 10; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        a.SetStream(5, 18);
        b.SetStream(6, 17);
        Assert.NotEqual(a.NextUInt64(), b.NextUInt64());
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong i = 0; i < 100; i++) a.SetStream(1, i);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
