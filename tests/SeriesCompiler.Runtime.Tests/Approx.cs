using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>Tolerance assertions: relative to |expected| with an absolute floor.</summary>
internal static class Approx
{
    public static void Equal(double expected, double actual, double relative, double absolute = 0, string? what = null)
    {
        double tolerance = Math.Max(relative * Math.Abs(expected), absolute);
        if (!(Math.Abs(expected - actual) <= tolerance))
        {
            double rel = Math.Abs(expected - actual) / Math.Abs(expected);
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (relative error {rel:E2}, tolerance {tolerance:E2})");
        }
    }

    public static double RelativeError(double expected, double actual) =>
        expected == actual ? 0 : Math.Abs(expected - actual) / Math.Max(Math.Abs(expected), double.Epsilon);
}
