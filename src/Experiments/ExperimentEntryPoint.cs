namespace SeriesCompiler.Experiments;

/// <summary>
/// The experiments as the <c>seriesc</c> tool calls them. The tool does not reference this assembly (it would carry
/// ScottPlot's native libraries for every platform); it loads it on demand, by reflection, so this surface speaks only
/// types of the base library.
/// </summary>
public static class ExperimentEntryPoint
{
    /// <summary>Every experiment: its name and a one-line description, in catalogue order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> List() =>
        ExperimentCatalog.All.Select(e => KeyValuePair.Create(e.Name, e.Description)).ToList();

    /// <summary>
    /// Runs the experiment <paramref name="name"/> (exactly as listed) into <paramref name="folder"/>; reports progress
    /// as (fraction done, status) on the calling thread. Returns the files written and the time taken.
    /// </summary>
    public static KeyValuePair<IReadOnlyList<string>, TimeSpan> Run(string name, string folder, bool quick, Action<double, string> progress)
    {
        var experiment = ExperimentCatalog.Find(name) ?? throw new ArgumentException($"unknown experiment '{name}'", nameof(name));
        var result = experiment.Run(new ExperimentOptions(folder, quick, new SynchronousProgress(p => progress(p.Fraction, p.Status))));
        return KeyValuePair.Create(result.Files, result.Elapsed);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and could arrive after the run).</summary>
    private sealed class SynchronousProgress(Action<ExperimentProgress> report) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value) => report(value);
    }
}
