using System.Runtime.Intrinsics;
using MathNet.Numerics.Distributions;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// The four-lane (Vector256) samplers: uniforms bit for bit those of the scalar streams, each element independent of the
/// lane and fill it falls in, and every law's first two moments (within 4.5 standard errors, fixed seeds) and CDF
/// (Kolmogorov-Smirnov at the 0.1% level, references from MathNet) right.
/// </summary>
public sealed class LaneSamplerTests
{
    private const int N = 200_000;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Uniforms_are_the_scalar_streams_bit_for_bit(int length)
    {
        var lanes = new double[length];
        LaneSampler.Uniform(lanes, seed: 5, first: 3);
        var scalar = new RandomSource(0);
        for (int i = 0; i < length; i++)
        {
            scalar.SetStream(5, 3 + (ulong)i);
            Assert.Equal(scalar.NextDouble(), lanes[i]);
        }
    }

    [Theory]
    [InlineData("normal")]
    [InlineData("gamma")]
    [InlineData("gamma-small")]
    [InlineData("poisson")]
    public void An_element_does_not_depend_on_its_lane_or_fill(string law)
    {
        // Elements 5..12 of a fill from 0 and elements 0..7 of a fill from 5: the same streams, other lanes around them.
        var whole = new double[13];
        var part = new double[8];
        Fill(law, whole, 0);
        Fill(law, part, 5);
        Assert.Equal(whole.AsSpan(5).ToArray(), part);
    }

    private static void Fill(string law, Span<double> destination, ulong first)
    {
        switch (law)
        {
            case "normal": LaneSampler.Normal(destination, 9, first); break;
            case "gamma": LaneSampler.Gamma(destination, 2.5, 9, first); break;
            case "gamma-small": LaneSampler.Gamma(destination, 0.3, 9, first); break;
            default: LaneSampler.Poisson(destination, 3.7, 9, first); break;
        }
    }

    // |mean(x^m) - E[x^m]| within 4.5 standard errors of the sample (m = 1, 2).
    private static void Moments(double[] x, double mean, double secondMoment, string what)
    {
        foreach (var (m, expected) in new[] { (1, mean), (2, secondMoment) })
        {
            double sum = 0, squares = 0;
            foreach (double v in x)
            {
                double p = m == 1 ? v : v * v;
                sum += p;
                squares += p * p;
            }
            double average = sum / x.Length, se = Math.Sqrt((squares / x.Length - average * average) / (x.Length - 1));
            Assert.True(Math.Abs(average - expected) < 4.5 * se, $"{what}: E[x^{m}] = {average} vs {expected} (se {se})");
        }
    }

