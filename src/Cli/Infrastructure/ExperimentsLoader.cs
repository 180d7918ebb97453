using System.Reflection;
using System.Runtime.Loader;

namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>
/// The paper's experiments, loaded on demand (issue 17: they plot with ScottPlot, whose native libraries for every
/// platform would make the tool package 82 MB, so seriesc does not reference them). Found, in order: already known to
/// the process (a host that references SeriesCompiler.Experiments, such as the tests); in <c>experiments/</c> beside
/// seriesc.dll, where the repository's build copies them, loaded in a context of their own that resolves their
/// dependencies and native libraries from their .deps.json. The packed tool has neither and says how to get them.
/// Only base-library types cross the boundary (SeriesCompiler.Experiments.ExperimentEntryPoint).
/// </summary>
public sealed class ExperimentsLoader
{
    private const string AssemblyName = "SeriesCompiler.Experiments";
    private const string EntryPoint = "SeriesCompiler.Experiments.ExperimentEntryPoint";

    /// <summary>What a user of the packed tool reads when asking for an experiment.</summary>
    public const string NotInstalled =
        "the experiments are not part of the seriesc tool package (their plots need native libraries for every platform, " +
        "about 80 MB); run them from a clone of the repository: dotnet run --project src/Cli -- experiment NAME (README, \"Command line\")";

    private readonly Func<IReadOnlyList<KeyValuePair<string, string>>> list;
    private readonly Func<string, string, bool, Action<double, string>, KeyValuePair<IReadOnlyList<string>, TimeSpan>> run;
    private readonly Func<string, string, IReadOnlyDictionary<string, string>, Action<double, string>, TextWriter, CancellationToken, KeyValuePair<IReadOnlyList<string>, TimeSpan>> runWith;

    private ExperimentsLoader(Type entry)
    {
        list = entry.GetMethod("List")!.CreateDelegate<Func<IReadOnlyList<KeyValuePair<string, string>>>>();
        run = entry.GetMethod("Run")!.CreateDelegate<Func<string, string, bool, Action<double, string>, KeyValuePair<IReadOnlyList<string>, TimeSpan>>>();
        runWith = entry.GetMethod("RunWith")!.CreateDelegate<Func<string, string, IReadOnlyDictionary<string, string>, Action<double, string>, TextWriter, CancellationToken, KeyValuePair<IReadOnlyList<string>, TimeSpan>>>();
    }

    /// <summary>The experiments (name, description), in catalogue order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> List() => list();

    /// <summary>Runs one experiment (its exact name) into <paramref name="folder"/>: the files written and the time taken.</summary>
    public (IReadOnlyList<string> Files, TimeSpan Elapsed) Run(string name, string folder, bool quick, Action<double, string> progress)
    {
        var result = run(name, folder, quick, progress);
        return (result.Key, result.Value);
    }

    /// <summary>
    /// Runs one experiment with the command line's settings (see SeriesCompiler.Experiments.ExperimentEntryPoint.RunWith),
    /// its log to <paramref name="log"/>; stops at a job boundary once <paramref name="cancellation"/> is cancelled.
    /// </summary>
    public (IReadOnlyList<string> Files, TimeSpan Elapsed) Run(string name, string folder, IReadOnlyDictionary<string, string> settings,
        Action<double, string> progress, TextWriter log, CancellationToken cancellation)
    {
        var result = runWith(name, folder, settings, progress, log, cancellation);
        return (result.Key, result.Value);
    }

    /// <summary>The experiments, or null when this installation has none (the packed tool).</summary>
    public static ExperimentsLoader? TryLoad(string toolDirectory)
    {
        var assembly = FromProcess() ?? FromFolder(Path.Combine(toolDirectory, "experiments"));
        return assembly?.GetType(EntryPoint) is { } entry ? new ExperimentsLoader(entry) : null;
    }

    private static Assembly? FromProcess()
    {
        try
        {
            return Assembly.Load(new AssemblyName(AssemblyName));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static Assembly? FromFolder(string folder)
    {
        string path = Path.Combine(folder, AssemblyName + ".dll");
        if (!File.Exists(path)) return null;
        return new PluginContext(path).LoadFromAssemblyPath(path);
    }

    /// <summary>
    /// Resolves the experiments' own dependencies (ScottPlot, SkiaSharp and its native library) from their .deps.json.
    /// An assembly seriesc itself has (SeriesCompiler.Runtime, Emit, Roslyn, ...) comes from the default context, so
    /// there is one copy of each type: rules the experiments compile are cast to the Runtime's interfaces.
    /// </summary>
    private sealed class PluginContext(string mainAssembly) : AssemblyLoadContext("seriesc-experiments")
    {
        private readonly AssemblyDependencyResolver resolver = new(mainAssembly);

        private static readonly HashSet<string> Shared = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);

        protected override Assembly? Load(AssemblyName name) =>
            name.Name is { } simple && Shared.Contains(simple) ? null
            : resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
