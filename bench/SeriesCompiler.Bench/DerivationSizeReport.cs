using System.Diagnostics;
using SeriesCompiler.Symbolic;

namespace SeriesCompiler.Bench;

/// <summary>
/// `dotnet run -c Release --project bench/SeriesCompiler.Bench -- sizes`: a Markdown table of the median
/// derivation time (of 5 fresh workspaces, after one warm-up) and the largest coefficient expression (in
/// nodes) of every bundled distribution at orders 8, 16, 32 and 64. It complements the BenchmarkDotNet
/// numbers with the per-distribution growth in N.
/// </summary>
internal static class DerivationSizeReport
{
    public static void Run(TextWriter output)
    {
        int[] orders = [8, 16, 32, 64];
        var sources = BundledDistributions.Load();
        var names = Workspace.Create(sources).Distributions.Select(d => d.Name).ToArray();
        var medians = new Dictionary<(string, int), (double Ms, int Size)>();
        foreach (var order in orders)
        {
            Measure(sources, order); // warm-up
            var runs = Enumerable.Range(0, 5).Select(_ => Measure(sources, order)).ToArray();
            foreach (var name in names)
            {
                var times = runs.Select(r => r[name].Ms).OrderBy(x => x).ToArray();
                medians[(name, order)] = (times[times.Length / 2], runs[0][name].Size);
            }
        }
        output.WriteLine("| distribution | " + string.Join(" | ", orders.Select(o => $"N={o} ms (size)")) + " |");
        output.WriteLine("|---|" + string.Join("", orders.Select(_ => "---|")));
        foreach (var name in names)
            output.WriteLine($"| {name} | " + string.Join(" | ", orders.Select(o => $"{medians[(name, o)].Ms:F1} ({medians[(name, o)].Size})")) + " |");
        output.WriteLine("| **all** | " + string.Join(" | ", orders.Select(o => $"{names.Sum(n => medians[(n, o)].Ms):F1}")) + " |");
    }

    /// <summary>
    /// `-- work`: the units of <see cref="WorkMeter"/> each bundled derivation spends at orders 8 to 64 (one run:
    /// the count is deterministic), against the budget that stops a derivation with SC1005.
    /// </summary>
    public static void RunWork(TextWriter output)
    {
        int[] orders = [8, 16, 32, 64];
        var sources = BundledDistributions.Load();
        output.WriteLine($"| distribution | " + string.Join(" | ", orders.Select(o => $"N={o} units")) + $" | share of the budget ({WorkMeter.Budget:N0}) at N=64 |");
        output.WriteLine("|---|" + string.Join("", orders.Select(_ => "---|")) + "---|");
        var workspace = Workspace.Create(sources);
        foreach (var d in workspace.Distributions)
        {
            var units = orders.Select(o => { workspace.Derive(d, o); return WorkMeter.Spent; }).ToArray();
            output.WriteLine($"| {d.Name} | " + string.Join(" | ", units.Select(u => u.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))
                + $" | {100.0 * units[^1] / WorkMeter.Budget:F1}% |");
        }
    }

    private static Dictionary<string, (double Ms, int Size)> Measure(Symbolic.Diagnostics.SourceText[] sources, int order)
    {
        var workspace = Workspace.Create(sources);
        var result = new Dictionary<string, (double, int)>();
        foreach (var d in workspace.Distributions)
        {
            var watch = Stopwatch.StartNew();
            var (rule, _) = workspace.Derive(d, order);
            watch.Stop();
            int size = 0;
            if (rule is not null)
            {
                foreach (var c in rule.Coefficients.Concat(rule.Components.SelectMany(x => x.Coefficients)))
                {
                    size = Math.Max(size, c.Value.Size);
                    foreach (var a in c.Derivatives) size = Math.Max(size, a.Size);
                }
            }
            result[d.Name] = (watch.Elapsed.TotalMilliseconds, size);
        }
        return result;
    }
}
