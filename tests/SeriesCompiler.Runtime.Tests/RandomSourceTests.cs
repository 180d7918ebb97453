using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

public sealed class RandomSourceTests
{
    private const int Draws = 100_000;

    [Fact]
    public void Stream_matches_an_independent_reference_implementation()
    {
        // Values from a separate Python implementation of SplitMix64 seeding + xoshiro256** 1.0.
        var r = new RandomSource(1);
        Assert.Equal(0xb3f2af6d0fc710c5UL, r.NextUInt64());
        Assert.Equal(0x853b559647364ceaUL, r.NextUInt64());
        Assert.Equal(0x92f89756082a4514UL, r.NextUInt64());
        Assert.Equal(0x642e1c7bc266a3a7UL, r.NextUInt64());
        Assert.Equal(0xb27a48e29a233673UL, r.NextUInt64());
        var s = new RandomSource(12345);
        Assert.Equal(0xbe6a36374160d49bUL, s.NextUInt64());
        var u = new RandomSource(1);
        Assert.Equal(0.7029218331588505, u.NextDouble());
        Assert.Equal(0.520436619938857, u.NextDouble());
    }

    [Fact]
    public void Jump_advances_by_two_to_the_128()
    {
        // Reference: the state after Jump() equals T^(2^128) applied to the seed-1 state, with the
        // 256x256 GF(2) transition matrix T squared 128 times in Python (independent of the jump polynomial).
        var r = new RandomSource(1);
        r.Jump();
        Assert.Equal(0x332802f81eaae9d0UL, r.NextUInt64());
        Assert.Equal(0x02d18d7749b84f96UL, r.NextUInt64());
        Assert.Equal(0xc3729a527851f63dUL, r.NextUInt64());
    }

