using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Functions;
using Xunit;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>The <c>--f</c> language: the names of z for each shape, the functions, and positioned errors.</summary>
public sealed class ObjectiveParserTests
{
    private static readonly ObjectiveShape One = new(1, false);

    private static ExpressionObjective Parse(string f, ObjectiveShape shape)
    {
        var objective = ObjectiveParser.Parse(f, shape, DerivativeMode.Jet, out var diagnostics);
        Assert.True(objective is not null, string.Join("; ", diagnostics));
        return objective!;
    }

    [Theory]
    [InlineData("(z - 0.49)^2", 0.7, 0.21 * 0.21)]
    [InlineData("exp(-z) + log1p(z) * pi", 0.5, 0.6065306597126334 + 0.4054651081081644 * Math.PI)]
    [InlineData("log_sigmoid(2*z) + softplus(z) - sigmoid(z)", 0.0, -0.6931471805599453 + 0.6931471805599453 - 0.5)]
    [InlineData("-z^2", 3.0, -9.0)]
    [InlineData("lgamma(z) + abs(-z) + sqrt(z)", 4.0, 1.791759469228055 + 4 + 2)]
    public void One_variable_is_z(string f, double z, double expected) =>
        Assert.Equal(expected, Parse(f, One).Value([z]), 12);

    [Fact]
    public void Copies_sum_the_per_copy_expression()
    {
        var f = Parse("(z - 1)^2", new ObjectiveShape(1, false, 3));
        Assert.Equal(1 + 0 + 4, f.Value([0, 1, 3]), 14);
        Assert.Equal(f.Value([0, 1, 3]), Parse("(z[j] - 1)^2", new ObjectiveShape(1, false, 3)).Value([0, 1, 3]), 14);
        var whole = Parse("z[0] * z[2] + sum(z)", new ObjectiveShape(1, false, 3));
        Assert.Equal(0 * 3 + 4, whole.Value([0, 1, 3]), 14);
        Assert.Equal(3, whole.BlockWidth);
    }

    [Fact]
    public void Several_variables_are_z1_z2()
    {
        var f = Parse("z1 * z2 - z2", new ObjectiveShape(2, false));
        Assert.Equal(2 * 5 - 5, f.Value([2, 5]), 14);
        Assert.Equal(1, f.Partial([2, 5], [1, 1]), 10);
    }

    [Fact]
    public void A_family_is_indexed()
    {
        var shape = new ObjectiveShape(3, true);
        Assert.Equal(0.04 + 0.09 + 0.25, Parse("z[j]^2", shape).Value([0.2, 0.3, 0.5]), 14);
        Assert.Equal(0.3, Parse("z[1]", shape).Value([0.2, 0.3, 0.5]), 14);
        var error = ObjectiveParser.Parse("z^2", shape, DerivativeMode.Jet, out var diagnostics);
        Assert.Null(error);
        Assert.Contains("z has 3 components", diagnostics.Single().Message);
    }

    [Fact]
    public void Exponential_f_is_recognised_for_the_shortcut()
    {
        Assert.True(Parse("2*exp(-3*z + 1)", One).TryGetExponential(out double tau, out double shift));
        Assert.Equal(-3, tau);
        Assert.Equal(1 + Math.Log(2), shift, 14);
        Assert.False(Parse("exp(-z) + 1", One).TryGetExponential(out _, out _));
    }

    [Theory]
    [InlineData("z + y", "SC0101", 5)]
    [InlineData("z[7]", "SC0121", 3)]
    [InlineData("erf(z)", "SC0102", 1)]
    [InlineData("exp(z, 2)", "SC0103", 1)]
    [InlineData("(z, z)", "SC0120", 1)]
    [InlineData("z +", "SC0007", 4)]
    public void Mistakes_are_positioned(string f, string id, int column)
    {
        Assert.Null(ObjectiveParser.Parse(f, new ObjectiveShape(1, false, 2), DerivativeMode.Jet, out var diagnostics));
        var d = diagnostics.First();
        Assert.True(d.Id == id, $"{d}");
        Assert.Equal("--f", d.Path);
        Assert.Equal(column, d.Column);
    }

    [Fact]
    public void Per_copy_and_whole_vector_names_do_not_mix()
    {
        Assert.Null(ObjectiveParser.Parse("z + z[0]", new ObjectiveShape(1, false, 2), DerivativeMode.Jet, out var diagnostics));
        Assert.Contains("mixes", diagnostics.Single().Message);
    }
}
