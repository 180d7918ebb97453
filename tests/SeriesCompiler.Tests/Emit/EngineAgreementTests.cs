using SeriesCompiler.Generated;
using SeriesCompiler.Runtime.Rules;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// The three engines of a rule agree for every bundled distribution at random valid parameters (fixed seeds): the
/// tree interpreter (<c>ExprEvaluator</c> on the model's exact expressions), the class compiled in memory by Roslyn
/// now, and the class compiled at build time into SeriesCompiler.Distributions from <c>generated/</c>.
/// </summary>
public class EngineAgreementTests
{
    private const double Tolerance = 1e-12;
    private const int Draws = 5;

    public static TheoryData<string> Direct => EmitFixture.DirectNames();
    public static TheoryData<string> Derived => EmitFixture.DerivedNames();

    [Fact]
    public void Every_bundled_distribution_has_a_build_time_rule()
    {
        foreach (var rule in EmitFixture.Generated.Rules)
        {
            if (rule.IsDerived) Assert.NotNull(RuleRegistry.FindDerived(rule.Name));
            else Assert.NotNull(RuleRegistry.Find(rule.Name));
        }
        Assert.Null(RuleRegistry.Find("no such distribution"));
    }

    [Theory]
    [MemberData(nameof(Direct))]
    public void Cumulants_and_coefficients_agree_across_engines(string name)
    {
        var model = EmitFixture.Model(name);
        var inMemory = EmitFixture.InMemoryRule(name);
        var buildTime = RuleRegistry.Find(name)!;
        Assert.Equal(model.Coefficients.Length, buildTime.MultiIndices.Count);
        Assert.Equal(model.Order, buildTime.Order);
        Assert.Equal(model.Differentiable.Length, buildTime.Differentiable.Count);
        for (int m = 0; m < model.Coefficients.Length; m++)
            Assert.Equal(model.Coefficients[m].Index, buildTime.MultiIndices[m]);

        var random = new Random(20240 + name.Length);
        int rows = model.Coefficients.Length, columns = model.Differentiable.Length;
        for (int draw = 0; draw < Draws; draw++)
        {
            var theta = EmitFixture.RandomParameters(model.Parameters, random);
            buildTime.Validate(theta);
            inMemory.Validate(theta);
            var values = EmitFixture.Values(model, theta);

            var expectedC = EmitFixture.Evaluate(model.Coefficients.Select(c => c.Value), values);
            var expectedA = EmitFixture.Evaluate(model.Coefficients.SelectMany(c => c.Derivatives), values);
            var engines = new (string Engine, IDistributionRule Rule)[] { ("in-memory", inMemory), ("build-time", buildTime) };
            foreach (var (engine, rule) in engines)
            {
                var c = new double[rows];
                var a = new double[rows * columns];
                rule.Cumulants(theta, c);
                rule.Coefficients(theta, a);
                for (int m = 0; m < rows; m++)
                {
                    Assert.True(EmitFixture.Close(expectedC[m], c[m], Tolerance),
                        $"{name} {engine} c_{string.Join(",", model.Coefficients[m].Index)} at [{string.Join(", ", theta)}]: interpreter {expectedC[m]:R}, {engine} {c[m]:R}");
                    for (int p = 0; p < columns; p++)
                    {
                        double want = expectedA[m * columns + p], got = a[m * columns + p];
                        Assert.True(EmitFixture.Close(want, got, Tolerance),
                            $"{name} {engine} a_{string.Join(",", model.Coefficients[m].Index)},{model.Differentiable[p].Name} at [{string.Join(", ", theta)}]: interpreter {want:R}, {engine} {got:R}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Direct))]
    public void The_in_memory_and_build_time_classes_describe_the_same_rule(string name)
    {
        var inMemory = EmitFixture.InMemoryRule(name);
        var buildTime = RuleRegistry.Find(name)!;
        Assert.Equal(buildTime.Name, inMemory.Name);
        Assert.Equal(buildTime.Parameters, inMemory.Parameters);
        Assert.Equal(buildTime.Differentiable, inMemory.Differentiable);
        Assert.Equal(buildTime.Dimension, inMemory.Dimension);
        Assert.Equal(buildTime.Support, inMemory.Support);
        Assert.Equal(buildTime.HasClosedFormCgf, inMemory.HasClosedFormCgf);
        Assert.Equal(buildTime.CanSample, inMemory.CanSample);
        Assert.Equal(buildTime.HasPathwise, inMemory.HasPathwise);
        Assert.Equal(buildTime.HasLogDensity, inMemory.HasLogDensity);
        Assert.Equal(EmitFixture.Model(name).Parameters.Select(p => p.Name), buildTime.Parameters.Select(p => p.Name));
    }

    /// <summary>
    /// A derived distribution's latent arguments and their Jacobian, pushed through the latent's own build-time rule
    /// (the chain rule), give the component coefficients that the interpreter computes from the model.
    /// </summary>
    [Theory]
    [MemberData(nameof(Derived))]
    public void Derived_components_agree_with_the_chain_rule(string name)
    {
        var model = EmitFixture.Model(name);
        var derived = RuleRegistry.FindDerived(name)!;
        Assert.Equal(model.Components.Length, derived.Latents.Count);
        if (derived.IsFamily) return; // a family's components are written in alpha[j]; its own tests cover them

        var random = new Random(4711 + name.Length);
        for (int draw = 0; draw < Draws; draw++)
        {
            var theta = EmitFixture.RandomParameters(model.Parameters, random);
            var values = EmitFixture.Values(model, theta);
            for (int latent = 0; latent < model.Components.Length; latent++)
            {
                var component = model.Components[latent];
                var latentRule = RuleRegistry.Find(component.Distribution)!;
                var arguments = new double[component.Arguments.Length];
                var jacobian = new double[component.Arguments.Length * theta.Length];
                derived.LatentArguments(theta, latent, 0, arguments, jacobian);
                var expectedArguments = EmitFixture.Evaluate(component.Arguments, values);
                for (int q = 0; q < arguments.Length; q++)
                    Assert.True(EmitFixture.Close(expectedArguments[q], arguments[q], Tolerance), $"{name}.{component.Name} argument {q}");

                // d c_n / d theta_p = sum_q (d c_n / d arg_q) (d arg_q / d theta_p); the latent rule differentiates in its own parameters.
                int rows = latentRule.MultiIndices.Count, own = latentRule.Differentiable.Count;
                var a = new double[rows * own];
                latentRule.Coefficients(arguments, a);
                for (int m = 0; m < rows; m++)
                {
                    var expected = EmitFixture.Evaluate(component.Coefficients[m].Derivatives, values);
                    for (int p = 0; p < model.Differentiable.Length; p++)
                    {
                        int slot = model.Parameters.IndexOf(model.Differentiable[p]);
                        double chained = 0;
                        for (int k = 0; k < own; k++)
                            chained += a[m * own + k] * jacobian[latentRule.Differentiable[k] * theta.Length + slot];
                        Assert.True(EmitFixture.Close(expected[p], chained, Tolerance),
                            $"{name}.{component.Name} a_{m + 1},{model.Differentiable[p].Name}: interpreter {expected[p]:R}, chain rule {chained:R}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Derived))]
    public void Derived_rules_accept_valid_parameters_and_refuse_invalid_ones(string name)
    {
        var model = EmitFixture.Model(name);
        var derived = RuleRegistry.FindDerived(name)!;
        // A family takes K values per vector parameter: three components here.
        var parameters = derived.IsFamily ? model.Parameters.SelectMany(p => p.VectorSize is null ? [p] : Enumerable.Repeat(p, 3)).ToList() : model.Parameters.ToList();
        var theta = EmitFixture.RandomParameters(parameters, new Random(7));
        derived.Validate(theta);
        Assert.Equal(derived.IsFamily ? 3 : 1, derived.FamilySize(theta));
        theta[0] = -1;
        Assert.ThrowsAny<ArgumentException>(() => derived.Validate(theta));
    }

    [Fact]
    public void The_in_memory_context_unloads()
    {
        var result = SeriesCompiler.Emit.Roslyn.InMemoryCompiler.Compile(
            [("gamma.g.cs", EmitFixture.Generated.Files.Single(f => f.FileName == "GammaRule.g.cs").Content)],
            ["SeriesCompiler.Generated.GammaRule"]);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("Gamma", result.Rules[0].Name);
        Assert.True(result.Context!.IsCollectible);
        result.Unload();
    }
}
