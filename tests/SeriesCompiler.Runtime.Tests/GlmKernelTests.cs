using System.Numerics;
using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>
/// The logistic GLM's curvature kernel (<see cref="GlmKernels"/>): its table against exact integer arithmetic, its
/// exponential against <see cref="Math.Exp"/>, <c>e / (1 + e)^2</c> against a double-double evaluation, and its eight-lane,
/// four-lane and emulated paths against each other bit for bit.
/// </summary>
public sealed class GlmKernelTests
{
    private static double Ulp(double x) => Math.BitIncrement(Math.Abs(x)) - Math.Abs(x);

    // |y| from 0 to 760 on a grid with irrational steps, both signs, plus the reduction's boundaries (odd multiples of
    // ln 2 / 32, where k changes), the subnormal range, the clamp and the special values.
    private static List<double> Points()
    {
        var points = new List<double> { 0.0, -0.0, 1e-300, -1e-300, 5e-324, 708.39, -708.39, 708.8, 720.0, -745.1, 745.2, 760.0, 999.0, 1000.0, -1001.0, 1e5, -1e300, double.PositiveInfinity, double.NegativeInfinity, double.NaN };
        for (int i = 1; i < 40; i += 2) points.Add(i * Math.Log(2) / 32);
        for (double y = 0.0011; y < 760; y += 0.0173 * Math.PI) points.Add(points.Count % 2 == 0 ? y : -y);
        for (double y = 1e-12; y < 50; y *= 1.31) points.Add(-y);
        return points;
    }

    [Fact]
    public void Table_entries_are_the_correctly_rounded_powers_of_two()
    {
        // T = M 2^-52 with M an integer; 2^(i/16) lies strictly inside (T - ulp/2, T + ulp/2) exactly when
        // (2M - 1)^16 < 2^(i + 16 * 53) < (2M + 1)^16 (all in integers).
        for (int i = 0; i < 16; i++)
        {
            double t = GlmKernels.PowersOfTwo[i];
            Assert.InRange(t, 1.0, 2.0);
            var m = new BigInteger(BitConverter.DoubleToInt64Bits(t) & 0xFFFFFFFFFFFFF) + (BigInteger.One << 52);
            var power = BigInteger.One << (i + 16 * 53);
            Assert.True(BigInteger.Pow(2 * m - 1, 16) < power && power < BigInteger.Pow(2 * m + 1, 16), $"entry {i}");
        }
    }

    [Fact]
    public void The_exponential_is_within_two_ulps_of_Math_Exp_and_its_subnormals_within_two_units()
    {
        foreach (double y in Points())
        {
            double got = GlmKernels.ExpOfMinusAbs(Vector256.Create(y)).ToScalar();
            if (double.IsNaN(y))
            {
                Assert.True(double.IsNaN(got));
                continue;
            }
            double expected = Math.Exp(-Math.Abs(y));
            // Normal results within 2 ulps (measured: 1); subnormal ones within two units of 2^-1074; 0 from |y| > 745.2.
            double tolerance = expected >= 2.2250738585072014e-308 ? 2 * Ulp(expected) : 2 * double.Epsilon;
            Assert.True(Math.Abs(got - expected) <= tolerance, $"exp(-|{y:R}|) = {got:R}, Math.Exp gives {expected:R}");
            Assert.True(got >= 0);
            // Even in y, bit for bit.
            Assert.Equal(BitConverter.DoubleToInt64Bits(got), BitConverter.DoubleToInt64Bits(GlmKernels.ExpOfMinusAbs(Vector256.Create(-y)).ToScalar()));
        }
    }

    // e / (1 + e)^2 in double-double from a double e: c = 1 + e exactly (two-sum), c^2 to about 2^-104, then one
    // correction step of the quotient.
    private static (double Hi, double Lo) SlopeReference(double e)
    {
        double ch = 1 + e, cl = e - (ch - 1);
        double sh = ch * ch, sl = Math.FusedMultiplyAdd(ch, ch, -sh) + 2 * ch * cl;
        double q0 = e / sh;
        double residual = Math.FusedMultiplyAdd(-q0, sh, e) - q0 * sl;
        return (q0, residual / sh);
    }

    [Fact]
    public void Sigma_prime_is_within_four_and_a_half_ulps_of_a_double_double_evaluation()
    {
        double worst = 0;
        foreach (double y in Points())
        {
            if (!double.IsFinite(y) || Math.Abs(y) > 708) continue;   // the result is subnormal beyond
            double got = GlmKernels.CurvatureTerm(Vector256.Create(1.0), Vector256.Create(y), Vector256<double>.Zero).ToScalar();
            var (hi, lo) = SlopeReference(Math.Exp(-Math.Abs(y)));
            double ulps = Math.Abs((got - hi) - lo) / Ulp(hi);
            worst = Math.Max(worst, ulps);
            // The kernel's roundings (e within 1 ulp; 1 + e and its square, 1.5 ulps together; the product and the
            // quotient, 1) and Math.Exp's own error in the reference (0.5): 4.5 ulps (measured over a finer sweep: 3.9;
            // the link's general g'' measures 4.1 the same way).
            Assert.True(ulps <= 4.5, $"sigma'({y:R}) = {got:R}, reference {hi:R} + {lo:R}: {ulps:F2} ulps");
        }
        Assert.True(worst > 0);   // the sweep did compare something
        // The weight and the accumulator: acc + w sigma'.
        double one = GlmKernels.CurvatureTerm(Vector256.Create(1.0), Vector256.Create(0.7), Vector256<double>.Zero).ToScalar();
        Assert.Equal(2.5 + 3.0 * one, GlmKernels.CurvatureTerm(Vector256.Create(3.0), Vector256.Create(0.7), Vector256.Create(2.5)).ToScalar(), 14);
        Assert.Equal(0.25, GlmKernels.CurvatureTerm(Vector256.Create(1.0), Vector256.Create(0.0), Vector256<double>.Zero).ToScalar());
        Assert.Equal(0.0, GlmKernels.CurvatureTerm(Vector256.Create(1.0), Vector256.Create(double.NegativeInfinity), Vector256<double>.Zero).ToScalar());
        Assert.True(double.IsNaN(GlmKernels.CurvatureTerm(Vector256.Create(1.0), Vector256.Create(double.NaN), Vector256<double>.Zero).ToScalar()));
    }

