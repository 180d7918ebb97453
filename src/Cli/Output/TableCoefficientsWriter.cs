using SeriesCompiler.Cli.Infrastructure;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// The table for people: a title line, then columns n, c (symbolic), its value (with --at), and for each parameter
/// the derivative dc/dp and its value. A derived distribution adds a first column naming the latent component.
/// </summary>
public static class TableCoefficientsWriter
{
    public static void Write(TextWriter output, CoefficientTable table)
    {
        var rule = table.Rule;
        output.WriteLine(Title(table));
        bool numeric = table.At is not null;
        // A family evaluated at K components has keys alpha[0], alpha[1], ...: one column pair per parameter, not per key.
        var columns = rule.Differentiable.Select(p => p.VectorSize is null ? p.Name : p.Name + "[j]").ToList();
        var header = new List<string>();
        if (table.HasComponents) header.Add("component");
        header.Add("n");
        header.Add("c");
        if (numeric) header.Add("value");
        foreach (var column in columns)
        {
            header.Add("dc/d" + column);
            if (numeric) header.Add("value");
        }
        var text = new TextTable(header);
        foreach (var row in table.Rows)
        {
            var cells = new List<string>();
            if (table.HasComponents) cells.Add(row.Component ?? "");
            cells.Add(row.Index.Length == 1 ? row.Index[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "(" + string.Join(",", row.Index) + ")");
            cells.Add(row.C.ToString());
            if (numeric) cells.Add(Cell(row.CExact!.Value));
            for (int i = 0; i < columns.Count; i++)
            {
                cells.Add(row.D[i].ToString());
                if (numeric) cells.Add(Cell(row.DExact[i]));
            }
            text.Add(cells);
        }
        text.Write(output);
        if (numeric) WriteNotes(output, table);
        foreach (var line in GeneratedNotes(table)) output.WriteLine(line);
        WriteResummation(output, rule);
    }

    /// <summary>
    /// A value cell: the correctly rounded exact value to 10 digits; <c>~</c> before a value that is not known to be
    /// correctly rounded; <c>not finite (*)</c> for a value beyond the double range or at a pole. The notes say why.
    /// </summary>
    private static string Cell(Symbolic.Evaluation.ExactResult r) => r.Status switch
    {
        Symbolic.Evaluation.ExactStatus.CorrectlyRounded => Numbers.Short(r.Value),
        Symbolic.Evaluation.ExactStatus.NotFinite => "not finite (*)",
        _ => "~" + Numbers.Short(r.Value),
    };

    /// <summary>Below the table: what the values are, and each value that is not the exact one correctly rounded, with why.</summary>
    private static void WriteNotes(TextWriter output, CoefficientTable table)
    {
        var flagged = table.Rows
            .SelectMany(row => row.Results().Where(r => !r.Result.IsCorrectlyRounded)
                .Select(r => (Where: (row.Component is null ? "" : row.Component + " ") + "n=" + string.Join(",", row.Index) + " " + (r.Key == "c" ? "c" : "dc/d" + r.Key), r.Result.Reason)))
            .ToList();
        // Nothing is added where every value is the exact one correctly rounded (the table's documented form).
        if (flagged.Count == 0) return;
        output.WriteLine($"values: the exact coefficients correctly rounded, except {flagged.Count} ('~': not known to be correctly rounded; '*': not finite):");
        const int shown = 20;
        foreach (var (where, reason) in flagged.Take(shown)) output.WriteLine($"  {where}: {reason}");
        if (flagged.Count > shown) output.WriteLine($"  ... and {flagged.Count - shown} more (--format json lists every one)");
    }

    /// <summary>With --generated: whether the compiled rule's doubles agree with the exact values, and where they do not.</summary>
    public static IEnumerable<string> GeneratedNotes(CoefficientTable table)
    {
        if (table.Generated is not { } check) yield break;
        int total = check.Entries.Count(e => e is not null);
        string tolerance = Numbers.Format(GeneratedCheck.Tolerance);
        if (check.Flagged == 0)
        {
            yield return $"generated code: all {total} entries agree with the exact values within {tolerance} relative, and their error bounds are below it";
            yield break;
        }
        yield return $"generated code: {check.Flagged} of {total} entries are NOT reliable at this point (off by more than {tolerance} relative, or error bound above it):";
        const int shown = 10;
        var flagged = table.Rows.Zip(check.Entries).Where(p => p.Second is { Reliable: false }).ToList();
        foreach (var (row, entry) in flagged.Take(shown))
            yield return $"  {(row.Component is null ? "" : row.Component + " ")}n={string.Join(",", row.Index)} {entry!.Worst}";
        if (flagged.Count > shown) yield return $"  ... and {flagged.Count - shown} more (--format json marks every one)";
    }

    /// <summary>Beside the series: the exact resummed rule of each parameter, or why the truncated series stays.</summary>
    public static void WriteResummation(TextWriter output, Symbolic.Model.RuleModel rule)
    {
        if (rule.Resummation.IsEmpty) return;
        output.WriteLine(rule.HasLevyPart
            ? "exact rules (no Taylor series at w = 0: Lévy generator rules for the stable part, docs/exact-rules.md):"
            : "exact rules (the whole series summed):");
        foreach (var o in rule.Resummation)
        {
            if (o.Rule is { } r)
                output.WriteLine($"  d/d{o.Parameter}: {r}" + (o.Reason.Length > 0 ? $"   ({o.Reason})" : ""));
            else
                output.WriteLine($"  d/d{o.Parameter}: truncated series; {o.Reason}");
        }
    }

    public static string Title(CoefficientTable table)
    {
        var rule = table.Rule;
        string parameters = string.Join(", ", rule.Parameters.Select(p => p.VectorSize is null ? p.ConstraintText : p.Name + "[" + p.VectorSize + "]" + p.ConstraintText[p.Name.Length..]));
        string variables = string.Join(", ", rule.Variables);
        string title = $"{rule.Name}({parameters}): K({variables}) = sum over n of c_n t^n, 1 <= |n| <= {rule.Order}";
        // A stable part -c|w|^alpha has no series: the rows are the analytic part's, and the rules below are generator rules.
        if (rule.HasLevyPart) title += $" for the analytic part only; the stable part -({string.Join(" + ", rule.Levy)}) has no Taylor series at w = 0";
        if (rule.IsDerived) title += ", through the latent components " + string.Join(", ", rule.Components.Select(c => c.IsIndexed ? c.Name + "[j]" : c.Name));
        if (table.At is { } at) title += "; at " + string.Join(", ", at.Values);
        return title;
    }
}
