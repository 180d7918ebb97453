using SeriesCompiler.Emit;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>A .dist that a user writes anywhere (outside distributions/) is compiled and loaded at run time, no rebuild.</summary>
public class UserDistributionTests
{
    [Fact]
    public void A_users_declaration_compiles_in_memory_loads_and_evaluates()
    {
        string folder = TempDirectory.Create();
        string file = Path.Combine(folder, "thinned.dist");
        File.WriteAllText(file, """
            # A Poisson count thinned with probability q.
            distribution Thinned(lambda > 0, q in (0, 1)) {
                support naturals
                cgf(t) = lambda*q*(exp(t) - 1)
                sample = poisson(lambda*q)
            }
            # Built from the bundled Gamma.
            distribution GammaSum(a > 0, b > 0) {
                support positive
                latent z1 ~ Gamma(a, 1)
                latent z2 ~ Gamma(b, 1)
                value = z1 + z2
            }
            """);
        var workspace = Workspace.Create([SourceText.FromFile(file)], EmitFixture.BundledSources());
        var result = RuleGenerator.Generate(workspace, 6);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal(["GammaSumRule.g.cs", "RuleRegistry.g.cs", "Stencils.g.cs", "ThinnedRule.g.cs"], result.Files.Select(f => f.FileName).Order(StringComparer.Ordinal));

        var compiled = InMemoryCompiler.Compile(result.Files.Select(f => (f.FileName, f.Content)).ToList(), [RuleEmitter.TypeName("Thinned")]);
        Assert.True(compiled.Success, string.Join("\n", compiled.Errors));
        try
        {
            var rule = compiled.Rules.Single();
            Assert.Equal("Thinned", rule.Name);
            Assert.Equal(6, rule.Order);
            // K(t) = lambda q (e^t - 1): every c_n = lambda q / n!, so a_{n,lambda} = q / n! and a_{n,q} = lambda / n!.
            double[] theta = [3.0, 0.2];
            var a = new double[rule.MultiIndices.Count * 2];
            rule.Coefficients(theta, a);
            double factorial = 1;
            for (int n = 1; n <= 6; n++)
            {
                factorial *= n;
                Assert.Equal(0.2 / factorial, a[2 * (n - 1)], 1e-15);
                Assert.Equal(3.0 / factorial, a[2 * (n - 1) + 1], 1e-15);
            }
            var model = result.Rules.Single(r => r.Name == "Thinned");
            var values = EmitFixture.Values(model, theta);
            var interpreted = EmitFixture.Evaluate(model.Coefficients.SelectMany(c => c.Derivatives), values);
            for (int i = 0; i < a.Length; i++) Assert.True(EmitFixture.Close(interpreted[i], a[i], 1e-12));
        }
        finally
        {
            compiled.Unload();
        }
    }

    [Fact]
    public void An_error_in_a_users_declaration_is_a_positioned_diagnostic_and_no_files()
    {
        var text = "distribution Broken(p > 0) {\n    support positive\n    cgf(t) = p*nosuch(t)\n}\n";
        var result = RuleGenerator.Generate(Workspace.Create([new SourceText("mine/broken.dist", text)]), 4);
        Assert.True(result.HasErrors);
        Assert.Empty(result.Files);
        var d = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.StartsWith("mine/broken.dist(3,16): error SC0102:", d.ToString());
    }
}
