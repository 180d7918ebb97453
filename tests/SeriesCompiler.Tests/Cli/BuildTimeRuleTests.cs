using System.Text.Json;
using System.Text.Json.Nodes;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Generated;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// <c>seriesc estimate</c> takes the build-time rule classes (SeriesCompiler.Distributions) for an unchanged bundled
/// declaration at the build-time order, and compiles with Roslyn otherwise. Both paths must print the same numbers for
/// the same seed: the same generated C#, run on the same draws.
/// </summary>
public sealed class BuildTimeRuleTests
{
    private const int BuildOrder = 8; // SeriesOrder of src/Distributions (SeriesCompiler.Build.props' default)

    public static TheoryData<string, string, string, string[]> Cases => new()
    {
        // Without --order, fourier is Gamma's exact resummed rule; with --order 8 the series with the jets.
        { "gamma", "k=2.5,mu=0.7", "(z - 0.49)^2", [] },
        { "gamma", "k=2.5,mu=0.7", "exp(-z) * z", ["--order", "8"] },
        { "gamma", "k=[1.5,2.5,3.5],mu=0.7", "log1p(z^2)", ["--dims", "3", "--order", "8"] },
        // A derived rule whose latents are Gamma, a finite support that depends on theta, a family, a lattice.
        { "beta", "alpha=2,beta=3", "z^2", ["--order", "8"] },
        { "binomial", "n=5,p=0.3", "z^2", [] },
        { "dirichlet", "alpha=[2,3,4]", "z[0]^2", ["--order", "8"] },
        { "poisson", "lambda=2", "sqrt(1 + z)", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_build_time_class_and_the_in_memory_compile_give_the_same_numbers(string name, string at, string f, string[] extra)
    {
        string[] args = ["estimate", name, "--at", at, "--f", f, "--estimator", "all", "--samples", "3000", "--seed", "11", "--format", "json", .. extra];
        // The bundled text: the build-time class.
        var built = CliHarness.Run(args);
        // The same declaration with one comment line added, found first in ./distributions/: its text differs from
        // what generated/ was built from, so it is compiled in memory (the generated code is the same: comments are
        // not part of it).
        string folder = TempDirectory.Create();
        Directory.CreateDirectory(Path.Combine(folder, "distributions"));
        string bundled = Path.Combine(AppContext.BaseDirectory, "distributions", name + ".dist");
        File.WriteAllText(Path.Combine(folder, "distributions", name + ".dist"), File.ReadAllText(bundled) + "\n# edited after the build\n");
        var compiled = CliHarness.RunIn(folder, args);

        Assert.True(built.ExitCode == 0, built.Err);
        Assert.True(compiled.ExitCode == 0, compiled.Err);
        var a = WithoutTimes(built.Out);
        var b = WithoutTimes(compiled.Out);
        Assert.Equal(a, b);
        // Not a comparison of two failures: at least one estimator gave a gradient.
        Assert.Contains("\"gradient\"", a);
    }

    [Fact]
    public void Only_an_unchanged_declaration_at_the_build_time_order_takes_the_build_time_class()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TempDirectory.Create(), AppContext.BaseDirectory);
        var gamma = DistributionResolver.Load(context, "gamma");
        var rule = BuildTimeRules.TryGet(gamma.Workspace, gamma.Declaration, BuildOrder);
        Assert.NotNull(rule);
        Assert.Same(GammaRule.Instance, rule.Direct);
        Assert.Null(BuildTimeRules.TryGet(gamma.Workspace, gamma.Declaration, 2));
        Assert.Null(BuildTimeRules.TryGet(gamma.Workspace, gamma.Declaration, 16));

        var beta = DistributionResolver.Load(context, "beta");
        var derived = BuildTimeRules.TryGet(beta.Workspace, beta.Declaration, BuildOrder);
        Assert.NotNull(derived);
        Assert.Same(BetaRule.Instance, derived.Derived);
        Assert.All(derived.LatentRules, r => Assert.Same(GammaRule.Instance, r));

        // A changed text, even by a space, is compiled in memory.
        string folder = TempDirectory.Create();
        string file = Path.Combine(folder, "gamma.dist");
        File.WriteAllText(file, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "distributions", "gamma.dist")) + " ");
        var edited = DistributionResolver.Load(context, file);
        Assert.Null(BuildTimeRules.TryGet(edited.Workspace, edited.Declaration, BuildOrder));
        Assert.NotNull(Rules.FromWorkspace(edited.Workspace, edited.Declaration, BuildOrder).Direct);

        // Beta over an edited Gamma: the derived text is unchanged, but its latent's class would not be what it binds to.
        File.WriteAllText(Path.Combine(folder, "beta.dist"), File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "distributions", "beta.dist")));
        var inFolder = new CliContext(TextWriter.Null, TextWriter.Null, folder, AppContext.BaseDirectory);
        Directory.CreateDirectory(Path.Combine(folder, "distributions"));
        File.Move(file, Path.Combine(folder, "distributions", "gamma.dist"));
        var betaOverEdited = DistributionResolver.Load(inFolder, Path.Combine(folder, "beta.dist"));
        Assert.Null(BuildTimeRules.TryGet(betaOverEdited.Workspace, betaOverEdited.Declaration, BuildOrder));
    }

    // The estimate's JSON without its timings (the only field the two paths may differ in).
    private static string WithoutTimes(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        foreach (var e in root["estimates"]!.AsArray()) e!.AsObject().Remove("seconds");
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
