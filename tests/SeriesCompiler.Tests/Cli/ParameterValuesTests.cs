using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

public class ParameterValuesTests
{
    [Fact]
    public void Scalars_and_vectors_parse_culture_invariantly()
    {
        var values = ParameterValues.Parse("k=2.5, mu = 0.7,alpha=[1.5, 2,3e-1],x=-1E+2");
        Assert.Equal(["k", "mu", "alpha", "x"], values.Values.Select(v => v.Name));
        Assert.Equal(2.5, values.Find("k")!.Scalar);
        Assert.Equal(0.7, values.Find("mu")!.Scalar);
        Assert.Equal(new[] { 1.5, 2.0, 0.3 }, values.Find("alpha")!.Vector!.Value.ToArray());
        Assert.Equal(-100.0, values.Find("x")!.Scalar);
        Assert.False(values.Find("k")!.IsVector);
    }

    [Fact]
    public void Repeated_options_add_up()
    {
        var values = ParameterValues.TryParse(["k=1", "mu=2"], out var error);
        Assert.Null(error);
        Assert.Equal(2, values!.Values.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("k")]
    [InlineData("k=")]
    [InlineData("=3")]
    [InlineData("k=abc")]
    [InlineData("k=2,5")]
    [InlineData("k=2;mu=3")]
    [InlineData("k=1,")]
    [InlineData("k=1,k=2")]
    [InlineData("alpha=[1,2")]
    [InlineData("alpha=[]")]
    [InlineData("alpha=[1,,2]")]
    [InlineData("k=1e400")]
    [InlineData("k=NaN")]
    [InlineData("k=Infinity")]
    [InlineData("1k=2")]
    public void Bad_syntax_is_an_error_message(string text)
    {
        Assert.Null(ParameterValues.TryParse([text], out var error));
        Assert.StartsWith("--at", error);
        Assert.Equal(2, CliHarness.Run("coefficients", "gamma", "--at", text).ExitCode);
    }

    private static IReadOnlyList<SeriesCompiler.Symbolic.Binding.BoundParameter> ParametersOf(string declaration)
    {
        var workspace = Workspace.Create([new SourceText("t.dist", declaration)]);
        Assert.DoesNotContain(workspace.Diagnostics, d => d.IsError);
        return workspace.Distributions.Single().Parameters;
    }

    [Theory]
    [InlineData("k=1", "no value for 'mu'")]
    [InlineData("k=1,mu=2,z=3", "'z' is not a parameter")]
    [InlineData("k=[1,2],mu=2", "scalar parameter")]
    [InlineData("k=0,mu=2", "k > 0")]
    [InlineData("k=1,mu=-2", "mu > 0")]
    public void Values_are_checked_against_the_declaration(string text, string message)
    {
        var parameters = ParametersOf("distribution Gamma(k > 0, mu > 0) {\n    support positive\n    logcf(w) = -k * log(1 - i*mu*w)\n}\n");
        var ex = Assert.Throws<CliException>(() => ParameterValues.Parse(text).Validate("Gamma", parameters));
        Assert.Equal(ExitCodes.UsageError, ex.ExitCode);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Vectors_set_the_family_size_and_must_agree()
    {
        var parameters = ParametersOf("distribution D[K](alpha[K] > 0) {\n    support simplex\n    latent g[j] ~ Gamma(alpha[j], 1)\n    value[j] = g[j] / sum(g)\n}\n");
        Assert.Equal(3, ParameterValues.Parse("alpha=[1.5,2,3]").Validate("D", parameters));
        Assert.Contains("vector parameter", Assert.Throws<CliException>(() => ParameterValues.Parse("alpha=2").Validate("D", parameters)).Message);
        Assert.Contains("alpha = -1", Assert.Throws<CliException>(() => ParameterValues.Parse("alpha=[1,-1]").Validate("D", parameters)).Message);
    }

    [Fact]
    public void Interval_constraints_are_open_or_closed_as_declared()
    {
        var parameters = ParametersOf("distribution B(p in (0, 1)) {\n    support {0, 1}\n    cf(w) = 1 - p + p*exp(i*w)\n}\n");
        Assert.Null(ParameterValues.Parse("p=0.5").Validate("B", parameters));
        Assert.Throws<CliException>(() => ParameterValues.Parse("p=1").Validate("B", parameters));
        Assert.Throws<CliException>(() => ParameterValues.Parse("p=0").Validate("B", parameters));
    }
}
