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

    /// <summary>
    /// Runs <paramref name="name"/> with the command line's settings (base-library types only): <c>quick</c>,
    /// <c>resume</c> and <c>replot</c> ("true"/"false"), <c>seeds</c>, <c>steps</c>, <c>epochs</c>, <c>threads</c> (integers), <c>lr</c>
    /// (a double, invariant culture), <c>data</c>; an absent key keeps the experiment's default. The run's log goes to
    /// <paramref name="log"/>. A setting the experiment cannot honour throws <see cref="ArgumentException"/> with a
    /// message for the user.
    /// </summary>
    public static KeyValuePair<IReadOnlyList<string>, TimeSpan> RunWith(string name, string folder, IReadOnlyDictionary<string, string> settings,
        Action<double, string> progress, TextWriter log, CancellationToken cancellation)
    {
        var experiment = ExperimentCatalog.Find(name) ?? throw new ArgumentException($"unknown experiment '{name}'", nameof(name));
        int? Int(string key) => settings.TryGetValue(key, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;
        bool Flag(string key) => settings.TryGetValue(key, out var v) && bool.Parse(v);
        var options = new ExperimentOptions(folder, Flag("quick"), new SynchronousProgress(p => progress(p.Fraction, p.Status)), log)
        {
            Seeds = Int("seeds"),
            Steps = Int("steps"),
            Epochs = Int("epochs"),
            Threads = Int("threads") ?? 2,
            LearningRate = settings.TryGetValue("lr", out var lr) ? double.Parse(lr, System.Globalization.CultureInfo.InvariantCulture) : null,
            Data = settings.GetValueOrDefault("data"),
            Resume = Flag("resume"),
            Replot = Flag("replot"),
            Cancellation = cancellation,
        };
        var result = experiment.Run(options);
        return KeyValuePair.Create(result.Files, result.Elapsed);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and could arrive after the run).</summary>
    private sealed class SynchronousProgress(Action<ExperimentProgress> report) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value) => report(value);
    }
}
