using System.Globalization;
using ScottPlot;

namespace SeriesCompiler.Experiments.Output;

/// <summary>
/// Line plots of a metric against steps: one line per estimator (the mean across seeds) with a shaded band of the
/// seeds' spread (min to max), the legend in a panel of its own outside the data, a log axis where values span
/// decades (log10 values are drawn as they are, the ticks labelled 1e-3, 1e-2, ...), and only the points measured.
/// </summary>
public static class Plots
{
    private const int PanelWidth = 520, Height = 460, LegendWidth = 190;

    /// <summary>One series as drawn: its figure file, title, name, axis kind, x, y and the band or error bar (NaN: none).</summary>
    public sealed record DrawnSeries(string File, string Title, string Name, bool LogScale, double[] X, double[] Y, double[] Low, double[] High);

    // The series drawn on this flow, for tests that compare two renderings by their data (PNG bytes say less).
    private static readonly AsyncLocal<List<DrawnSeries>?> Captured = new();

    /// <summary>Records every series drawn on this flow until disposed: what a figure shows, independent of how pixels come out.</summary>
    public static IDisposable Capture(List<DrawnSeries> into)
    {
        var before = Captured.Value;
        Captured.Value = into;
        return new Restore(() => Captured.Value = before);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    private static void Record(string file, string title, string name, bool logScale, double[] x, double[] y, double[]? low, double[]? high) =>
        Captured.Value?.Add(new DrawnSeries(Path.GetFileName(file), title, name, logScale, x, y,
            low ?? [.. x.Select(_ => double.NaN)], high ?? [.. x.Select(_ => double.NaN)]));

    /// <summary>One plot of <paramref name="metric"/> for one setting.</summary>
    /// <param name="negate">Draw -value (a negative ELBO on a log axis).</param>
    public static string Lines(string path, string title, string yLabel, RunLog log, string setting, string metric,
        string xLabel = "steps", bool logScale = false, bool valuesAreLog10 = false, bool negate = false)
    {
        var plot = new Plot();
        Draw(plot, path, title, log, setting, metric, logScale, valuesAreLog10, legend: true, negate);
        Decorate(plot, title, xLabel, yLabel, logScale);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, PanelWidth + 300 + LegendWidth, Height);
        return path;
    }

    /// <summary>
    /// The settings side by side in one figure (the paper's layout for the three d of a gamma toy), one panel each,
    /// with the estimators' legend once, outside the last panel.
    /// </summary>
    public static IEnumerable<string> Panels(string path, string title, string yLabel, RunLog log, IReadOnlyList<string> settings, string metric,
        string xLabel = "steps", bool logScale = false, bool valuesAreLog10 = false)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(settings.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        for (int i = 0; i < settings.Count; i++)
        {
            var plot = multiplot.GetPlot(i);
            bool last = i == settings.Count - 1;
            Draw(plot, path, title + " | " + settings[i], log, settings[i], metric, logScale, valuesAreLog10, legend: last);
            Decorate(plot, i == 0 ? $"{title}\n{settings[i]}" : $"\n{settings[i]}", xLabel, i == 0 ? yLabel : "", logScale);
            if (last) plot.ShowLegend(Edge.Right);
        }
        multiplot.SavePng(path, PanelWidth * settings.Count + LegendWidth, Height);
        return [path];
    }

