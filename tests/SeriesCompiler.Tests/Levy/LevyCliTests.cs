using System.Text.Json;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Levy;

/// <summary>
/// seriesc for laws with a stable part: check accepts them, coefficients prints the generator rule (not a failure),
/// estimate's fourier default and resummed use it with score and pathwise beside, and a truncated series is refused
/// with the reason.
/// </summary>
public sealed class LevyCliTests
{
    [Fact]
    public void Check_accepts_the_bundled_heavy_tailed_laws()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "distributions");
        var result = CliHarness.Run("check", Path.Combine(folder, "cauchy.dist"), Path.Combine(folder, "stable.dist"));
        Assert.True(result.ExitCode == 0, result.Err);
    }

    [Fact]
    public void Coefficients_print_the_generator_rule_in_table_and_json()
    {
        var table = CliHarness.Run("coefficients", "cauchy", "--order", "4");
        Assert.True(table.ExitCode == 0, table.Err);
        Assert.Contains("no Taylor series at w = 0", table.Out);
        Assert.Contains("d/dg: 1/pi * E[f''(z + (V1 - V2)*V3^(1))]", table.Out);
        Assert.Contains("d/dx0: 1 * E[f'(z)]", table.Out);

        var json = CliHarness.Run("coefficients", "stable", "--order", "3", "--at", "x0=0.2,sigma=1.5", "--format", "json");
        Assert.True(json.ExitCode == 0, json.Err);
        using var doc = JsonDocument.Parse(json.Out);
        var root = doc.RootElement;
        // The cli.md shape is kept: one entry per n (the analytic part's series: c_1 = x0, nothing above).
        Assert.Equal(3, root.GetProperty("coefficients").GetArrayLength());
        Assert.Equal(0.2, root.GetProperty("coefficients")[0].GetProperty("c").GetDouble());
        Assert.Equal("generator", root.GetProperty("resummed").GetProperty("sigma").GetProperty("form").GetString());
        Assert.Equal(1.5, root.GetProperty("levy")[0].GetProperty("alpha").GetDouble());
    }

    [Fact]
    public void Estimate_uses_the_generator_rule_by_default_with_the_baselines_beside_it()
    {
        var result = CliHarness.Run("estimate", "cauchy", "--at", "x0=0.3,g=0.5", "--f", "1/(1 + z^2)", "--estimator", "all",
            "--samples", "4000", "--format", "json");
        Assert.True(result.ExitCode == 0, result.Err);
        using var doc = JsonDocument.Parse(result.Out);
        var estimates = doc.RootElement.GetProperty("estimates").EnumerateArray().ToList();
        foreach (var name in new[] { "fourier", "score", "pathwise" })
        {
            var e = estimates.Single(x => x.GetProperty("estimator").GetString() == name);
            Assert.False(e.TryGetProperty("error", out var error), $"{name}: {error}");
            Assert.True(double.IsFinite(e.GetProperty("gradient").GetProperty("g").GetDouble()));
        }
        Assert.Contains("V3^(1)", result.Out);
    }

    [Fact]
    public void A_truncated_series_is_refused_with_the_reason()
    {
        var result = CliHarness.Run("estimate", "stable", "--at", "x0=0,sigma=1", "--f", "exp(-z^2)", "--order", "4", "--format", "json");
        Assert.Contains("no Taylor series at w = 0", result.Out + result.Err);
    }
}
