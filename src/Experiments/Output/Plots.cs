using ScottPlot;

namespace SeriesCompiler.Experiments.Output;

/// <summary>Line plots of a metric against steps, one line per estimator with a band of one standard deviation across seeds.</summary>
public static class Plots
{
    public static string Lines(string path, string title, string yLabel, RunLog log, string setting, string metric, string xLabel = "steps")
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var estimator in log.Estimators(setting))
        {
            var (steps, mean, std) = log.Summary(setting, estimator, metric);
            if (steps.Length == 0) continue;
            var color = palette.GetColor(i++);
            var low = mean.Zip(std, (m, s) => m - s).ToArray();
            var high = mean.Zip(std, (m, s) => m + s).ToArray();
            if (std.Any(s => s > 0))
            {
                var band = plot.Add.FillY(steps, low, high);
                band.FillColor = color.WithAlpha(0.2);
                band.LineWidth = 0;
            }
            var line = plot.Add.ScatterLine(steps, mean);
            line.Color = color;
            line.LineWidth = 2;
            line.LegendText = estimator;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend();
        plot.SavePng(path, 800, 500);
        return path;
    }
}
