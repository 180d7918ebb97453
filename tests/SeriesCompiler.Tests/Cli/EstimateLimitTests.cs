using System.Diagnostics;
using SeriesCompiler.Cli.Commands;
using SeriesCompiler.Cli.Infrastructure;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// Issue 18, item 6: estimate predicts its work and refuses, at once, a run past the documented limit unless --force;
/// its numeric options are checked with messages that name the option and its range.
/// </summary>
public class EstimateLimitTests
{
    private static CliHarness.Result Timed(TimeSpan limit, params string[] args)
    {
        var watch = Stopwatch.StartNew();
        var result = CliHarness.Run(args);
        Assert.True(watch.Elapsed < limit, $"took {watch.Elapsed.TotalSeconds:F1} s: {string.Join(" ", args)}");
        return result;
    }

    [Theory]
    // The probes: S·D² on the resummed default path; no feedback at 2e9 samples; a family of 3000 components.
    [InlineData("normal", "mu=0,sigma=1", "z^2", "--dims", "10000", "--samples", "10")]
    [InlineData("normal", "mu=0,sigma=1", "z^2", "--samples", "2000000000")]
    [InlineData("gamma", "k=2.5,mu=0.7", "z", "--dims", "100000", "--estimator", "all")]
    [InlineData("normal", "mu=0,sigma=1", "z^2", "--dims", "3000", "--derivatives", "stencil", "--order", "8")]
    public void A_run_past_the_limit_is_refused_at_once_naming_force(string distribution, string at, string f, params string[] options)
    {
        var result = Timed(TimeSpan.FromSeconds(10), ["estimate", distribution, "--at", at, "--f", f, .. options]);
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("--force", result.Err);
        Assert.Contains("predicted", result.Err);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void A_large_family_is_refused_at_once()
    {
        string alpha = "alpha=[" + string.Join(",", Enumerable.Repeat("1.5", 3000)) + "]";
        var result = Timed(TimeSpan.FromSeconds(10), "estimate", "dirichlet", "--at", alpha, "--f", "z[0]^2");
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("3000 coordinates", result.Err);
        Assert.Contains("--force", result.Err);
    }

    [Fact]
    public void Force_skips_the_prediction()
    {
        // With --force the cost check is skipped; the run then stops at the next check, the parameter vector's size
        // (which --force does not lift), instead of the prediction.
        var result = Timed(TimeSpan.FromSeconds(10), "estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", "--dims", "2000000000", "--force");
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.DoesNotContain("predicted", result.Err);
        Assert.Contains("--dims 2000000000", result.Err);
        var without = CliHarness.Run("estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", "--dims", "2000000000");
        Assert.Equal(ExitCodes.UsageError, without.ExitCode);
    }

    [Theory]
    [InlineData("normal", "mu=0,sigma=1", "--samples", "10000")]
    [InlineData("normal", "mu=0,sigma=1", "--dims", "100", "--samples", "1000")]
    [InlineData("gamma", "k=2.5,mu=0.7", "--estimator", "all", "--samples", "100000")]
    [InlineData("dirichlet", "alpha=[1,2,3,4,5,6,7,8,9,10]", "--samples", "10000")]
    public void Ordinary_runs_are_within_the_limit(string distribution, string at, params string[] options)
    {
        var declaration = LoadFor(distribution);
        var settings = new EstimateCost.Settings(
            Samples: int.Parse(Option(options, "--samples") ?? "10000"), Dims: int.Parse(Option(options, "--dims") ?? "1"),
            Order: 8, OrderGiven: false, Stencil: false, Estimators: Option(options, "--estimator") == "all" ? ["fourier", "resummed", "score", "pathwise"] : ["fourier"]);
        int coordinates = distribution == "dirichlet" ? 10 : 1;
        int slots = distribution == "dirichlet" ? 10 : 2;
        double predicted = EstimateCost.Predict(declaration, slots, coordinates, settings);
        Assert.True(predicted < EstimateCost.Limit / 5, $"{predicted:E2}");
        Assert.Null(EstimateCost.Refusal(predicted, settings, coordinates));
        _ = at;
    }

    [Fact]
    public void The_prediction_grows_as_the_work_does()
    {
        var normal = LoadFor("normal");
        double Predict(int samples, int dims, string estimator = "resummed") =>
            EstimateCost.Predict(normal, 2, 1, new EstimateCost.Settings(samples, dims, 8, true, false, [estimator]));
        Assert.Equal(2 * Predict(1000, 10), Predict(2000, 10), 6);
        // Re-evaluating f per shifted coordinate: quadratic in D, for large D.
        Assert.InRange(Predict(10, 20000) / Predict(10, 10000), 3.9, 4.0);
        // The series with jets is linear in D.
        Assert.InRange(Predict(10, 20000, "fourier") / Predict(10, 10000, "fourier"), 1.99, 2.01);
    }

    [Theory]
    [InlineData("--samples", "1e12", "--samples must be a whole number from 1 to 2147483647")]
    [InlineData("--samples", "abc", "not a number")]
    [InlineData("--samples", "0", "--samples must be at least 1, got 0")]
    [InlineData("--samples", "-5", "--samples must be at least 1, got -5")]
    [InlineData("--dims", "0", "--dims must be at least 1, got 0")]
    [InlineData("--samples", "2.5", "--samples must be a whole number")]
    [InlineData("--samples", "NaN", "--samples must be a whole number")]
    [InlineData("--dims", "1e400", "--dims must be a whole number")]
    [InlineData("--dims", "0x10", "--dims must be a whole number")]
    [InlineData("--seed", "-1", "--seed must be a whole number from 0 to 18446744073709551615")]
    [InlineData("--seed", "18446744073709551616", "--seed must be a whole number")]
    public void Bad_numbers_are_a_clear_usage_error(string option, string value, string message)
    {
        var result = CliHarness.Run("estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", option, value);
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(message, result.Err);
        Assert.DoesNotContain("System.", result.Err);
    }

    [Fact]
    public void An_exact_power_of_ten_is_a_whole_number()
    {
        var result = CliHarness.Run("estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", "--samples", "1e3", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"samples\": 1000", result.Out);
    }

    [Fact]
    public void Messages_drop_the_internal_parameter_decorations()
    {
        Assert.Equal("The value must be positive.", Messages.Clean(new ArgumentOutOfRangeException("z", 0, "The value must be positive.")));
        Assert.Equal("Weights must be non-negative.", Messages.Clean(new ArgumentException("Weights must be non-negative.", "weights")));
        Assert.Equal("two lines", Messages.Clean(new InvalidOperationException("two\nlines")));
    }

    private static string? Option(string[] options, string name)
    {
        int i = Array.IndexOf(options, name);
        return i >= 0 ? options[i + 1] : null;
    }

    private static SeriesCompiler.Symbolic.Binding.BoundDistribution LoadFor(string name)
    {
        var context = new CliContext(new StringWriter(), new StringWriter(), Path.GetTempPath(), AppContext.BaseDirectory);
        return DistributionResolver.Load(context, name).Declaration;
    }
}
