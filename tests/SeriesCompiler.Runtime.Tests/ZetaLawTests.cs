using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>
/// The pole-index sampler of the pole-expansion rules: its pmf against k^-s / zeta(s) (zeta(2) = pi^2/6, zeta(3) and
/// zeta(4) = pi^4/90 from their known values), the odd-integer version, and the shift laws' moments, each frequency
/// within 5 standard errors at a fixed seed.
/// </summary>
public sealed class ZetaLawTests
{
    private const double Zeta3 = 1.2020569031595942853997;

    private static void AssertPmf(Func<RandomSource, double> draw, Func<int, double> pmf, int largest, bool oddOnly, int n, ulong seed)
    {
        var random = new RandomSource(seed);
        var counts = new long[largest + 2];
        for (int i = 0; i < n; i++)
        {
            double k = draw(random);
            Assert.True(k >= 1 && k == Math.Floor(k), $"draw {k} is not a positive integer");
            if (oddOnly) Assert.True(k % 2 == 1, $"draw {k} is not odd");
            counts[k <= largest ? (int)k : largest + 1]++;
        }
        double tail = 1;
        for (int k = 1; k <= largest + 1; k++)
        {
            double p = k <= largest ? pmf(k) : tail;
            if (k <= largest) tail -= p;
            double se = Math.Sqrt(p * (1 - p) / n), frequency = counts[k] / (double)n;
            if (p == 0) Assert.Equal(0, counts[k]);
            else Assert.True(Math.Abs(frequency - p) <= 5 * se, $"k = {(k <= largest ? k.ToString() : "tail")}: frequency {frequency}, pmf {p}, 5 SE = {5 * se}");
        }
    }

    [Fact]
    public void Zeta_2_pmf_is_6_over_pi_squared_k_squared() =>
        AssertPmf(r => ZetaLaw.Sample(r, 2), k => 6 / (Math.PI * Math.PI * k * k), 12, false, 400_000, 7);

    [Fact]
    public void Zeta_3_pmf_is_k_cubed_over_zeta_3() =>
        AssertPmf(r => ZetaLaw.Sample(r, 3), k => 1 / (Zeta3 * k * k * k), 8, false, 300_000, 8);

    [Fact]
    public void Odd_zeta_2_pmf_is_8_over_pi_squared_j_squared() =>
        // Over odd j, sum j^-2 = (1 - 1/4) zeta(2) = pi^2/8.
        AssertPmf(r => ZetaLaw.SampleOdd(r, 2), j => j % 2 == 0 ? 0 : 8 / (Math.PI * Math.PI * j * j), 11, true, 300_000, 9);

    [Fact]
    public void Shift_laws_have_their_moments()
    {
        // E[b E/K] = b E[1/K] = b zeta(3)/zeta(2); E[(b L/K)^2] = 2 b^2 zeta(4)/zeta(2) = 2 b^2 pi^2/15.
        const int n = 400_000;
        const double b = 1.7;
        var random = new RandomSource(10);
        double sum = 0, sumSq = 0, lsum = 0, lsumSq = 0;
        for (int i = 0; i < n; i++)
        {
            double u = ZetaLaw.GammaOverIndex(random, b, 1, 2, false);
            sum += u; sumSq += u * u;
            double l = ZetaLaw.LaplaceOverIndex(random, b, 2, false);
            double l2 = l * l;
            lsum += l2; lsumSq += l2 * l2;
        }
        double mean = sum / n, se = Math.Sqrt((sumSq / n - mean * mean) / n);
        double expected = b * Zeta3 * 6 / (Math.PI * Math.PI);
        Assert.True(Math.Abs(mean - expected) <= 5 * se, $"E[U] {mean} vs {expected}");
        double second = lsum / n, se2 = Math.Sqrt((lsumSq / n - second * second) / n);
        double expected2 = 2 * b * b * Math.PI * Math.PI / 15;
        Assert.True(Math.Abs(second - expected2) <= 5 * se2, $"E[U^2] {second} vs {expected2}");
    }

    [Fact]
    public void Refuses_s_at_most_one() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ZetaLaw.Sample(new RandomSource(1), 1));
}