    [Fact]
    public void The_emulated_scale_is_the_table_entry_times_a_power_of_two_rounded_once()
    {
        // Independent of the instruction it emulates (so this holds on machines without AVX-512 too): for every k = m/16
        // the kernel can meet (floor k in [-1443, 0]), T[m mod 16] 2^floor(k) by Math.ScaleB, which rounds once into the
        // subnormals. t is k written the kernel's way: k + 1.5 * 2^48, exact since t's ulp is 2^-4.
        const double shifter = 422212465065984.0;
        for (int m = -16 * 1443 - 15; m <= 0; m += 4)
        {
            var k = Vector256.Create(m / 16.0, (m + 1) / 16.0, (m + 2) / 16.0, (m + 3) / 16.0);
            var scaled = GlmKernels.ScaleEmulated(k + Vector256.Create(shifter), k);
            for (int l = 0; l < 4 && m + l <= 0; l++)
            {
                int ml = m + l;
                double expected = Math.ScaleB(GlmKernels.PowersOfTwo[ml & 15], ml >> 4);
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(scaled[l]),
                    $"m = {ml}: {scaled[l]:R} against {expected:R}");
            }
        }
    }

    [Fact]
    public void Eight_lanes_four_lanes_and_the_emulation_give_the_same_bits()
    {
        var points = Points();
        while (points.Count % 8 != 0) points.Add(0.5);
        var random = new RandomSource(17);
        var weights = points.Select(_ => random.Normal()).ToArray();
        var accs = points.Select(_ => random.Normal()).ToArray();
        static long Bits(double v) => double.IsNaN(v) ? -1 : BitConverter.DoubleToInt64Bits(v);   // any NaN is NaN
        for (int i = 0; i < points.Count; i += 4)
        {
            var y = Vector256.Create(points.GetRange(i, 4).ToArray());
            var w = Vector256.Create(weights.AsSpan(i, 4));
            var acc = Vector256.Create(accs.AsSpan(i, 4));
            var four = GlmKernels.CurvatureTerm(w, y, acc);
            var emulated = GlmKernels.CurvatureTermEmulated(w, y, acc);
            var exp = GlmKernels.ExpOfMinusAbs(y);
            var expEmulated = GlmKernels.ExpOfMinusAbsEmulated(y);
            for (int l = 0; l < 4; l++)
            {
                Assert.Equal(Bits(emulated[l]), Bits(four[l]));
                Assert.Equal(Bits(expEmulated[l]), Bits(exp[l]));
            }
        }
        if (!GlmKernels.Native) return;   // no eight-lane kernel to compare on this machine
        for (int i = 0; i < points.Count; i += 8)
        {
            var y = Vector512.Create(points.GetRange(i, 8).ToArray());
            var eight = GlmKernels.CurvatureTerm(Vector512.Create(weights.AsSpan(i, 8)), y, Vector512.Create(accs.AsSpan(i, 8)));
            var exp = GlmKernels.ExpOfMinusAbs(y);
            for (int half = 0; half < 2; half++)
            {
                var four = GlmKernels.CurvatureTerm(Vector256.Create(weights.AsSpan(i + 4 * half, 4)), Vector256.Create(points.GetRange(i + 4 * half, 4).ToArray()), Vector256.Create(accs.AsSpan(i + 4 * half, 4)));
                var fourExp = GlmKernels.ExpOfMinusAbs(Vector256.Create(points.GetRange(i + 4 * half, 4).ToArray()));
                for (int l = 0; l < 4; l++)
                {
                    Assert.Equal(Bits(four[l]), Bits(eight[4 * half + l]));
                    Assert.Equal(Bits(fourExp[l]), Bits(exp[4 * half + l]));
                }
            }
        }
    }

    [Fact]
    public void The_curvature_agrees_with_the_links_second_derivative()
    {
        // The link's order-2 derivative (another exponential and Horner form) is -sigma'(m): the two within a few ulps.
        var output = new double[3];
        foreach (double y in Points())
        {
            if (!double.IsFinite(y) || Math.Abs(y) > 700) continue;
            GlmLink.Logistic.Derivatives([1.0], [y], 0, 2, output, 1);
            double kernel = GlmKernels.CurvatureTerm(Vector256.Create(1.0), Vector256.Create(y), Vector256<double>.Zero).ToScalar();
            Assert.True(Math.Abs(kernel + output[2]) <= 6 * Ulp(kernel), $"y = {y:R}: kernel {kernel:R}, link {-output[2]:R}");
        }
    }
}
