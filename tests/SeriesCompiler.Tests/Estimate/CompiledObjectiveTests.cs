using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Functions;
using Xunit;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// Issue 13, item 3: <c>--f</c> runs compiled (System.Linq.Expressions) for one variable per copy. Its values are the
/// interpreter's bit for bit (same double operations in the same order); its first derivatives (dual numbers) agree
/// with the jets' to rounding, 1e-13 relative, since the two orders of operations differ (jets divide by c as a
/// product with 1/c, for one).
/// </summary>
public sealed class CompiledObjectiveTests
{
    public static TheoryData<string> Expressions =>
    [
        "(z - 0.49)^2", "z^3 - 2*z + 1", "exp(-z) * z", "log(1 + z^2)", "log1p(z^2) / (1 + z)", "sqrt(1 + z^2)",
        "sin(z) + cos(2 * z)", "sinh(z / 3) * cosh(z / 5)", "tanh(z) - atan(z)", "sigmoid(z) + softplus(-z)", "log_sigmoid(3 * z - 1)",
        "1 / (2 + z^2)", "-z^5 / 7 + 3 / z", "z^-2 + z^0", "exp(sin(z)) / (1 + z^4)",
    ];

    private static readonly double[] Points = [0.3, 1.7, -2.2, 4.0, 0.01, -0.75, 12.5];

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Compiled_values_are_the_interpreters_bit_for_bit(string text)
    {
        var f = ObjectiveParser.Parse(text, new ObjectiveShape(1, false, 1));
        var value = f.Body.CompiledValue;
        Assert.NotNull(value);
        foreach (double x in Points)
        {
            double interpreted = f.Body.Evaluate([x]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(interpreted), BitConverter.DoubleToInt64Bits(value(x)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(interpreted), BitConverter.DoubleToInt64Bits(f.Value([x])));
        }
    }

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Compiled_first_derivatives_agree_with_the_jets(string text)
    {
        var f = ObjectiveParser.Parse(text, new ObjectiveShape(1, false, Points.Length));
        var dual = f.Body.CompiledDual;
        Assert.NotNull(dual);
        var jets = new double[Points.Length * 3];
        f.PurePartials(Points, 2, jets); // order 2 runs on jets
        var compiled = new double[Points.Length];
        f.Gradient(Points, compiled);
        for (int j = 0; j < Points.Length; j++)
        {
            double expected = jets[3 * j + 1];
            Assert.True(Math.Abs(compiled[j] - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)),
                $"{text} at {Points[j]}: compiled {compiled[j]:R}, jets {expected:R}");
            Assert.Equal(compiled[j], f.CoordinatePartial(Points, j, Points[j], 1));
        }
    }

    [Theory]
    [InlineData("abs(z - 1)")]
    [InlineData("z^2.5")]
    [InlineData("lgamma(z + 1)")]
    [InlineData("tan(z)")]
    public void Operations_without_a_compiled_rule_stay_on_jets(string text)
    {
        var f = ObjectiveParser.Parse(text, new ObjectiveShape(1, false, 1));
        Assert.Null(f.Body.CompiledDual);
        Assert.NotNull(f.Body.CompiledValue); // values compile whatever the operations
        var partials = new double[2];
        f.PurePartials([2.0], 1, partials);
        Assert.True(double.IsFinite(partials[1]));
    }
}
