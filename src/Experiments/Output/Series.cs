using System.Globalization;
using System.Text;

namespace SeriesCompiler.Experiments.Output;

/// <summary>
/// The long-form record of a run: one row per (setting, estimator, seed, step) with named metrics, written as
/// CSV and summarised across seeds (mean and standard deviation) for plots and tables.
/// </summary>
public sealed class RunLog(IReadOnlyList<string> metrics)
{
    private readonly List<(string Setting, string Estimator, int Seed, int Step, double[] Values)> _rows = new();

    public IReadOnlyList<string> Metrics { get; } = metrics;

    public void Add(string setting, string estimator, int seed, int step, params double[] values)
    {
        lock (_rows) _rows.Add((setting, estimator, seed, step, values));
    }

    public IEnumerable<string> Settings => _rows.Select(r => r.Setting).Distinct();
    public IEnumerable<string> Estimators(string setting) => _rows.Where(r => r.Setting == setting).Select(r => r.Estimator).Distinct();

    /// <summary>Mean and standard deviation across seeds of one metric, step by step.</summary>
    public (double[] Steps, double[] Mean, double[] Std) Summary(string setting, string estimator, string metric)
    {
        int m = Metrics.ToList().IndexOf(metric);
        var groups = _rows.Where(r => r.Setting == setting && r.Estimator == estimator)
            .GroupBy(r => r.Step).OrderBy(g => g.Key).ToList();
        var steps = groups.Select(g => (double)g.Key).ToArray();
        var mean = groups.Select(g => g.Average(r => r.Values[m])).ToArray();
        var std = groups.Select(g =>
        {
            var xs = g.Select(r => r.Values[m]).ToArray();
            double mu = xs.Average();
            return xs.Length > 1 ? Math.Sqrt(xs.Sum(x => (x - mu) * (x - mu)) / (xs.Length - 1)) : 0.0;
        }).ToArray();
        return (steps, mean, std);
    }

    public void WriteCsv(string path)
    {
        var sb = new StringBuilder();
        sb.Append("setting,estimator,seed,step,").Append(string.Join(",", Metrics)).Append('\n');
        foreach (var r in _rows.OrderBy(r => r.Setting, StringComparer.Ordinal).ThenBy(r => r.Estimator, StringComparer.Ordinal).ThenBy(r => r.Seed).ThenBy(r => r.Step))
        {
            sb.Append(r.Setting).Append(',').Append(r.Estimator).Append(',').Append(r.Seed).Append(',').Append(r.Step);
            foreach (var v in r.Values) sb.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>Whether every recorded number is finite (a NaN anywhere fails the run's check).</summary>
    public bool AllFinite => _rows.All(r => r.Values.All(double.IsFinite));
}