    [Fact]
    public void Same_seed_same_numbers_and_streams_are_reproducible()
    {
        var a = new RandomSource(42);
        var b = new RandomSource(42);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(a.Normal(), b.Normal());
            Assert.Equal(a.Gamma(0.7), b.Gamma(0.7));
            Assert.Equal(a.Poisson(25), b.Poisson(25));
        }
        Assert.Equal(new RandomSource(7).Stream(3).NextUInt64(), new RandomSource(7).Stream(3).NextUInt64());
        var advanced = new RandomSource(7);
        advanced.NextUInt64();
        Assert.Equal(new RandomSource(7).Stream(3).NextUInt64(), advanced.Stream(3).NextUInt64()); // position-independent
        Assert.NotEqual(new RandomSource(7).Stream(3).NextUInt64(), new RandomSource(7).Stream(4).NextUInt64());
        var parent = new RandomSource(9);
        var child = parent.Split();
        Assert.Equal(new RandomSource(9).NextUInt64(), child.NextUInt64()); // the child continues the stream
    }

    [Fact]
    public void Streams_and_splits_are_uncorrelated()
    {
        var root = new RandomSource(2024);
        var s0 = root.Stream(0);
        var s1 = root.Stream(1);
        var child = root.Split();
        var prod01 = new ScalarWelford();
        var prodSplit = new ScalarWelford();
        for (int i = 0; i < Draws; i++)
        {
            double a = s0.NextDouble() - 0.5, b = s1.NextDouble() - 0.5, c = child.NextDouble() - 0.5, d = root.NextDouble() - 0.5;
            prod01.Add(a * b);
            prodSplit.Add(c * d);
        }
        // E[ab] = 0 for independent centred uniforms; sd of ab is 1/12.
        Assert.InRange(prod01.Mean, -5.0 / 12 / Math.Sqrt(Draws), 5.0 / 12 / Math.Sqrt(Draws));
        Assert.InRange(prodSplit.Mean, -5.0 / 12 / Math.Sqrt(Draws), 5.0 / 12 / Math.Sqrt(Draws));
    }

    // Sample mean within 5 standard errors of the exact mean; sample variance within 5 standard
    // errors of the exact variance, with SE(variance) = sqrt((mu4 - sigma^4) / n) from the sample's
    // fourth central moment.
    private static void CheckMoments(Func<double> draw, double mean, double variance, string what)
    {
        var samples = new double[Draws];
        for (int i = 0; i < Draws; i++) samples[i] = draw();
        double m = samples.Average();
        double v = 0, m4 = 0;
        foreach (double x in samples)
        {
            double d = x - m;
            v += d * d;
            m4 += d * d * d * d;
        }
        v /= Draws - 1;
        m4 /= Draws;
        double seMean = Math.Sqrt(variance / Draws);
        double seVar = Math.Sqrt(Math.Max(m4 - v * v, 1e-300) / Draws);
        Assert.True(Math.Abs(m - mean) <= 5 * seMean, $"{what}: mean {m} vs {mean} (SE {seMean:E2})");
        Assert.True(Math.Abs(v - variance) <= 5 * seVar, $"{what}: variance {v} vs {variance} (SE {seVar:E2})");
    }

    [Fact]
    public void Continuous_samplers_have_the_right_moments()
    {
        var r = new RandomSource(11);
        CheckMoments(r.NextDouble, 0.5, 1.0 / 12, "uniform");
        CheckMoments(r.Normal, 0, 1, "normal");
        CheckMoments(() => r.Normal(3, 2), 3, 4, "normal(3,2)");
        CheckMoments(r.Exponential, 1, 1, "exponential");
        CheckMoments(() => r.Laplace(1.5), 0, 2 * 1.5 * 1.5, "laplace");
        foreach (double k in new[] { 0.05, 0.3, 1.0, 2.5, 7.0, 150.0 })
            CheckMoments(() => r.Gamma(k), k, k, $"gamma({k})");
        CheckMoments(() => r.Gamma(2.5, 3.0), 7.5, 22.5, "gamma(2.5, scale 3)");
        foreach (var (a, b) in new[] { (0.5, 0.5), (2.0, 5.0), (0.2, 3.0), (30.0, 10.0) })
        {
            double mean = a / (a + b), variance = a * b / ((a + b) * (a + b) * (a + b + 1));
            CheckMoments(() => r.Beta(a, b), mean, variance, $"beta({a},{b})");
        }
    }

    [Fact]
    public void Uniforms_stay_inside_the_open_interval()
    {
        var r = new RandomSource(3);
        double min = 1, max = 0;
        for (int i = 0; i < Draws; i++)
        {
            double u = r.NextDouble();
            min = Math.Min(min, u);
            max = Math.Max(max, u);
        }
        Assert.True(min > 0 && max < 1);
        Assert.True(double.IsFinite(Math.Log(0.5 / (1UL << 53))));
    }

    [Fact]
    public void Gamma_and_normal_pass_a_kolmogorov_smirnov_test()
    {
        var r = new RandomSource(5);
        KolmogorovSmirnov(() => r.Gamma(0.3), x => MathNet.Numerics.SpecialFunctions.GammaLowerRegularized(0.3, x), "gamma(0.3)");
        KolmogorovSmirnov(() => r.Gamma(4.5), x => MathNet.Numerics.SpecialFunctions.GammaLowerRegularized(4.5, x), "gamma(4.5)");
        KolmogorovSmirnov(r.Normal, x => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-x / Math.Sqrt(2)), "normal");
        KolmogorovSmirnov(() => r.Beta(0.5, 2), x => MathNet.Numerics.SpecialFunctions.BetaRegularized(0.5, 2, x), "beta(0.5,2)");
    }

    // sqrt(n) D < 1.95 holds with probability 0.999 under the null.
    private static void KolmogorovSmirnov(Func<double> draw, Func<double, double> cdf, string what)
    {
        const int n = 20_000;
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = draw();
        Array.Sort(x);
        double d = 0;
        for (int i = 0; i < n; i++)
        {
            double f = cdf(x[i]);
            d = Math.Max(d, Math.Max(f - (double)i / n, (double)(i + 1) / n - f));
        }
        Assert.True(Math.Sqrt(n) * d < 1.95, $"{what}: KS statistic sqrt(n) D = {Math.Sqrt(n) * d:F3}");
    }

    [Fact]
    public void Poisson_matches_mean_variance_and_probabilities()
    {
        var r = new RandomSource(17);
        foreach (double rate in new[] { 0.5, 3.0, 9.99, 10.0, 37.5, 1000.0 })
        {
            CheckMoments(() => r.Poisson(rate), rate, rate, $"poisson({rate})");
            // Frequencies of every value with an expected count >= 200 within 5 binomial SEs.
            var counts = new Dictionary<double, int>();
            for (int i = 0; i < Draws; i++)
            {
                double k = r.Poisson(rate);
                counts[k] = counts.GetValueOrDefault(k) + 1;
            }
            for (long k = 0; k < rate + 10 * Math.Sqrt(rate) + 10; k++)
            {
                double p = Math.Exp(-rate + k * Math.Log(rate) - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1));
                double expected = p * Draws;
                if (expected < 200) continue;
                double se = Math.Sqrt(Draws * p * (1 - p));
                int observed = counts.GetValueOrDefault(k);
                Assert.True(Math.Abs(observed - expected) <= 5 * se, $"poisson({rate}) P({k}): {observed} vs {expected:F1}");
            }
        }
        Assert.Equal(0, r.Poisson(0));
    }

    [Fact]
    public void Bernoulli_and_categorical_frequencies()
    {
        var r = new RandomSource(23);
        CheckMoments(() => r.Bernoulli(0.3) ? 1 : 0, 0.3, 0.21, "bernoulli(0.3)");
        double[] weights = [0.5, 0, 2.0, 1.0, 0.25]; // unnormalized, with an impossible category
        double total = weights.Sum();
        var counts = new int[weights.Length];
        for (int i = 0; i < Draws; i++) counts[r.Categorical(weights)]++;
        Assert.Equal(0, counts[1]);
        for (int i = 0; i < weights.Length; i++)
        {
            double p = weights[i] / total;
            double se = Math.Sqrt(Draws * p * (1 - p));
            Assert.True(Math.Abs(counts[i] - Draws * p) <= 5 * se + 1e-9, $"category {i}: {counts[i]} vs {Draws * p}");
        }
        var bounded = new int[7];
        for (int i = 0; i < 70_000; i++) bounded[r.NextInt(7)]++;
        foreach (int c in bounded) Assert.InRange(c, 10_000 - 5 * 93, 10_000 + 5 * 93);
    }

    [Fact]
    public void Invalid_parameters_throw()
    {
        var r = new RandomSource(1);
        Assert.Equal("shape", Assert.Throws<ArgumentOutOfRangeException>(() => r.Gamma(0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Poisson(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Beta(1, 0));
        Assert.Throws<ArgumentException>(() => r.Categorical([0.0, 0.0]));
    }
}
