using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// The resummed Laplace rule's lane shift (<see cref="ShiftLanes.LaplaceMasked"/>, U = b Laplace(0, 1), the law of
/// b E1 - b E2 that the scalar rule draws as two gamma(1) draws): its first four moments against the closed forms
/// E[U] = 0, E[U^2] = 2 b^2, E[U^3] = 0, E[U^4] = 24 b^4 (E|L|^m = m! for a standard Laplace), within 5 standard errors
/// of the sample at fixed seeds, and its masked lanes standing still.
/// </summary>
public sealed class ShiftLanesTests
{
    private const int Vectors = 300_000;   // 1.2 million draws

    [Theory]
    [InlineData(0.1, 11UL)]
    [InlineData(1.0, 12UL)]
    [InlineData(2.5, 13UL)]
    public void Laplace_shift_has_the_laplace_moments(double b, ulong seed)
    {
        var lanes = default(RandomLanes);
        lanes.SetStreams(seed, 0);
        var scale = Vector256.Create(b, b, b, b);
        var all = Vector256<ulong>.AllBitsSet;
        var x = new double[4 * Vectors];
        for (int i = 0; i < Vectors; i++) ShiftLanes.LaplaceMasked(ref lanes, scale, all).CopyTo(x, 4 * i);
        // Raw moments m = 1..4 about the exact mean 0; the standard error of mean(x^m) from E[x^2m] - E[x^m]^2, exactly.
        double[] exact = [0, 2 * b * b, 0, 24 * Math.Pow(b, 4)];
        double[] twice = [2 * b * b, 24 * Math.Pow(b, 4), 720 * Math.Pow(b, 6), 40320 * Math.Pow(b, 8)];
        for (int m = 1; m <= 4; m++)
        {
            double sum = 0;
            foreach (double v in x) sum += Math.Pow(v, m);
            double average = sum / x.Length, se = Math.Sqrt((twice[m - 1] - exact[m - 1] * exact[m - 1]) / x.Length);
            Assert.True(Math.Abs(average - exact[m - 1]) < 5 * se, $"b = {b}: E[U^{m}] = {average} vs {exact[m - 1]} (se {se})");
        }
    }

    [Fact]
    public void Masked_lanes_do_not_advance()
    {
        // Lanes 1 and 3 sit out the first draw: their next draw is the first draw of their streams.
        var lanes = default(RandomLanes);
        lanes.SetStreams(21, 0);
        var fresh = default(RandomLanes);
        fresh.SetStreams(21, 0);
        var scale = Vector256.Create(1.0, 2.0, 3.0, 4.0);
        var first = ShiftLanes.LaplaceMasked(ref fresh, scale, Vector256<ulong>.AllBitsSet);
        var half = Vector256.Create(~0UL, 0, ~0UL, 0);
        var once = ShiftLanes.LaplaceMasked(ref lanes, scale, half);
        Assert.Equal(first.GetElement(0), once.GetElement(0));
        Assert.Equal(first.GetElement(2), once.GetElement(2));
        var next = ShiftLanes.LaplaceMasked(ref lanes, scale, Vector256<ulong>.AllBitsSet);
        Assert.Equal(first.GetElement(1), next.GetElement(1));
        Assert.Equal(first.GetElement(3), next.GetElement(3));
        Assert.NotEqual(first.GetElement(0), next.GetElement(0));
    }
}
