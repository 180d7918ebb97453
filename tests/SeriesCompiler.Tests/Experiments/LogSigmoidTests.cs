using SeriesCompiler.Experiments;
using Xunit;

namespace SeriesCompiler.Tests.Experiments;

public sealed class LogSigmoidTests
{
    /// <summary>The polynomial derivatives of log sigmoid against closed forms and a Richardson finite difference.</summary>
    [Theory]
    [InlineData(-3.0)]
    [InlineData(-0.4)]
    [InlineData(0.0)]
    [InlineData(1.7)]
    public void Derivatives_match_closed_forms_and_finite_differences(double s)
    {
        Span<double> g = stackalloc double[LogSigmoid.MaxOrder + 1];
        LogSigmoid.Derivatives(s, 6, g);
        double u = 1 / (1 + Math.Exp(-s));
        Assert.Equal(Math.Log(u), g[0], 12);
        Assert.Equal(1 - u, g[1], 12);           // g' = sigmoid(-s)
        Assert.Equal(-u * (1 - u), g[2], 12);    // g'' = -sigmoid'(s)
        Assert.Equal(-u * (1 - u) * (1 - 2 * u), g[3], 12);
        // Higher orders: central differences of the (n-1)-th derivative.
        Span<double> plus = stackalloc double[LogSigmoid.MaxOrder + 1];
        Span<double> minus = stackalloc double[LogSigmoid.MaxOrder + 1];
        const double h = 1e-4;
        LogSigmoid.Derivatives(s + h, 6, plus);
        LogSigmoid.Derivatives(s - h, 6, minus);
        for (int n = 1; n <= 6; n++)
            Assert.Equal((plus[n - 1] - minus[n - 1]) / (2 * h), g[n], 6);
        // One order alone (the resummed rule's shifted derivative) is the same polynomial.
        for (int n = 1; n <= 6; n++) Assert.Equal(g[n], LogSigmoid.Derivative(s, n), 15);
    }
}
