using SeriesCompiler.Emit;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// Names and text from a declaration never break out of the generated code: a distribution named after a C#
/// keyword, parameters with Unicode letters, comment text with <c>*/</c>, quotes, backslashes and braces, and a file
/// name with all of those and a line break. The code compiles and does what the declaration says.
/// </summary>
public class SafetyTests
{
    private const string Hostile = """
        # A gamma under a hostile name. */ "quoted" \ {0} {{ }} <summary></summary> /* // \u0022 @"x" $"{y}"
        distribution class(λ > 0, μ_ä > 0) { # */ " ' \ trailing comment after the brace
            support positive # "support" */
            logcf(w) = -λ * log(1 - i*μ_ä*w) # */ } } class X { } /*
            logpdf(z) = (λ - 1)*log(z) - z/μ_ä - lgamma(λ) - λ*log(μ_ä)
            sample = μ_ä * gamma(λ) # "
        }
        """;

    private static (GenerationResult Result, IDistributionRule Rule, CompiledRules Compiled) Compile(string text, string path)
    {
        var workspace = Workspace.Create([new SourceText(path, text)], EmitFixture.BundledSources());
        var result = RuleGenerator.Generate(workspace, EmitFixture.Order);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var typeName = RuleEmitter.TypeName(result.Rules.Single().Name);
        var compiled = InMemoryCompiler.Compile(result.Files.Select(f => (f.FileName, f.Content)).ToList(), [typeName]);
        Assert.True(compiled.Success, string.Join("\n", compiled.Errors));
        return (result, compiled.Rules.Single(), compiled);
    }

    [Fact]
    public void A_keyword_name_unicode_parameters_and_hostile_comments_compile_and_mean_what_they_say()
    {
        var (result, rule, compiled) = Compile(Hostile, "weird */ \"name\" \\ {x}\nnext line.dist");
        try
        {
            Assert.Equal("class", rule.Name);
            Assert.Equal(["λ", "μ_ä"], rule.Parameters.Select(p => p.Name));
            Assert.Equal("λ > 0", rule.Parameters[0].Constraint);

            // The same numbers as the bundled Gamma(k, mu) at the same values.
            var gamma = SeriesCompiler.Generated.RuleRegistry.Find("gamma")!;
            double[] theta = [2.5, 0.7];
            var a = new double[rule.MultiIndices.Count * 2];
            var expected = new double[a.Length];
            rule.Coefficients(theta, a);
            gamma.Coefficients(theta, expected);
            Assert.Equal(expected, a);
            Assert.Equal(gamma.LogDensity(theta, [1.3]), rule.LogDensity(theta, [1.3]));

            // The constraint check names the parameter as declared.
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => rule.Validate([-1.0, 0.7]));
            Assert.Contains("'λ'", ex.Message);

            // No text of the declaration lands outside a comment or a string literal.
            string code = result.Files.Single(f => f.FileName.EndsWith("Rule.g.cs", StringComparison.Ordinal) && f.FileName != "RuleRegistry.g.cs").Content;
            Assert.DoesNotContain("class X", code);
            Assert.DoesNotContain("\nnext line", code);
            Assert.Contains("public sealed class ClassRule", code);
        }
        finally
        {
            compiled.Unload();
        }
    }

    [Fact]
    public void Names_that_differ_only_in_escaped_characters_are_refused_with_a_diagnostic()
    {
        const string text = """
            distribution A_u00E4(p > 0) {
                support positive
                cgf(t) = p*t
            }
            distribution Aä(p > 0) {
                support positive
                cgf(t) = p*t
            }
            """;
        var result = RuleGenerator.Generate(Workspace.Create([new SourceText("twins.dist", text)]), 2);
        Assert.True(result.HasErrors);
        Assert.Contains(result.Diagnostics, d => d.Id == DiagnosticCatalogue.TypeNameCollision.Id && d.Path == "twins.dist");
        Assert.Empty(result.Files);
    }
}
