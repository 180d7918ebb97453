using System.Collections.Concurrent;
using SeriesCompiler.Runtime.Rules;

namespace SeriesCompiler.Experiments;

/// <summary>The bundled rules the experiments use, compiled once per process from distributions/ (in memory, Roslyn).</summary>
internal static class RuleLibrary
{
    private static readonly ConcurrentDictionary<string, IDistributionRule> Cache = new(StringComparer.OrdinalIgnoreCase);

    public static IDistributionRule Direct(string name) =>
        Cache.GetOrAdd(name, n => SeriesCompiler.Emit.Loading.Rules.Load(n, order: 12).Direct
            ?? throw new InvalidOperationException($"{n} is a derived distribution"));
}
