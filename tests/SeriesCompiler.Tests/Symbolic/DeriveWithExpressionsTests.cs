using SeriesCompiler.Symbolic;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// The series engine builds a coefficient's expressions on first read; commands that print or evaluate coefficients
/// derive through <see cref="Workspace.DeriveWithExpressions"/>, which builds them all under a work budget so that a
/// failure there is a diagnostic. For every bundled declaration it must give the lazy derivation's model and
/// diagnostics, with every c_n and a_{n,p} already built (here: equal to the eager rebuild of an independent workspace).
/// </summary>
public sealed class DeriveWithExpressionsTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    public void Gives_the_lazy_models_with_every_expression_built(int order)
    {
        var files = Directory.GetFiles(DistributionsFolder, "*.dist").Order(StringComparer.Ordinal)
            .Select(f => SeriesCompiler.Symbolic.Diagnostics.SourceText.FromFile(f)).ToList();
        var lazy = Workspace.Create(files);
        var built = Workspace.Create(files);
        int checkedCoefficients = 0;
        foreach (var d in built.Distributions)
        {
            var (rule, diagnostics) = built.DeriveWithExpressions(d, order);
            var (expected, expectedDiagnostics) = lazy.Derive(lazy.Find(d.Name)!, order);
            Assert.Equal(expectedDiagnostics.Select(x => x.ToString()), diagnostics.Select(x => x.ToString()));
            Assert.NotNull(rule);
            Assert.Equal(expected, rule); // value equality reads every coefficient of both
            foreach (var c in rule!.Coefficients)
            {
                Assert.NotNull(c.Value);
                Assert.Equal(rule.Differentiable.Length, c.Derivatives.Length);
                checkedCoefficients++;
            }
            foreach (var c in rule.Components.SelectMany(component => component.Coefficients))
            {
                Assert.NotNull(c.Value);
                _ = c.Derivatives.Count;
                checkedCoefficients++;
            }
            // Cached: the second call returns the same model.
            Assert.Same(rule, built.DeriveWithExpressions(d, order).Rule);
        }
        Assert.True(checkedCoefficients > 100, $"only {checkedCoefficients} coefficients");
    }
}
