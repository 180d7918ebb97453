using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Syntax;
using Xunit;
using static SeriesCompiler.Tests.Syntax.SyntaxTestHelpers;

namespace SeriesCompiler.Tests.Syntax;

/// <summary>The bundled declarations under distributions/ (copied next to the tests) all parse clean.</summary>
public sealed class DistributionFileTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "distributions");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder, "*.dist").OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Bundled_file_parses_without_diagnostics_and_is_named_after_its_declaration(string file)
    {
        var source = SourceText.FromFile(Path.Combine(Folder, file));
        var bag = new DiagnosticBag(source);
        var unit = Parser.Parse(source, bag);

        Assert.True(bag.Items.Count == 0, Format(bag.Items));
        var distribution = Assert.Single(unit.Distributions);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), distribution.Name.Text.ToLowerInvariant());
        Assert.Contains(distribution.Statements, s => s is SupportStatement);
        Assert.Contains(distribution.Statements, s => s is SampleStatement or ValueStatement);
        Assert.StartsWith("#", source.Text); // each file says its parameterisation first
    }

    [Fact]
    public void All_required_distributions_are_bundled()
    {
        string[] required =
        [
            "normal", "dirac", "laplace", "gamma", "exponential", "chisquared", "erlang", "bernoulli", "categorical",
            "binomial", "poisson", "beta", "dirichlet", "bivariatenormal", "negativebinomial", "uniform", "logistic",
        ];
        var present = Directory.GetFiles(Folder, "*.dist").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        var missing = required.Where(name => !present.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing));
    }

    // Fixtures elsewhere call these by position, so the parameter order is part of the contract.
    [Theory]
    [InlineData("normal", "mu,sigma")]
    [InlineData("gamma", "k,mu")]
    [InlineData("exponential", "mu")]
    [InlineData("chisquared", "nu")]
    [InlineData("laplace", "mu,b")]
    [InlineData("dirac", "a")]
    [InlineData("poisson", "lambda")]
    [InlineData("bernoulli", "p")]
    [InlineData("erlang", "n,mu")]
    [InlineData("categorical", "p1,p2")]
    [InlineData("binomial", "n,p")]
    [InlineData("negativebinomial", "r,p")]
    [InlineData("uniform", "a,w")]
    [InlineData("logistic", "mu,s")]
    [InlineData("beta", "alpha,beta")]
    [InlineData("dirichlet", "alpha")]
    [InlineData("bivariatenormal", "m1,m2,s1,s2,rho")]
    public void Parameters_come_in_the_documented_order(string file, string parameters)
    {
        var distribution = ParseSingle(File.ReadAllText(Path.Combine(Folder, file + ".dist")));
        Assert.Equal(parameters, string.Join(",", distribution.Parameters.Select(p => p.Name.Text)));
    }

    [Theory]
    [InlineData("normal", true)]
    [InlineData("laplace", true)]
    [InlineData("gamma", true)]
    [InlineData("exponential", true)]
    [InlineData("chisquared", true)]
    [InlineData("erlang", true)]
    [InlineData("poisson", true)]
    [InlineData("bernoulli", true)]
    [InlineData("binomial", true)]
    [InlineData("logistic", true)]
    [InlineData("negativebinomial", true)]
    public void Standard_densities_declare_logpdf_or_logpmf(string file, bool expected)
    {
        var distribution = ParseSingle(File.ReadAllText(Path.Combine(Folder, file + ".dist")));
        bool has = distribution.Statements.OfType<FunctionStatement>()
            .Any(f => f.Keyword.Kind is TokenKind.LogpdfKeyword or TokenKind.LogpmfKeyword);
        Assert.Equal(expected, has);
    }

    [Fact]
    public void Erlang_has_an_integer_hyper_parameter()
    {
        var erlang = ParseSingle(File.ReadAllText(Path.Combine(Folder, "erlang.dist")));
        var n = Assert.IsType<IntegerConstraint>(erlang.Parameters[0].Constraint);
        Assert.True(n.Inclusive);
        Assert.Equal("1", Show(n.LowerBound!));
    }
}
