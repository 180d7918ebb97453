using System.Globalization;
using Xunit;

namespace SeriesCompiler.Tests.Experiments;

/// <summary>
/// Issue 14, item 1: every table the README quotes from an experiment is recomputed here from the CSVs committed in
/// docs/figures/NAME/, cell by cell, in the README's own format. A table is found by the marker
/// <c>&lt;!-- table: ID --&gt;</c> above it; a README number that the data do not give fails the test.
/// </summary>
public sealed class ExperimentReadmeTablesTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SeriesCompiler.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root is not above the test binaries");
    }

    /// <summary>A CSV as rows of named fields.</summary>
    private static List<Dictionary<string, string>> Csv(string name, string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "docs", "figures", name, file));
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split(',');
            Assert.Equal(header.Length, f.Length);
            return header.Zip(f).ToDictionary(p => p.First, p => p.Second);
        }).ToList();
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>The table under the marker: its rows (header and separator left out), cells trimmed and unbolded.</summary>
    private static List<string[]> Table(string id)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md"));
        int at = Array.FindIndex(lines, l => l.Trim() == $"<!-- table: {id} -->");
        Assert.True(at >= 0, $"README has no table marked '{id}'");
        var rows = lines.Skip(at + 1).TakeWhile(l => l.StartsWith('|')).Skip(2)
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim().Replace("**", "", StringComparison.Ordinal)).ToArray()).ToList();
        Assert.NotEmpty(rows);
        return rows;
    }

    private static (double Mean, double Sd) MeanSd(IEnumerable<double> values)
    {
        var xs = values.ToArray();
        Assert.NotEmpty(xs);
        double m = xs.Average();
        return (m, xs.Length > 1 ? Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Length - 1)) : 0);
    }

    private static string F(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("gamma-quadratic")]
    [InlineData("gamma-exp")]
    public void Gamma_tables_are_the_final_step_of_the_committed_runs(string name)
    {
        // Cell: mean +- standard error over seeds of the exact loss at the last logged step (log10 gradient variance, same).
        var rows = Csv(name, name + ".csv");
        int last = rows.Max(r => int.Parse(r["step"], CultureInfo.InvariantCulture));
        string[] estimators = ["fourier", "resummed", "pathwise", "score", "grep"];
        var table = Table(name);
        Assert.Equal(3, table.Count);
        foreach (var row in table)
            for (int e = 0; e < estimators.Length; e++)
            {
                var at = rows.Where(r => r["setting"] == "d=" + row[0] && r["estimator"] == estimators[e] && r["step"] == F(last, "R")).ToList();
                Assert.Equal(5, at.Count);
                var (loss, lossSd) = MeanSd(at.Select(r => D(r["loss"])));
                var (v, vSd) = MeanSd(at.Select(r => D(r["log10_gradient_variance"])));
                string expected = $"{F(loss, "G3")} +- {F(lossSd / Math.Sqrt(at.Count), "G2")} ({F(v, "F2")} +- {F(vSd / Math.Sqrt(at.Count), "F2")})";
                Assert.True(expected == row[1 + e], $"{name} d={row[0]} {estimators[e]}: README '{row[1 + e]}', data '{expected}'");
            }
    }

    [Fact]
    public void Logistic_regression_table_is_the_final_step_of_the_committed_run()
    {
        var rows = Csv("laplace-logreg", "laplace-logreg.csv");
        int last = rows.Max(r => int.Parse(r["step"], CultureInfo.InvariantCulture));
        var table = Table("laplace-logreg");
        Assert.Equal(6, table.Count);
        foreach (var row in table)
        {
            var at = rows.Where(r => r["estimator"] == row[0] && r["step"] == F(last, "R")).ToList();
            Assert.Equal(5, at.Count);
            string Cell(string metric, string format)
            {
                var (m, sd) = MeanSd(at.Select(r => D(r[metric])));
                return $"{F(m, format)} +- {F(sd / Math.Sqrt(at.Count), format)}";
            }
            string[] expected = [Cell("elbo", "F1"), Cell("log10_gradient_variance", "F2"), Cell("accuracy", "F3")];
            Assert.Equal(expected, row[1..4]);
        }
    }

    [Fact]
    public void Truncation_table_is_the_committed_measurement()
    {
        // Cell: rms |bias| / SE of the b-gradient pooled over coordinates and seeds, then the log10 variance (mean over seeds).
        var rows = Csv("laplace-truncation", "laplace-truncation-levels.csv");
        var table = Table("laplace-truncation");
        string[] columns = ["fourier N=1", "fourier N=2", "fourier N=3", "fourier N=4", "fourier N=5", "fourier N=8", "fourier N=12", "resummed", "pathwise", "score"];
        Assert.Equal(4, table.Count);
        foreach (var row in table)
            for (int c = 0; c < columns.Length; c++)
            {
                var at = rows.Where(r => r["setting"] == row[0] && r["estimator"] == columns[c]).ToList();
                Assert.True(at.Count >= 5, $"{row[0]} {columns[c]}: {at.Count} seeds");
                double rms = Math.Sqrt(at.Average(r => D(r["rms_z_b"]) * D(r["rms_z_b"])));
                double v = at.Average(r => D(r["log10_variance_b"]));
                string expected = $"{F(rms, "F2")} / {(v <= -299 ? "-inf" : F(v, "F1"))}";
                Assert.True(expected == row[1 + c], $"{row[0]} {columns[c]}: README '{row[1 + c]}', data '{expected}'");
            }
    }

    /// <summary>Tables 1 and 2: test log-likelihood, mean +- std over the seeds, per data set, model and estimator.</summary>
    [Theory]
    [InlineData("sbn-bernoulli", "bernoulli-rule,bernoulli-rule S=5,bernoulli-rule S=10,rebar,relax,gumbel-st,gumbel-relaxed,reinforce")]
    [InlineData("vae-categorical", "categorical-rule,categorical-rule S=5,categorical-rule S=10,gumbel-st,gumbel-relaxed,reinforce")]
    public void Discrete_log_likelihood_tables_are_the_committed_finals(string name, string estimatorList)
    {
        var estimators = estimatorList.Split(',');
        var rows = Csv(name, name + "-final.csv");
        var table = Table(name);
        // The rows as the data give them (bold left to the README): printed whole on a mismatch, so that updating the
        // README after a rerun is a copy (then bold the best of each row).
        var expected = table.Select(row =>
        {
            string setting = row[1] + (row[0] == "MNIST" ? "" : " (8x8 digits)");
            var cells = estimators.Select(e =>
            {
                var at = rows.Where(r => r["setting"] == setting && r["estimator"] == e).ToList();
                if (at.Count == 0) return "";
                var (m, sd) = MeanSd(at.Select(r => D(r["test_loglik_is200"])));
                return $"{F(m, "F2")} +- {F(sd, "F2")}";
            });
            return string.Join(" | ", [row[0], row[1], .. cells]);
        }).ToList();
        var actual = table.Select(row => string.Join(" | ", row)).ToList();
        Assert.True(expected.SequenceEqual(actual), $"README table '{name}' against {name}-final.csv; the data give:\n" + string.Join("\n", expected.Select(r => $"| {r} |")));
    }

    [Fact]
    public void Discrete_direct_variance_table_is_the_last_logged_step()
    {
        // log10 variance of repeated estimates at fixed parameters (the headline measure), MNIST, mean over seeds.
        string[] estimators = ["bernoulli-rule", "bernoulli-rule S=5", "bernoulli-rule S=10", "rebar", "relax", "gumbel-st", "gumbel-relaxed", "reinforce"];
        var rows = Csv("sbn-bernoulli", "sbn-bernoulli.csv");
        var table = Table("sbn-bernoulli-variance");
        var expected = table.Select(row => string.Join(" | ", [row[0], .. estimators.Select(e =>
        {
            var curve = rows.Where(r => r["setting"] == row[0] && r["estimator"] == e).ToList();
            if (curve.Count == 0) return "";
            int last = curve.Max(r => int.Parse(r["step"], CultureInfo.InvariantCulture));
            return F(curve.Where(r => r["step"] == F(last, "R")).Average(r => D(r["log10_var_direct"])), "F2");
        })])).ToList();
        var actual = table.Select(row => string.Join(" | ", row)).ToList();
        Assert.True(expected.SequenceEqual(actual), "README table 'sbn-bernoulli-variance' against sbn-bernoulli.csv; the data give:\n" + string.Join("\n", expected.Select(r => $"| {r} |")));
    }

    [Fact]
    public void Table_3_times_are_the_committed_seconds_per_epoch()
    {
        // Seconds per epoch, mean over seeds, MNIST; the rule with S = 5 and 10 on the one-layer model only. Times live in
        // their own CSV so that the final CSV is byte-identical from run to run.
        var rows = Csv("vae-categorical", "vae-categorical-times.csv");
        string[] estimators = ["gumbel-st", "gumbel-relaxed", "categorical-rule", "categorical-rule S=5", "categorical-rule S=10"];
        var table = Table("table-3");
        var expected = table.Select(row =>
        {
            string setting = row[0] == "one linear layer" ? "one layer" : row[0];
            double Seconds(string estimator) => rows.Where(r => r["setting"] == setting && r["estimator"] == estimator).Average(r => D(r["seconds_per_epoch"]));
            var cells = estimators.Select(e => rows.Any(r => r["setting"] == setting && r["estimator"] == e) ? F(Seconds(e), "F2") : "");
            return string.Join(" | ", [row[0], .. cells, F(Seconds("categorical-rule") / Seconds("gumbel-st"), "F1")]);
        }).ToList();
        var actual = table.Select(row => string.Join(" | ", row)).ToList();
        Assert.True(expected.SequenceEqual(actual), "README table 'table-3' against the committed times; the data give:\n" + string.Join("\n", expected.Select(r => $"| {r} |")));
    }
}
