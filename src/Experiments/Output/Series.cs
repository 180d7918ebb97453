using System.Globalization;
using System.Text;

namespace SeriesCompiler.Experiments.Output;

/// <summary>
/// The long-form record of a run: one row per (setting, estimator, seed, step) with named metrics, written as
/// CSV and summarised across seeds (mean and standard deviation) for plots and tables. A metric named in
/// <c>optional</c> may be missing at a row (NaN, written as an empty field): it was not measured there.
/// </summary>
public sealed class RunLog(IReadOnlyList<string> metrics, IReadOnlyCollection<string>? optional = null)
{
    private readonly List<(string Setting, string Estimator, int Seed, int Step, double[] Values)> _rows = new();
    private readonly HashSet<string> _optional = [.. optional ?? []];

    public IReadOnlyList<string> Metrics { get; } = metrics;

    public void Add(string setting, string estimator, int seed, int step, params double[] values)
    {
        if (values.Length != Metrics.Count) throw new ArgumentException($"{values.Length} values for {Metrics.Count} metrics");
        lock (_rows) _rows.Add((setting, estimator, seed, step, values));
    }

    public IEnumerable<string> Settings => Sorted().Select(r => r.Setting).Distinct();
    public IEnumerable<string> Estimators(string setting) => _rows.Where(r => r.Setting == setting).Select(r => r.Estimator).Distinct().OrderBy(EstimatorOrder).ThenBy(e => e, StringComparer.Ordinal);

    /// <summary>The estimators in the order they were first recorded would depend on which job finished first: a fixed order instead.</summary>
    private int EstimatorOrder(string estimator) => _order.TryGetValue(estimator, out int i) ? i : int.MaxValue;

    private readonly Dictionary<string, int> _order = [];

    /// <summary>The order in which plots and tables list the estimators (others follow, alphabetically).</summary>
    public RunLog WithEstimatorOrder(IEnumerable<string> estimators)
    {
        int i = 0;
        foreach (var e in estimators) _order.TryAdd(e, i++);
        return this;
    }

    /// <summary>The values of one metric at every row of (setting, estimator), missing ones left out.</summary>
    public IEnumerable<(int Seed, int Step, double Value)> Values(string setting, string estimator, string metric)
    {
        int m = Index(metric);
        return Sorted().Where(r => r.Setting == setting && r.Estimator == estimator && !double.IsNaN(r.Values[m])).Select(r => (r.Seed, r.Step, r.Values[m]));
    }

    private int Index(string metric)
    {
        int m = Metrics.ToList().IndexOf(metric);
        return m >= 0 ? m : throw new ArgumentException($"no metric '{metric}'", nameof(metric));
    }

    /// <summary>Mean and standard deviation across seeds of one metric, step by step (steps where it is missing left out).</summary>
    public (double[] Steps, double[] Mean, double[] Std) Summary(string setting, string estimator, string metric)
    {
        var groups = Values(setting, estimator, metric).GroupBy(r => r.Step).OrderBy(g => g.Key).ToList();
        var steps = groups.Select(g => (double)g.Key).ToArray();
        var mean = groups.Select(g => g.Average(r => r.Value)).ToArray();
        var std = groups.Select(g =>
        {
            var xs = g.Select(r => r.Value).ToArray();
            double mu = xs.Average();
            return xs.Length > 1 ? Math.Sqrt(xs.Sum(x => (x - mu) * (x - mu)) / (xs.Length - 1)) : 0.0;
        }).ToArray();
        return (steps, mean, std);
    }

    private IEnumerable<(string Setting, string Estimator, int Seed, int Step, double[] Values)> Sorted() =>
        _rows.OrderBy(r => r.Setting, StringComparer.Ordinal).ThenBy(r => r.Estimator, StringComparer.Ordinal).ThenBy(r => r.Seed).ThenBy(r => r.Step);

    /// <summary>The CSV, rows sorted by their key: the same bytes whatever order the jobs finished in.</summary>
    public void WriteCsv(string path)
    {
        var sb = new StringBuilder();
        sb.Append("setting,estimator,seed,step,").Append(string.Join(",", Metrics)).Append('\n');
        foreach (var r in Sorted())
        {
            sb.Append(r.Setting).Append(',').Append(r.Estimator).Append(',').Append(r.Seed.ToString(CultureInfo.InvariantCulture))
              .Append(',').Append(r.Step.ToString(CultureInfo.InvariantCulture));
            foreach (var v in r.Values) sb.Append(',').Append(Format(v));
            sb.Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>A value as the CSVs hold it: round-trip digits, a missing value (NaN) as an empty field.</summary>
    public static string Format(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    public static bool TryParse(string field, out double value)
    {
        if (field.Length == 0) { value = double.NaN; return true; }
        return double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Whether every recorded number is finite, or missing where the metric may be (a NaN anywhere else fails the run's check).</summary>
    public bool AllFinite => _rows.All(r => r.Values.Select((v, i) => double.IsFinite(v) || (double.IsNaN(v) && _optional.Contains(Metrics[i]))).All(ok => ok));
}
