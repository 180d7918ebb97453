using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Special;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>
/// Issue 18, item 5: samplers for every representable parameter value. Poisson and binomial in O(1) expected time at
/// any rate and n (PTRS, BTRD in doubles), gamma at extreme shapes; moments are checked on standardised draws
/// <c>(x - mean)/sd</c>, so that sums of huge values do not round, and frequencies against the exact pmf.
/// </summary>
public sealed class ExtremeSamplerTests
{
    private const int Draws = 20_000;

    // Mean 0 and variance 1 of (x - mean)/sd, each within 5 standard errors.
    private static void Standardised(Func<double> draw, double mean, double sd, string what)
    {
        double sum = 0, squares = 0, fourth = 0;
        for (int i = 0; i < Draws; i++)
        {
            double y = (draw() - mean) / sd;
            Assert.True(double.IsFinite(y), $"{what}: draw not finite");
            sum += y;
            squares += y * y;
            fourth += y * y * y * y;
        }
        double m = sum / Draws, v = squares / Draws - m * m, seVar = Math.Sqrt(Math.Max(fourth / Draws - v * v, 1e-12) / Draws);
        Assert.True(Math.Abs(m) <= 5 / Math.Sqrt(Draws), $"{what}: standardised mean {m}");
        Assert.True(Math.Abs(v - 1) <= 5 * seVar, $"{what}: standardised variance {v} (SE {seVar})");
    }

    [Theory]
    [InlineData(1e6)]
    [InlineData(1e12)]
    [InlineData(1e18)]
    [InlineData(1e30)]
    public void Poisson_at_huge_rates_has_the_right_moments(double rate)
    {
        var r = new RandomSource(21);
        Standardised(() => r.Poisson(rate), rate, Math.Sqrt(rate), $"poisson({rate})");
    }

    [Theory]
    [InlineData(1e15, 0.3)]
    [InlineData(1e15, 0.9)]
    [InlineData(1e15, 2e-14)]
    [InlineData(1e15, 5e-15)]
    [InlineData(9007199254740992.0, 0.5)]
    [InlineData(1000, 0.3)]
    [InlineData(30, 0.2)]
    public void Binomial_at_any_n_has_the_right_moments(double n, double p)
    {
        var r = new RandomSource(22);
        Standardised(() => r.Binomial(n, p), n * p, Math.Sqrt(n * p * (1 - p)), $"binomial({n}, {p})");
    }

    [Theory]
    [InlineData(50, 0.4)]   // BTRD (np = 20)
    [InlineData(400, 0.05)] // BTRD near its threshold
    [InlineData(12, 0.3)]   // inversion
    public void Binomial_frequencies_match_the_exact_pmf(int n, double p)
    {
        var r = new RandomSource(23);
        const int draws = 200_000;
        var counts = new int[n + 1];
        for (int i = 0; i < draws; i++) counts[(int)r.Binomial(n, p)]++;
        for (int k = 0; k <= n; k++)
        {
            double pk = Math.Exp(SpecialFunctions.LogGamma(n + 1) - SpecialFunctions.LogGamma(k + 1) - SpecialFunctions.LogGamma(n - k + 1) + k * Math.Log(p) + (n - k) * Math.Log(1 - p));
            double se = Math.Sqrt(pk * (1 - pk) / draws);
            Assert.True(Math.Abs(counts[k] / (double)draws - pk) <= 5 * se + 1e-6, $"binomial({n}, {p}): P({k}) = {counts[k] / (double)draws} vs {pk}");
        }
    }

    [Theory]
    [InlineData(30.0)]
    [InlineData(1e4)]
    public void Poisson_frequencies_match_the_exact_pmf(double rate)
    {
        var r = new RandomSource(24);
        const int draws = 200_000;
        var counts = new Dictionary<double, int>();
        for (int i = 0; i < draws; i++)
        {
            double k = r.Poisson(rate);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }
        double sd = Math.Sqrt(rate);
        for (double k = Math.Floor(rate - 3 * sd); k <= rate + 3 * sd; k += Math.Max(1, Math.Floor(sd / 4)))
        {
            double pk = Math.Exp(-rate + k * Math.Log(rate) - SpecialFunctions.LogGamma(k + 1));
            double se = Math.Sqrt(pk * (1 - pk) / draws);
            Assert.True(Math.Abs(counts.GetValueOrDefault(k) / (double)draws - pk) <= 5 * se + 1e-6, $"poisson({rate}): P({k})");
        }
    }

