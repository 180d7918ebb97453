using System.Globalization;
using SeriesCompiler.Experiments;
using Xunit;

namespace SeriesCompiler.Tests.Experiments;

/// <summary>
/// Each experiment's quick run completes, writes CSV, PNG and summary.md with finite numbers only, and its loss
/// improves; on gamma-quadratic the Fourier gradient's variance is below the score function's. The runs use fixed
/// seeds, so these are properties of the estimators measured the same way every time.
/// </summary>
[Collection("experiments")] // one at a time: each run already uses both cores
public sealed class QuickExperimentTests
{
    private static (string Folder, ExperimentResult Result) RunQuick(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "seriesc-tests", name + "-" + Guid.NewGuid().ToString("N"));
        var result = ExperimentCatalog.Find(name)!.Run(new ExperimentOptions(folder, Quick: true));
        return (folder, result);
    }

    /// <summary>The CSV as rows of (estimator, setting, step, metrics by name).</summary>
    private static List<(string Setting, string Estimator, int Seed, int Step, Dictionary<string, double> Values)> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var rows = new List<(string, string, int, int, Dictionary<string, double>)>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            var values = new Dictionary<string, double>();
            for (int i = 4; i < header.Length; i++) values[header[i]] = double.Parse(f[i], CultureInfo.InvariantCulture);
            rows.Add((f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture), values));
        }
        return rows;
    }

    private static void AssertOutputs(string folder, ExperimentResult result)
    {
        Assert.Contains(result.Files, f => f.EndsWith(".csv", StringComparison.Ordinal));
        Assert.Contains(result.Files, f => f.EndsWith(".png", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(folder, "summary.md")));
        foreach (var png in result.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
            Assert.True(new FileInfo(png).Length > 5_000, $"{png} looks empty");
        foreach (var csv in result.Files.Where(f => f.EndsWith(".csv", StringComparison.Ordinal)))
            Assert.All(ReadCsv(csv), r => Assert.All(r.Values.Values, v => Assert.True(double.IsFinite(v), $"{csv}: {r.Estimator} step {r.Step}")));
        Assert.DoesNotContain("NaN", File.ReadAllText(Path.Combine(folder, "summary.md")));
    }

    private static double MeanAt(IEnumerable<(string Setting, string Estimator, int Seed, int Step, Dictionary<string, double> Values)> rows, string metric, bool last)
    {
        var list = rows.ToList();
        int step = last ? list.Max(r => r.Step) : list.Min(r => r.Step);
        return list.Where(r => r.Step == step).Average(r => r.Values[metric]);
    }

    [Theory]
    [InlineData("gamma-quadratic")]
    [InlineData("gamma-exp")]
    public void Gamma_quick_runs_complete_and_every_estimator_lowers_the_loss(string name)
    {
        var (folder, result) = RunQuick(name);
        AssertOutputs(folder, result);
        var rows = ReadCsv(result.Files.Single(f => f.EndsWith(".csv", StringComparison.Ordinal)));
        foreach (var group in rows.GroupBy(r => (r.Setting, r.Estimator)))
            Assert.True(MeanAt(group, "loss", last: true) < MeanAt(group, "loss", last: false), $"{name} {group.Key}: the loss did not decrease");
    }

    [Fact]
    public void Gamma_quadratic_fourier_gradient_has_lower_variance_than_the_score_function()
    {
        var (_, result) = RunQuick("gamma-quadratic");
        var rows = ReadCsv(result.Files.Single(f => f.EndsWith(".csv", StringComparison.Ordinal)));
        foreach (var setting in rows.Select(r => r.Setting).Distinct())
        {
            // Averaged over every logged step and seed: log10 variances.
            double fourier = rows.Where(r => r.Setting == setting && r.Estimator == "fourier").Average(r => r.Values["log10_gradient_variance"]);
            double score = rows.Where(r => r.Setting == setting && r.Estimator == "score").Average(r => r.Values["log10_gradient_variance"]);
            Assert.True(fourier < score, $"{setting}: fourier {fourier:F2} vs score {score:F2}");
        }
    }

    [Fact]
    public void Laplace_logreg_quick_run_completes_and_the_elbo_improves()
    {
        var (folder, result) = RunQuick("laplace-logreg");
        AssertOutputs(folder, result);
        var rows = ReadCsv(result.Files.Single(f => f.EndsWith(".csv", StringComparison.Ordinal)));
        foreach (var estimator in new[] { "resummed", "pathwise", "fourier N=4" })
        {
            var group = rows.Where(r => r.Estimator == estimator);
            Assert.True(MeanAt(group, "elbo", last: true) > MeanAt(group, "elbo", last: false), $"{estimator}: the ELBO did not improve");
        }
    }

    [Fact]
    public void Laplace_truncation_quick_run_completes_with_finite_numbers()
    {
        var (folder, result) = RunQuick("laplace-truncation");
        AssertOutputs(folder, result);
        Assert.Equal(3, result.Files.Count(f => f.EndsWith(".csv", StringComparison.Ordinal))); // levels, point, training
    }

    [Fact]
    public void The_catalog_names_the_four_experiments_of_the_paper()
    {
        Assert.Equal(["gamma-quadratic", "gamma-exp", "laplace-logreg", "laplace-truncation"], ExperimentCatalog.All.Take(4).Select(e => e.Name));
    }
}

[CollectionDefinition("experiments", DisableParallelization = true)]
public sealed class ExperimentsCollection;
