using System.Globalization;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Experiments;
using SeriesCompiler.Experiments.Discrete;
using SeriesCompiler.Experiments.Output;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Experiments;

/// <summary>
/// Issue 14: <c>--replot</c> draws an experiment's figures and summary tables from the CSVs in the output folder alone
/// (the committed runs keep CSVs, not job files). A run, then a replot of its folder, draw the same series (compared as
/// data: file, title, name, axis, x, y, band) and write the same summary.md; the CSVs are not touched; and a changed CSV
/// value changes what is drawn, so the replot reads the CSV rather than anything the run left behind.
/// </summary>
[Collection("experiments")]
public sealed class ExperimentReplotTests
{
    private static string Key(Plots.DrawnSeries s)
    {
        static string Xs(double[] v) => string.Join(" ", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
        return $"{s.File} | {s.Title} | {s.Name} | log={s.LogScale} | x {Xs(s.X)} | y {Xs(s.Y)} | low {Xs(s.Low)} | high {Xs(s.High)}";
    }

    private static (List<string> Series, ExperimentResult Result) Draw(IExperiment experiment, ExperimentOptions options)
    {
        var drawn = new List<Plots.DrawnSeries>();
        ExperimentResult result;
        using (Plots.Capture(drawn)) result = experiment.Run(options);
        return ([.. drawn.Select(Key)], result);
    }

    public static TheoryData<string> Runs => ["gamma-quadratic", "laplace-truncation", "sbn-bernoulli smoke"];

    private static (IExperiment Experiment, ExperimentOptions Options) Small(string run, string folder) => run switch
    {
        "gamma-quadratic" => (ExperimentCatalog.Find(run)!, new ExperimentOptions(folder, Quick: true) { Seeds = 2, Steps = 150 }),
        "laplace-truncation" => (ExperimentCatalog.Find(run)!, new ExperimentOptions(folder, Quick: true) { Seeds = 2, Steps = 40 }),
        _ => (new DiscreteLatentExperiment(DiscreteLatentExperiment.Kind.SigmoidBeliefNetwork, smoke: true), new ExperimentOptions(folder, Quick: true)),
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void A_replot_draws_the_runs_series_and_summary_from_its_csvs_alone(string run)
    {
        string folder = Path.Combine(TempDirectory.Create(), "run");
        var (experiment, options) = Small(run, folder);
        var (drawn, result) = Draw(experiment, options);
        Assert.NotEmpty(drawn);
        var csvs = result.Files.Where(f => f.EndsWith(".csv", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(csvs);
        var bytes = csvs.ToDictionary(f => f, File.ReadAllBytes);
        string summary = File.ReadAllText(Path.Combine(folder, "summary.md"));
        Assert.Contains("Run time", summary);

        // As the committed runs: the CSVs and summary.md only, no job files and no figures.
        Directory.Delete(Path.Combine(folder, JobRunner.JobsFolder), recursive: true);
        foreach (var png in Directory.GetFiles(folder, "*.png")) File.Delete(png);

        var (redrawn, replot) = Draw(experiment, new ExperimentOptions(folder, Quick: false) { Replot = true });
        Assert.Equal(drawn, redrawn);
        Assert.Equal(summary, File.ReadAllText(Path.Combine(folder, "summary.md")));
        foreach (var (path, b) in bytes) Assert.Equal(b, File.ReadAllBytes(path));
        Assert.Equal(result.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            replot.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.All(replot.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)), f => Assert.True(new FileInfo(f).Length > 5_000, f));

        // The metrics of the first CSV's last row changed: the replot draws (or tabulates) something else.
        var lines = File.ReadAllLines(csvs[0]);
        var fields = lines[^1].Split(',');
        for (int i = 4; i < fields.Length; i++)
            if (double.TryParse(fields[i], CultureInfo.InvariantCulture, out double v))
                fields[i] = (v * 0.5 + 0.25).ToString("R", CultureInfo.InvariantCulture);
        lines[^1] = string.Join(",", fields);
        File.WriteAllLines(csvs[0], lines);
        var (changed, _) = Draw(experiment, new ExperimentOptions(folder, Quick: false) { Replot = true });
        Assert.False(changed.SequenceEqual(drawn) && File.ReadAllText(Path.Combine(folder, "summary.md")) == summary, "a changed CSV value changed nothing");
    }

    [Fact]
    public void The_truncation_study_trains_once_per_seed_and_seed_0_gives_the_trained_point()
    {
        string folder = Path.Combine(TempDirectory.Create(), "run");
        ExperimentCatalog.Find("laplace-truncation")!.Run(new ExperimentOptions(folder, Quick: true) { Seeds = 2, Steps = 40 });
        var training = new RunLog(["mse_vs_pathwise", "mse_vs_score", "norm_fourier_N8", "norm_pathwise"]).ReadCsv(Path.Combine(folder, "laplace-truncation-training.csv"));
        var point = new RunLog(["mu", "b"]).ReadCsv(Path.Combine(folder, "laplace-truncation-point.csv"));
        Assert.Equal(2, training.SeedCount);
        var norms = training.Values("training", "fourier N=8", "norm_pathwise").ToList();
        var seed0 = norms.Where(r => r.Seed == 0).Select(r => (r.Step, r.Value)).ToList();
        var seed1 = norms.Where(r => r.Seed == 1).Select(r => (r.Step, r.Value)).ToList();
        Assert.Equal(seed0.Select(r => r.Step), seed1.Select(r => r.Step));
        Assert.NotEqual(seed0.Select(r => r.Value), seed1.Select(r => r.Value)); // independent runs, not copies
        Assert.Equal(1, point.SeedCount);
        Assert.Equal(31, point.Values("trained", "parameters", "b").Count());
        string summary = File.ReadAllText(Path.Combine(folder, "summary.md"));
        Assert.Contains("show the mean of 2 pathwise training runs", summary);
    }

    [Fact]
    public void Replot_options_are_checked_before_any_work()
    {
        string empty = Path.Combine(TempDirectory.Create(), "empty");
        var missing = CliHarness.Run("experiment", "laplace-logreg", "--replot", "--out", empty);
        Assert.Equal(ExitCodes.InputError, missing.ExitCode);
        Assert.Contains("laplace-logreg.csv' is not there", missing.Err);
        Assert.DoesNotContain("   at ", missing.Err);

        var both = CliHarness.Run("experiment", "gamma-exp", "--replot", "--resume", "--out", empty);
        Assert.Equal(ExitCodes.UsageError, both.ExitCode);
        Assert.Contains("not both", both.Err);
        var seeds = CliHarness.Run("experiment", "gamma-exp", "--replot", "--seeds", "2", "--out", empty);
        Assert.Equal(ExitCodes.UsageError, seeds.ExitCode);
        Assert.Contains("--replot redraws the run in --out", seeds.Err);

        // A CSV that is not an experiment's: the file and line are named.
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "gamma-exp.csv"), "setting,estimator,seed,step,loss,log10_gradient_variance\nd=1,fourier,0,0,0.5,x\n");
        var malformed = CliHarness.Run("experiment", "gamma-exp", "--replot", "--out", empty);
        Assert.Equal(ExitCodes.InputError, malformed.ExitCode);
        Assert.Contains("gamma-exp.csv:2: 'x' is not a number", malformed.Err);
    }

    [Theory]
    [InlineData(0.59, 1.05, "0.6 0.7 0.8 0.9 1")]
    [InlineData(68, 2100, "100 200 500 1000 2000")]
    [InlineData(0.0029, 0.021, "0.005 0.01 0.02")]
    public void Log_axes_under_two_decades_get_labelled_ticks_between_the_powers_of_ten(double low, double high, string labels)
    {
        var ticks = Plots.LogTicks(Math.Log10(low), Math.Log10(high));
        Assert.Equal(labels, string.Join(" ", ticks.Where(t => t.IsMajor).Select(t => t.Label)));
        Assert.All(ticks, t => Assert.InRange(t.Position, Math.Log10(low), Math.Log10(high)));
    }
}