    [Theory]
    [InlineData(100.0)]
    [InlineData(1e4)]
    [InlineData(1e8)]
    public void The_stable_poisson_log_pmf_agrees_with_the_direct_formula(double rate)
    {
        // At moderate rates the direct -rate + k log rate - log k! is accurate to ~1e-12 relative; the stable form must match it.
        double sd = Math.Sqrt(rate);
        for (double k = Math.Max(16, Math.Floor(rate - 6 * sd)); k <= rate + 6 * sd; k += Math.Max(1, Math.Floor(sd / 3)))
        {
            double direct = -rate + k * Math.Log(rate) - SpecialFunctions.LogGamma(k + 1);
            double stable = RandomSource.LogPoissonProbability(k, rate);
            Assert.True(Math.Abs(stable - direct) <= 1e-13 * (rate * Math.Abs(Math.Log(rate)) + 1) + 1e-9, $"rate {rate}, k {k}: {stable} vs {direct}");
        }
    }

    [Fact]
    public void Gamma_at_extreme_shapes_gives_finite_non_negative_draws_of_the_right_size()
    {
        var r = new RandomSource(25);
        Standardised(() => r.Gamma(1e20), 1e20, 1e10, "gamma(1e20)");
        for (int i = 0; i < 1000; i++)
        {
            double big = r.Gamma(1e308);
            Assert.True(double.IsFinite(big) && Math.Abs(big / 1e308 - 1) < 1e-12, $"gamma(1e308) = {big}");
            double tiny = r.Gamma(1e-300);
            Assert.True(tiny >= 0 && double.IsFinite(tiny), $"gamma(1e-300) = {tiny}");
        }
        // Gamma(k) for tiny k is below e^{-745} (0 in doubles) with probability about 1 - 745 k: at k = 1e-300, always.
        Assert.Equal(0, r.Gamma(1e-300));
    }

    [Fact]
    public void Binomial_beyond_2_to_the_53_is_refused_with_the_bound()
    {
        var r = new RandomSource(26);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => r.Binomial(1e16, 0.5));
        Assert.Contains("2^53", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Binomial(10.5, 0.5));
    }

    [Fact]
    public void Poisson_and_binomial_draws_take_constant_time_at_huge_parameters()
    {
        var r = new RandomSource(27);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double sink = 0;
        for (int i = 0; i < 100_000; i++) sink += r.Poisson(1e18) + r.Binomial(1e15, 0.3);
        Assert.True(double.IsFinite(sink));
        Assert.True(clock.Elapsed.TotalSeconds < 5, $"200k draws took {clock.Elapsed.TotalSeconds} s");
    }
}

/// <summary>Issue 18, item 4: a stencil's error estimate bounds its actual error and grows with the order.</summary>
public sealed class StencilErrorScaleTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void The_estimate_is_not_below_the_actual_error_on_exp(int m)
    {
        // f = exp(-z) at z = 0.3: f^(m) = (-1)^m exp(-0.3) exactly; |f| / max(1, |z|)^m = exp(-0.3).
        Span<double> d = stackalloc double[m + 1];
        Differentiation.Derivatives.FromStencil(x => Math.Exp(-x), 0.3, m, d);
        double actual = Math.Abs(d[m] - (m % 2 == 0 ? 1 : -1) * Math.Exp(-0.3));
        double estimate = Differentiation.Derivatives.StencilErrorScale(m) * Math.Exp(-0.3);
        Assert.True(actual <= 3 * estimate, $"m = {m}: actual {actual}, estimate {estimate}");
    }

    [Fact]
    public void The_estimate_grows_to_useless_at_high_order()
    {
        Assert.True(Differentiation.Derivatives.StencilErrorScale(2) < 1e-8);
        Assert.True(Differentiation.Derivatives.StencilErrorScale(16) > 1e-3);
        Assert.True(Differentiation.Derivatives.StencilErrorScale(32) > 1);
    }
}
