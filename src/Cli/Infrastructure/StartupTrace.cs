using System.Diagnostics;

namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>
/// Where a run's start-up time goes (bench/startup.sh --phases): with SERIESC_PHASES set, each mark records a
/// timestamp, and the end of the run writes every phase's milliseconds to standard error, the first measured from the
/// process's start (runtime start-up). Unset, a mark costs one static field read.
/// </summary>
public static class StartupTrace
{
    private static readonly bool s_enabled = Environment.GetEnvironmentVariable("SERIESC_PHASES") is { Length: > 0 };
    private static readonly List<(string Phase, long Ticks, DateTime At)> s_marks = [];

    public static void Mark(string phase)
    {
        if (s_enabled) s_marks.Add((phase, Stopwatch.GetTimestamp(), s_marks.Count == 0 ? DateTime.Now : default));
    }

    /// <summary>Writes the phases (at the end, so that reading the process's start time is not itself measured).</summary>
    public static void Report(TextWriter error)
    {
        if (!s_enabled || s_marks.Count == 0) return;
        Mark("end");
        // Process.StartTime is when the OS created the process: before the first mark lies the runtime's own start.
        double first = (s_marks[0].At - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        error.WriteLine($"seriesc: phase {"runtime start",-16} {first,7:F1} ms");
        for (int i = 1; i < s_marks.Count; i++)
            error.WriteLine($"seriesc: phase {s_marks[i].Phase,-16} {Stopwatch.GetElapsedTime(s_marks[i - 1].Ticks, s_marks[i].Ticks).TotalMilliseconds,7:F1} ms");
        // The memory side of the run: what was allocated and how often the collector ran (a short process's GC cost).
        error.WriteLine($"seriesc: memory allocated {GC.GetTotalAllocatedBytes() / 1e6:F1} MB, collections gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)}, " +
            $"heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:F1} MB, pause {GC.GetTotalPauseDuration().TotalMilliseconds:F1} ms");
        foreach (var kind in (GCKind[])[GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background])
        {
            var info = GC.GetGCMemoryInfo(kind);
            if (info.Index == 0) continue;
            error.WriteLine($"seriesc: last {kind} gc #{info.Index} gen{info.Generation} compacted {info.Compacted} pause {string.Join("+", info.PauseDurations.ToArray().Select(p => p.TotalMilliseconds.ToString("F1")))} ms promoted {info.PromotedBytes / 1e6:F1} MB heap {info.HeapSizeBytes / 1e6:F1} MB");
        }
        s_marks.Clear();
    }
}
