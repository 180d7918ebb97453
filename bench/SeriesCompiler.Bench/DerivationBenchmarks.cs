using BenchmarkDotNet.Attributes;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Bench;

/// <summary>
/// Issue 2's targets: the whole bundled set derived at order 16 in under 100 ms warm, time per distribution
/// growing no faster than about N^2. Each invocation builds a fresh workspace (parse + bind) so no derivation
/// is served from the workspace's cache; interned expression nodes stay warm, as in a long-lived process.
/// </summary>
[MemoryDiagnoser]
public class DerivationBenchmarks
{
    private SourceText[] _sources = [];

    [Params(8, 16, 32, 64)]
    public int Order { get; set; }

    [GlobalSetup]
    public void Setup() => _sources = BundledDistributions.Load();

    [Benchmark(Description = "derive every bundled distribution")]
    public int DeriveBundledSet()
    {
        var workspace = Workspace.Create(_sources);
        int coefficients = 0;
        foreach (var d in workspace.Distributions)
            coefficients += workspace.Derive(d, Order).Rule?.Coefficients.Length ?? 0;
        return coefficients;
    }
}

internal static class BundledDistributions
{
    public static SourceText[] Load()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "distributions");
        return Directory.GetFiles(folder, "*.dist").OrderBy(f => f, StringComparer.Ordinal).Select(f => SourceText.FromFile(f)).ToArray();
    }
}
