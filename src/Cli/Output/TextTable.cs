using System.Text;

namespace SeriesCompiler.Cli.Output;

/// <summary>A plain-text table: left-aligned columns separated by two spaces, a rule under the header, no trailing blanks.</summary>
public sealed class TextTable(IReadOnlyList<string> header)
{
    private readonly List<IReadOnlyList<string>> _rows = new();

    public void Add(IReadOnlyList<string> row) => _rows.Add(row);

    public void Write(TextWriter output)
    {
        var widths = header.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        WriteLine(output, header, widths);
        WriteLine(output, widths.Select(w => new string('-', w)).ToList(), widths);
        foreach (var row in _rows) WriteLine(output, row, widths);
    }

    private static void WriteLine(TextWriter output, IReadOnlyList<string> cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0) sb.Append("  ");
            sb.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i]));
        }
        output.WriteLine(sb.ToString().TrimEnd());
    }
}
