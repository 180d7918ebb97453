using System.Collections.Concurrent;
using SeriesCompiler.Runtime.Estimation;

namespace SeriesCompiler.Experiments;

/// <summary>The bundled rules the experiments use, compiled once per process from distributions/ (in memory, Roslyn).</summary>
internal static class RuleLibrary
{
    private static readonly ConcurrentDictionary<string, Rule> Cache = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The rule of a bundled declaration, to order 12 (the truncation study's highest N).</summary>
    public static Rule Load(string name) => Cache.GetOrAdd(name, n => SeriesCompiler.Emit.Loading.Rules.Load(n, order: 12));
}