    // Kolmogorov-Smirnov: sqrt(n) D below 1.95 (the 0.1% point of Kolmogorov's distribution).
    private static void Cdf(double[] x, Func<double, double> cdf, string what)
    {
        var sorted = (double[])x.Clone();
        Array.Sort(sorted);
        double d = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            double f = cdf(sorted[i]);
            d = Math.Max(d, Math.Max(f - (double)i / sorted.Length, (double)(i + 1) / sorted.Length - f));
        }
        Assert.True(Math.Sqrt(sorted.Length) * d < 1.95, $"{what}: sqrt(n) D = {Math.Sqrt(sorted.Length) * d}");
    }

    [Fact]
    public void Uniform_and_exponential()
    {
        var x = new double[N];
        LaneSampler.Uniform(x, 1);
        Moments(x, 0.5, 1.0 / 3, "uniform");
        Cdf(x, u => u, "uniform");
        LaneSampler.Exponential(x, 2);
        Moments(x, 1, 2, "exponential"); // E[E^2] = 2
        Cdf(x, v => 1 - Math.Exp(-v), "exponential");
    }

    [Fact]
    public void Normal_and_laplace()
    {
        var x = new double[N];
        LaneSampler.Normal(x, 3);
        Moments(x, 0, 1, "normal");
        Cdf(x, v => Normal.CDF(0, 1, v), "normal");
        LaneSampler.Laplace(x, 2.0, 4);
        Moments(x, 0, 8, "laplace"); // variance 2 b^2
        Cdf(x, v => Laplace.CDF(0, 2, v), "laplace");
    }

    [Fact]
    public void Gamma_with_the_Box_Muller_spare_carried_from_draw_to_draw()
    {
        // The batched core's form (LaneDrawer): a run of GammaMasked calls on the same streams, each pair's sine half the
        // next draw's normal. Four shapes side by side (one boosted), 10^6 draws each, every seventh call with lane 1
        // masked off. Each lane's first four central moments about the exact mean k must be those of Gamma(k, 1):
        // E(X-k)^2 = k, E(X-k)^3 = 2k, E(X-k)^4 = 3k^2 + 6k, within 5 standard errors of the sample; the two halves of a
        // pair are independent, so neighbouring draws must not correlate; and a masked lane must not move (lane 1's draws
        // are those of its stream drawn alone with the same carried spare).
        const int n = 1_000_000;
        double[] shapes = [0.3, 1.0, 2.5, 7.0];
        var shape = Vector256.Create(shapes[0], shapes[1], shapes[2], shapes[3]);
        var partial = Vector256.Create(~0UL, 0, ~0UL, ~0UL);
        var lanes = default(RandomLanes);
        lanes.SetStreams(21, 0);
        var spare = Vector256<double>.Zero;
        var hasSpare = Vector256<ulong>.Zero;
        var x = new double[4][];
        for (int l = 0; l < 4; l++) x[l] = new double[n];
        var laneOne = new List<double>();
        int[] filled = new int[4];
        for (int call = 0; filled.Min() < n; call++)
        {
            var mask = call % 7 == 6 ? partial : Vector256<ulong>.AllBitsSet;
            var g = lanes.GammaMasked(shape, mask, ref spare, ref hasSpare);
            for (int l = 0; l < 4; l++)
            {
                if (mask[l] == 0) continue;
                if (filled[l] < n) x[l][filled[l]++] = g[l];
                if (l == 1 && laneOne.Count < 1000) laneOne.Add(g[l]);
            }
        }
        for (int l = 0; l < 4; l++)
        {
            double k = shapes[l];
            foreach (var (m, exact) in new[] { (1, 0.0), (2, k), (3, 2 * k), (4, 3 * k * k + 6 * k) })
            {
                double sum = 0, squares = 0;
                foreach (double v in x[l])
                {
                    double p = Math.Pow(v - k, m);
                    sum += p;
                    squares += p * p;
                }
                double average = sum / n, se = Math.Sqrt((squares / n - average * average) / (n - 1));
                Assert.True(Math.Abs(average - exact) < 5 * se, $"lane {l}, gamma({k}): E(X-k)^{m} = {average} vs {exact} (se {se})");
            }
            // Lag-one correlation of consecutive draws (a cosine half, then its sine half): 0 within 5/sqrt(n).
            double c = 0;
            for (int i = 0; i + 1 < n; i++) c += (x[l][i] - k) * (x[l][i + 1] - k);
            double correlation = c / (n - 1) / k;
            Assert.True(Math.Abs(correlation) < 5 / Math.Sqrt(n), $"lane {l}, gamma({k}): lag-one correlation {correlation}");
            Assert.All(x[l], v => Assert.True(v > 0));
        }
        var alone = default(RandomLanes);
        alone.SetStreams(21, 0);
        var aloneSpare = Vector256<double>.Zero;
        var aloneHas = Vector256<ulong>.Zero;
        for (int i = 0; i < 1000; i++) Assert.Equal(laneOne[i], alone.GammaMasked(shape, Vector256<ulong>.AllBitsSet, ref aloneSpare, ref aloneHas)[1]);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    [InlineData(50.0)]
    public void Gamma_by_vectorised_rejection(double shape)
    {
        var x = new double[N];
        LaneSampler.Gamma(x, shape, 6);
        Moments(x, shape, shape * (shape + 1), $"gamma({shape})"); // E[X^2] = k (k + 1)
        Cdf(x, v => Gamma.CDF(shape, 1, v), $"gamma({shape})");
        Assert.All(x, v => Assert.True(v > 0));
    }

    [Fact]
    public void Gamma_with_a_shape_per_lane_and_masked_lanes()
    {
        // GammaMasked, as the batched core calls it: four shapes side by side (one below 1, boosted), and every third
        // call with lane 2 masked off. Each lane's draws must follow its own Gamma(k_l, 1) law (KS, moments), and a
        // masked lane must not move: lane 2's draws are those of the same stream drawn without the masked calls.
        double[] shapes = [0.3, 1.0, 2.5, 7.0];
        var shape = Vector256.Create(shapes[0], shapes[1], shapes[2], shapes[3]);
        var partial = Vector256.Create(~0UL, ~0UL, 0, ~0UL);
        var lanes = default(RandomLanes);
        lanes.SetStreams(11, 0);
        var x = new double[4][];
        for (int l = 0; l < 4; l++) x[l] = new double[N];
        var laneTwo = new List<double>();
        int[] filled = new int[4];
        for (int call = 0; filled.Min() < N; call++)
        {
            var mask = call % 3 == 2 ? partial : Vector256<ulong>.AllBitsSet;
            var g = lanes.GammaMasked(shape, mask);
            for (int l = 0; l < 4; l++)
            {
                if (mask[l] == 0) continue;
                if (filled[l] < N) x[l][filled[l]++] = g[l];
                if (l == 2) laneTwo.Add(g[l]);
            }
        }
        for (int l = 0; l < 4; l++)
        {
            double k = shapes[l];
            Moments(x[l], k, k * (k + 1), $"lane {l}: gamma({k})");
            Cdf(x[l], v => Gamma.CDF(k, 1, v), $"lane {l}: gamma({k})");
        }
        var alone = default(RandomLanes);
        alone.SetStreams(11, 0);
        for (int i = 0; i < 1000; i++) Assert.Equal(laneTwo[i], alone.GammaMasked(shape, Vector256<ulong>.AllBitsSet)[2]);
    }

    [Theory]
    [InlineData(0.4)]
    [InlineData(3.7)]
    [InlineData(45.0)]
    public void Poisson_counts(double rate)
    {
        var x = new double[N];
        LaneSampler.Poisson(x, rate, 7);
        Moments(x, rate, rate * (rate + 1), $"poisson({rate})"); // E[X^2] = rate + rate^2
        // P(X = k) at the mode and next to it, each within 4.5 binomial standard errors.
        int mode = (int)Math.Floor(rate);
        for (int k = Math.Max(0, mode - 1); k <= mode + 1; k++)
        {
            double p = Poisson.PMF(rate, k), frequency = x.Count(v => v == k) / (double)N;
            Assert.True(Math.Abs(frequency - p) < 4.5 * Math.Sqrt(p * (1 - p) / N), $"poisson({rate}) P(X = {k}) = {frequency} vs {p}");
        }
        Assert.All(x, v => Assert.True(v >= 0 && v == Math.Floor(v)));
    }

    [Fact]
    public void The_resummed_gamma_shift_law()
    {
        // U E with U ~ U(0, 1), E ~ Exp(1) independent: E[UE] = 1/2, E[(UE)^2] = E[U^2] E[E^2] = (1/3) 2 = 2/3.
        var x = new double[N];
        LaneSampler.UniformTimesExponential(x, 8);
        Moments(x, 0.5, 2.0 / 3, "U Exp");
        // CDF: P(UE > x) = int_0^1 P(E > x/u) du = int_0^1 e^{-x/u} du, by Simpson's rule (the integrand is smooth, and
        // flat at u = 0) on a grid of x every 0.01 up to 40, interpolated linearly (error far below the KS threshold 0.004).
        const double step = 0.01;
        var tail = new double[4001];
        for (int i = 0; i < tail.Length; i++)
        {
            double at = i * step, sum = 0;
            const int m = 1000;
            for (int j = 0; j <= m; j++)
            {
                double u = (double)j / m, w = j == 0 || j == m ? 1 : j % 2 == 1 ? 4 : 2;
                sum += w * (u == 0 ? (at == 0 ? 1 : 0) : Math.Exp(-at / u));
            }
            tail[i] = sum / (3.0 * m);
        }
        Cdf(x, v =>
        {
            double position = v / step;
            if (position >= tail.Length - 1) return 1;
            int i = (int)position;
            return 1 - (tail[i] + (position - i) * (tail[i + 1] - tail[i]));
        }, "U Exp");
    }

    [Fact]
    public void Fills_allocate_nothing_once_warm()
    {
        var x = new double[1001];
        LaneSampler.Gamma(x, 2.5, 1);
        LaneSampler.Normal(x, 1);
        LaneSampler.Uniform(x, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        LaneSampler.Gamma(x, 2.5, 2);
        LaneSampler.Normal(x, 2);
        LaneSampler.Uniform(x, 2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Bad_parameters_are_refused_with_their_bounds()
    {
        var x = new double[4];
        Assert.Contains("shape", Assert.Throws<ArgumentOutOfRangeException>(() => LaneSampler.Gamma(x, -1, 1)).Message);
        Assert.Contains("rate", Assert.Throws<ArgumentOutOfRangeException>(() => LaneSampler.Poisson(x, double.NaN, 1)).Message);
    }
}
