using System.Runtime.CompilerServices;
using System.Text;
using Xunit.Sdk;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// Golden files of our own (Verify is not available): <c>_snapshots/NAME</c> beside this file holds the accepted
/// text. A mismatch fails with a line diff; <c>SERIESC_ACCEPT=1</c> rewrites the file with the new text instead
/// (then review the change with <c>git diff</c> and commit it).
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "SERIESC_ACCEPT";

    public static void Match(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(callerFile)!, "_snapshots", name);
        bool accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1";
        string? expected = File.Exists(path) ? File.ReadAllText(path) : null;
        if (expected == actual) return;
        if (accept)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual, new UTF8Encoding(false));
            return;
        }
        if (expected is null)
            throw new XunitException($"The snapshot {path} does not exist. Run the tests with {AcceptVariable}=1 to write it, then review and commit it.");
        throw new XunitException($"The output differs from the snapshot {path} (- snapshot, + now). If the change is intended, run the tests with {AcceptVariable}=1 and commit the snapshot.\n" + Diff(expected, actual));
    }

    /// <summary>A line diff (longest common subsequence) showing the changed lines with two lines of context.</summary>
    public static string Diff(string expected, string actual, int context = 2, int maxLines = 80)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
            for (int j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var ops = new List<(char Op, int Line, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { ops.Add((' ', x + 1, a[x])); x++; y++; }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y])) { ops.Add(('+', y + 1, b[y])); y++; }
            else { ops.Add(('-', x + 1, a[x])); x++; }
        }
        var sb = new StringBuilder();
        int shown = 0;
        for (int k = 0; k < ops.Count && shown < maxLines; k++)
        {
            bool near = false;
            for (int d = -context; d <= context && !near; d++)
                near = k + d >= 0 && k + d < ops.Count && ops[k + d].Op != ' ';
            if (!near) continue;
            sb.Append(ops[k].Op).Append(' ').Append(ops[k].Line.ToString().PadLeft(5)).Append(" | ").Append(ops[k].Text).Append('\n');
            shown++;
        }
        if (shown == maxLines) sb.Append("... (diff cut)\n");
        return sb.ToString();
    }
}