    private static void Decorate(Plot plot, string title, string xLabel, string yLabel, bool logScale)
    {
        plot.Title(title, size: 15);
        plot.XLabel(xLabel, size: 13);
        plot.YLabel(yLabel, size: 13);
        if (!logScale) return;
        // The data are log10 values. Over two decades or more: a tick at each whole y, labelled 10^y as 1e-3, with
        // minor ticks at log10(2..9) within each decade. Over less, whole decades leave one label or none (the
        // truncation study's mu-bias, 0.7 to 1.05, showed "1e0" alone): ticks at 1, 2, 5 (or 1..9) times a power of
        // ten instead, labelled as the numbers they are.
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        double lo = Math.Min(limits.Bottom, limits.Top), hi = Math.Max(limits.Bottom, limits.Top);
        if (hi - lo >= 2)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => "1e" + Math.Round(y).ToString(CultureInfo.InvariantCulture),
            };
            return;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. LogTicks(lo, hi)]);
    }

    /// <summary>
    /// Ticks for a log axis spanning under two decades (log10 units lo..hi): majors at m 10^k for m in {1, 2, 5}, or
    /// every m in 1..9 where that gives fewer than three, the other m as minor ticks.
    /// </summary>
    internal static List<Tick> LogTicks(double lo, double hi)
    {
        int first = (int)Math.Floor(lo) - 1, last = (int)Math.Ceiling(hi) + 1;
        IEnumerable<(double Y, int M, int K)> All() =>
            from k in Enumerable.Range(first, last - first + 1)
            from m in Enumerable.Range(1, 9)
            let y = Math.Log10(m) + k
            where y >= lo && y <= hi
            select (y, m, k);
        int[] majors = All().Count(t => t.M is 1 or 2 or 5) >= 3 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
        return [.. All().Select(t => majors.Contains(t.M) ? new Tick(t.Y, Label(t.M, t.K), true) : new Tick(t.Y, "", false))];
    }

    /// <summary>m 10^k as a reader writes it: 0.002, 50, 2000; 2e-5 and 3e6 beyond.</summary>
    private static string Label(int m, int k) =>
        k is >= -3 and <= 4 ? (m * Math.Pow(10, k)).ToString("0.####", CultureInfo.InvariantCulture)
        : m.ToString(CultureInfo.InvariantCulture) + "e" + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// How a value is drawn: on a log axis as its log10 (a stored log10 as it is). A log10 at the 1e-300 floor the CSVs
    /// use for an exact 0 (a gradient part that is identically zero), or a nonpositive value, cannot be drawn.
    /// </summary>
    private static Func<double, double> Transform(bool logScale, bool valuesAreLog10) =>
        !logScale ? v => v
        : valuesAreLog10 ? v => v <= -299 ? double.NaN : v
        : v => v > 0 ? Math.Log10(v) : double.NaN;

    private static void Draw(Plot plot, string file, string title, RunLog log, string setting, string metric, bool logScale, bool valuesAreLog10, bool legend, bool negate = false)
    {
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var estimator in log.Estimators(setting))
        {
            var color = palette.GetColor(i++);
            // On a log axis a value is drawn as its log10 (a stored log10 as it is); nonpositive values cannot be drawn.
            var transform = Transform(logScale, valuesAreLog10);
            Func<double, double> y = negate ? v => transform(-v) : transform;
            var groups = log.Values(setting, estimator, metric).GroupBy(r => r.Step).OrderBy(g => g.Key)
                .Select(g => (Step: (double)g.Key, Ys: g.Select(r => y(r.Value)).Where(double.IsFinite).ToArray()))
                .Where(g => g.Ys.Length > 0).ToArray();
            if (groups.Length == 0) continue;
            var steps = groups.Select(g => g.Step).ToArray();
            var mean = groups.Select(g => g.Ys.Average()).ToArray();
            double[]? low = null, high = null;
            if (groups.Any(g => g.Ys.Length > 1))
            {
                (low, high) = (groups.Select(g => g.Ys.Min()).ToArray(), groups.Select(g => g.Ys.Max()).ToArray());
                var band = plot.Add.FillY(steps, low, high);
                band.FillColor = color.WithAlpha(0.18);
                band.LineWidth = 0;
            }
            Record(file, title, estimator, logScale, steps, mean, low, high);
            var line = plot.Add.ScatterLine(steps, mean);
            line.Color = color;
            line.LineWidth = 2;
            if (steps.Length == 1) line.MarkerSize = 8;
            if (legend) line.LegendText = estimator;
        }
    }

    /// <summary>
    /// Points against a categorical x axis (the truncation study: N = 1..12, then resummed, pathwise, score as labelled
    /// categories of their own, not joined to the N curve), one series per group, with error bars.
    /// </summary>
    public static string Categories(string path, string title, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<(string Name, double[] Mean, double[] Error)> series, bool logScale = false, bool valuesAreLog10 = false, double? referenceLine = null)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int split = categories.TakeWhile(c => c.StartsWith("N=", StringComparison.Ordinal)).Count();
        for (int s = 0; s < series.Count; s++)
        {
            var (name, mean, error) = series[s];
            var color = palette.GetColor(s);
            // Offsets keep the groups' points apart at the same category.
            double offset = (s - (series.Count - 1) / 2.0) * 0.12;
            Func<double, double> y = Transform(logScale, valuesAreLog10);
            var xs = Enumerable.Range(0, categories.Count).Select(i => i + offset).ToArray();
            var ys = mean.Select(y).ToArray();
            Record(path, title, name, logScale, [.. Enumerable.Range(0, categories.Count).Select(i => (double)i)], ys,
                [.. mean.Zip(error, (m, e) => y(m - e))], [.. mean.Zip(error, (m, e) => y(m + e))]);
            // The N curve joined by a line; the separate estimators as points alone.
            var curve = plot.Add.ScatterLine(xs[..split], ys[..split]);
            curve.Color = color;
            curve.LineWidth = 1.5f;
            curve.MarkerSize = 6;
            curve.MarkerShape = MarkerShape.FilledCircle;
            curve.LegendText = name;
            var points = plot.Add.ScatterPoints(xs[split..], ys[split..]);
            points.Color = color;
            points.MarkerSize = 9;
            points.MarkerShape = MarkerShape.FilledDiamond;
            for (int i = 0; i < categories.Count; i++)
            {
                if (!double.IsFinite(ys[i]) || !(error[i] > 0)) continue;
                // Error bars: mean +- error, drawn on the transformed axis.
                double lo = y(mean[i] - error[i]), hi = y(mean[i] + error[i]);
                if (!double.IsFinite(lo)) lo = ys[i] - (y(mean[i] + error[i]) - ys[i]);
                var bar = plot.Add.Line(xs[i], lo, xs[i], hi);
                bar.Color = color;
                bar.LineWidth = 1.5f;
            }
        }
        if (referenceLine is { } r)
        {
            var h = plot.Add.HorizontalLine(logScale && !valuesAreLog10 ? Math.Log10(r) : r);
            h.Color = Colors.Gray;
            h.LinePattern = LinePattern.Dashed;
        }
        var ticks = categories.Select((c, i) => new Tick(i, c)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        // Room for the rotated labels, so that none is cut or overlaps the axis label.
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Left.MinimumSize = 80;
        Decorate(plot, title, "", yLabel, logScale);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, 900, 560);
        return path;
    }
}
