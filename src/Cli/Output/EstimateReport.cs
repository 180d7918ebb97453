using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Runtime.Estimation;

namespace SeriesCompiler.Cli.Output;

/// <summary>One estimator's outcome in <c>seriesc estimate</c>: its estimate, or why it gave none.</summary>
public sealed record EstimateOutcome(string Name, GradientEstimate? Result, string? Error);

/// <summary>
/// What <c>seriesc estimate</c> prints (docs/cli.md): the problem as given and each estimator's outcome.
/// <paramref name="Parameters"/> are the declaration's parameter names in declaration order (the order of <c>"at"</c>).
/// </summary>
public sealed record EstimateReport(string Distribution, IReadOnlyList<string> Parameters, ParameterValues At, string F,
    int Samples, ulong Seed, int Dims, IReadOnlyList<EstimateOutcome> Estimates)
{
    /// <summary>
    /// An estimate's slots grouped by parameter, in slot order: a scalar, or an array for a vector parameter or
    /// independent copies.
    /// </summary>
    internal static List<(string Parameter, List<int> Slots, bool IsVector)> Groups(GradientEstimate e)
    {
        var groups = new List<(string, List<int>, bool)>();
        for (int i = 0; i < e.Slots.Length; i++)
        {
            var (parameter, index) = e.Slots[i];
            int g = groups.FindIndex(x => x.Item1 == parameter);
            if (g < 0) groups.Add((parameter, [i], index >= 0));
            else groups[g].Item2.Add(i);
        }
        return groups;
    }
}
