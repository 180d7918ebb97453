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

    /// <summary>How many seeds the log holds (distinct seed numbers over all rows).</summary>
    public int SeedCount => _rows.Select(r => r.Seed).Distinct().Count();
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

    /// <summary>
    /// Adds the rows of a CSV this class wrote (<see cref="WriteCsv"/>; doubles round-trip, so the rows are the ones
    /// written). Columns are matched by name: a metric of this log that the file lacks is missing (NaN) if optional and
    /// an error otherwise; a column the log does not know is ignored (an older run's extra column). A malformed file is
    /// an error naming its path and line.
    /// </summary>
    public RunLog ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new ExperimentInputException($"'{path}' is not there: --replot draws from the CSVs of a run in --out");
        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? lines[0].Split(',') : [];
        if (header.Length < 4 || header[0] != "setting" || header[1] != "estimator" || header[2] != "seed")
            throw new ExperimentInputException($"{path}:1: not an experiment CSV (expected 'setting,estimator,seed,...')");
        // Some tables (a discrete run's finals, before issue 14) have no step column.
        int first = header[3] == "step" ? 4 : 3;
        var column = Metrics.Select(m => Array.IndexOf(header, m, first)).ToArray();
        for (int m = 0; m < column.Length; m++)
            if (column[m] < 0 && !_optional.Contains(Metrics[m]))
                throw new ExperimentInputException($"{path}:1: no column '{Metrics[m]}' (this experiment's CSV has {string.Join(", ", Metrics)})");
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            int step = 0;
            if (f.Length != header.Length || !int.TryParse(f[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed)
                || (first == 4 && !int.TryParse(f[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out step)))
                throw new ExperimentInputException($"{path}:{i + 1}: malformed row");
            var values = new double[Metrics.Count];
            for (int m = 0; m < values.Length; m++)
                if (column[m] < 0) values[m] = double.NaN;
                else if (!TryParse(f[column[m]], out values[m])) throw new ExperimentInputException($"{path}:{i + 1}: '{f[column[m]]}' is not a number ({Metrics[m]})");
            Add(f[0], f[1], seed, step, values);
        }
        return this;
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
