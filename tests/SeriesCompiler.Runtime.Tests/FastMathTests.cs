using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Special;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>
/// The lane kernels the samplers use in place of Vector256.Log/SinCos (whose results depend on the JIT tier): accurate
/// against Math's scalar functions, and one lane's result independent of its neighbours.
/// </summary>
public class FastMathTests
{
    private static long UlpDistance(double a, double b) => Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    [Fact]
    public void Log_is_within_two_ulps_of_Math_Log_from_subnormals_to_the_largest_double()
    {
        var random = new Random(5);
        var xs = new List<double> { double.Epsilon, 1e-310, 2.2250738585072014e-308, 1 - 1e-16, 1, 1 + 2e-16, Math.Sqrt(2), 0.5, 2, double.MaxValue };
        for (int i = 0; i < 200_000; i++) xs.Add(random.NextDouble());                       // the uniforms the samplers take
        for (int i = 0; i < 50_000; i++) xs.Add(Math.Exp(random.NextDouble() * 1400 - 700));  // every binade
        for (int i = 0; i < 50_000; i++) xs.Add(1 + (random.NextDouble() - 0.5) * 1e-3);      // near 1, where ln is small
        long worst = 0;
        foreach (double x in xs)
        {
            double got = FastMath.Log(Vector256.Create(x, 0.75, x, 3.0))[2];
            long d = UlpDistance(got, Math.Log(x));
            if (d > worst) worst = d;
            Assert.True(d <= 2, $"ln {x:R}: {got:R} against {Math.Log(x):R}");
        }
        Assert.Equal(0.0, FastMath.Log(Vector256<double>.One)[0]);
    }

    [Fact]
    public void SinCos_is_accurate_on_the_Box_Muller_angles()
    {
        var random = new Random(6);
        for (int i = 0; i < 200_000; i++)
        {
            double a = i < 8 ? i * Math.PI / 4 : random.NextDouble() * 2 * Math.PI;
            var (sin, cos) = FastMath.SinCos(Vector256.Create(1.0, a, 4.0, 0.0));
            // Two ulps of the result, or of the reduction's scale where the result is near a zero of sin/cos.
            double tolerance(double v) => 2 * (Math.BitIncrement(Math.Max(Math.Abs(v), 1e-16)) - Math.Max(Math.Abs(v), 1e-16));
            Assert.True(Math.Abs(sin[1] - Math.Sin(a)) <= tolerance(Math.Sin(a)), $"sin {a:R}: {sin[1]:R} against {Math.Sin(a):R}");
            Assert.True(Math.Abs(cos[1] - Math.Cos(a)) <= tolerance(Math.Cos(a)), $"cos {a:R}: {cos[1]:R} against {Math.Cos(a):R}");
        }
    }

    [Fact]
    public void A_lane_does_not_depend_on_its_neighbours()
    {
        var random = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            double x = random.NextDouble(), y = random.NextDouble() * 2 * Math.PI;
            Assert.Equal(FastMath.Log(Vector256.Create(x))[0], FastMath.Log(Vector256.Create(1e-320, x, -1.0, double.NaN))[1]);
            Assert.Equal(FastMath.SinCos(Vector256.Create(y)).Sin[0], FastMath.SinCos(Vector256.Create(0.0, 6.0, y, 1e9)).Sin[2]);
        }
    }
}
