using SeriesCompiler.Cli.Commands;
using SeriesCompiler.Cli.Infrastructure;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>Issue 17, item 4: typos get suggestions, names complete, help shows one default, the estimate table fits.</summary>
public class HelpfulCommandLineTests
{
    [Theory]
    [InlineData("transposition", "gmama", "gamma", 1)]
    [InlineData("deletion", "coefficent", "coefficients", 2)]
    [InlineData("insertion", "gammma", "gamma", 1)]
    [InlineData("substitution", "poissun", "poisson", 1)]
    [InlineData("same word", "beta", "beta", 0)]
    public void Edit_distance_counts_a_typists_slips(string _, string a, string b, int expected) =>
        Assert.Equal(expected, Suggestions.Distance(a, b));

    [Fact]
    public void Nothing_close_suggests_nothing()
    {
        Assert.Equal("", Suggestions.DidYouMean("zzzzzz", ["gamma", "beta", "normal"]));
        Assert.Equal("", Suggestions.DidYouMean("", ["gamma"]));
        Assert.Equal(" (did you mean 'gamma'?)", Suggestions.DidYouMean("GAMA", ["gamma", "beta"]));
    }

    [Theory]
    [InlineData("'coefficients'", "coefficent")]
    [InlineData("'estimate'", "estimat", "gamma")]
    [InlineData("'--order'", "coefficients", "gamma", "--oder", "3")]
    [InlineData("'json'", "coefficients", "gamma", "--format", "jsn")]
    [InlineData("'stencil'", "estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", "--derivatives", "stencl")]
    [InlineData("'--samples'", "estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", "--sample", "20")]
    public void A_misspelt_command_or_option_gets_a_suggestion_and_exit_code_2(string suggestion, params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains($"(did you mean {suggestion}?)", result.Err);
    }

    [Fact]
    public void A_misspelt_distribution_gets_a_suggestion()
    {
        var result = CliHarness.Run("coefficients", "gama");
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("'gama' is neither a file nor a bundled distribution (did you mean 'gamma'?)", result.Err);
    }

    [Fact]
    public void A_misspelt_experiment_gets_a_suggestion()
    {
        var result = CliHarness.Run("experiment", "gama-quadratic");
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("unknown experiment 'gama-quadratic' (did you mean 'gamma-quadratic'?)", result.Err);
    }

    [Fact]
    public void Distribution_names_complete()
    {
        // The [suggest:POSITION] directive, as dotnet-suggest calls it: the cursor at the end of "coefficients ga".
        var result = CliHarness.Run("[suggest:15]", "coefficients ga");
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("gamma", lines);
        Assert.DoesNotContain("beta", lines);
        Assert.DoesNotContain("normal", lines);
    }

    [Fact]
    public void Experiment_names_complete()
    {
        var result = CliHarness.Run("[suggest:13]", "experiment ga");
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["gamma-exp", "gamma-quadratic"], lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compile_help_shows_each_default_once()
    {
        var result = CliHarness.Run("compile", "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("[default: generated]", result.Out);
        Assert.DoesNotContain("(default generated/)", result.Out);
        Assert.Contains("[default: SeriesCompiler.Generated]", result.Out);
        Assert.DoesNotContain("(default SeriesCompiler.Generated)", result.Out);
    }

    [Fact]
    public void The_estimate_table_fits_in_100_columns_and_wide_keeps_the_method()
    {
        string[] args = ["estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "(z-0.49)^2", "--estimator", "all", "--samples", "200"];
        var narrow = CliHarness.Run(args);
        Assert.Equal(0, narrow.ExitCode);
        var lines = narrow.Out.Split('\n');
        Assert.All(lines, l => Assert.True(l.TrimEnd('\r').Length <= EstimateCommand.TableWidth, l));
        Assert.StartsWith("estimator  order  parameter  gradient", lines.Single(l => l.StartsWith("estimator")));
        // The method is still there, under the table: the resummed rule's formula.
        Assert.Contains(lines, l => l.StartsWith("resummed: resummed: d/dk:"));

        var wide = CliHarness.Run([.. args, "--wide"]);
        Assert.Equal(0, wide.ExitCode);
        Assert.StartsWith("estimator  method", wide.Out.Split('\n').Single(l => l.StartsWith("estimator")));
    }

    [Fact]
    public void Estimate_json_has_no_table_and_no_wide_effect()
    {
        string[] args = ["estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "(z-0.49)^2", "--samples", "200", "--format", "json"];
        var plain = CliHarness.Run(args);
        var wide = CliHarness.Run([.. args, "--wide"]);
        Assert.Equal(0, plain.ExitCode);
        // Same numbers and fields ("seconds" aside, which is a timing).
        static string WithoutSeconds(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"seconds\":[^,}]*", "");
        Assert.Equal(WithoutSeconds(plain.Out), WithoutSeconds(wide.Out));
        Assert.StartsWith("{", plain.Out.TrimStart());
    }

    [Fact]
    public void Check_summary_counts_errors_on_standard_error_only()
    {
        string dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "a.dist"), "distribution A(a) {\n    support real\n    cgf(t) = a*t +\n}\n");
        File.WriteAllText(Path.Combine(dir, "b.dist"), "distribution B(b > 0) {\n    support real\n    cgf(t) = b*t\n}\n");
        var result = CliHarness.RunIn(dir, "check", ".", "--order", "4");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        var last = result.Err.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("seriesc: checked ", last);
        Assert.Contains("in 2 files to order 4: 1 error,", last);
    }
}
