using System.Globalization;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// <c>seriesc estimate</c>'s table: one row per parameter of each estimator, then each estimator's method, its
/// truncation and the size of its terms by order, and its warnings (docs/cli.md).
/// </summary>
public static class EstimateTableWriter
{
    /// <summary>The width the table keeps to without --wide (a terminal of the usual size).</summary>
    public const int TableWidth = 100;

    // The table: one row per parameter of each estimator. Without --wide it keeps within TableWidth columns: an
    // estimator's method (a formula, up to 90 characters) and an error message go on lines of their own under the table,
    // wrapped; --wide puts the method back in a column, and --format json has everything.
    public static void Write(TextWriter output, EstimateReport report, bool wide)
    {
        output.WriteLine($"{report.Distribution} at {string.Join(", ", report.At.Values)}; f = {report.F}; {report.Samples} samples, seed {report.Seed}" + (report.Dims > 1 ? $", {report.Dims} copies" : ""));
        output.WriteLine();
        var table = new TextTable(wide
            ? ["estimator", "method", "order", "parameter", "gradient", "stderr", "seconds"]
            : ["estimator", "order", "parameter", "gradient", "stderr", "seconds"]);
        foreach (var (name, result, error) in report.Estimates)
        {
            if (result is null)
            {
                table.Add(wide ? [name, "error: " + error, "", "", "", "", ""] : [name, "", "", "error (below)", "", ""]);
                continue;
            }
            for (int i = 0; i < result.Slots.Length; i++)
            {
                bool first = i == 0;
                string order = result.Orders.IsEmpty ? result.Order?.ToString(CultureInfo.InvariantCulture) ?? "" : result.Orders[i].ToString(CultureInfo.InvariantCulture);
                string[] cells = [first ? name : "", first || !result.Orders.IsEmpty ? order : "", result.Name(i),
                    Numbers.Short(result.Gradient[i]), double.IsNaN(result.StandardError[i]) ? "n/a" : Numbers.Short(result.StandardError[i]),
                    first ? result.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) : ""];
                table.Add(wide ? [cells[0], first ? result.Method : "", .. cells[1..]] : cells);
            }
        }
        table.Write(output);
        if (!wide)
        {
            output.WriteLine();
            foreach (var (name, result, error) in report.Estimates)
                WriteWrapped(output, $"{name}: ", result is null ? "error: " + error : result.Method);
        }
        foreach (var (name, result, _) in report.Estimates)
        {
            if (result is null || result.Terms.IsEmpty) continue;
            output.WriteLine();
            WriteWrapped(output, "", $"{name}: truncation {result.Truncation.ToString().ToLowerInvariant()}" + (result.Note is { } note ? $" ({note})" : ""));
            WriteWrapped(output, "  largest |term| by order: ", result.Terms.Select(t => $"{t.Order}: {t.Magnitude.ToString("G3", CultureInfo.InvariantCulture)}"), "  ");
        }
        foreach (var (name, result, _) in report.Estimates)
            foreach (var warning in result?.Warnings ?? [])
                WriteWrapped(output, $"{name}: warning: ", warning);
    }

    // Words after a lead, wrapped at TableWidth (unless --wide) with continuation lines indented under the text; a
    // single word longer than the line (a long formula) is kept whole rather than broken.
    private static void WriteWrapped(TextWriter output, string lead, string text) =>
        WriteWrapped(output, lead, text.Split(' ', StringSplitOptions.RemoveEmptyEntries), " ");

    private static void WriteWrapped(TextWriter output, string lead, IEnumerable<string> words, string separator)
    {
        string indent = new(' ', Math.Min(lead.Length, 24));
        var line = new System.Text.StringBuilder(lead);
        bool empty = true;
        foreach (var word in words)
        {
            if (!empty && line.Length + separator.Length + word.Length > TableWidth)
            {
                output.WriteLine(line.ToString());
                line.Clear().Append(indent);
                empty = true;
            }
            if (!empty) line.Append(separator);
            line.Append(word);
            empty = false;
        }
        output.WriteLine(line.ToString());
    }
}
