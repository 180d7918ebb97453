using System.Globalization;
using SeriesCompiler.Symbolic.Binding;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// The work an <c>estimate</c> will do, predicted before anything is compiled or sampled, so that a command line
/// asking for hours (or for more memory than the machine has) is refused at once instead of running with no end in
/// sight. The unit is a basic operation, about 10 ns on a current core (so 10^8 a second); the model is fitted to
/// measured runs and errs on the high side.
/// </summary>
/// <remarks>
/// Per sample, with u = D·m coordinates (D copies of an m-variate distribution, m = K for a family of size K) and g
/// parameter slots per copy:
/// - every estimator samples and evaluates f: about 100 operations per coordinate;
/// - the series (jets of order N) costs 20·(N+1)·g more per coordinate;
/// - a rule that re-evaluates f, which may couple every coordinate, once per shifted coordinate costs u² more per
///   term: the resummed rule (3g terms: f at a shift, f', f''), finite-difference stencils, the discrete rule of
///   Theorem 2 and the series of a derived distribution (N+1 each), the pathwise gradient (g);
/// and, once, a family of size K costs about 500·K² to set up (measured: K = 1600 takes about 8 s).
/// </remarks>
public static class EstimateCost
{
    /// <summary>The largest predicted work run without <c>--force</c>: about a minute.</summary>
    public const double Limit = 6e9;

    /// <summary>Operations a second, for the time shown in the refusal.</summary>
    public const double OperationsPerSecond = 1e8;

    /// <summary>The largest parameter vector (all copies) allocated even with <c>--force</c>: 2^27 doubles, 1 GiB.</summary>
    public const long MaxParameterSlots = 1L << 27;

    public sealed record Settings(int Samples, int Dims, int Order, bool OrderGiven, bool Stencil, IReadOnlyList<string> Estimators);

    /// <summary>The predicted operations of the run, all estimators together.</summary>
    public static double Predict(BoundDistribution declaration, int perCopySlots, int coordinatesPerCopy, Settings s)
    {
        double u = (double)s.Dims * coordinatesPerCopy;
        double g = Math.Max(1, perCopySlots);
        double n1 = s.Order + 1;
        bool discrete = declaration.Support?.IsDiscrete ?? false;
        bool derived = declaration.IsDerived;
        double total = declaration.FamilySize is not null ? 500.0 * coordinatesPerCopy * coordinatesPerCopy : 0;
        foreach (var name in s.Estimators)
        {
            double perSample = 100 * u;
            switch (name)
            {
                case "fourier":
                    // Without --order, a univariate rule may be summed exactly (the resummed rule): count the dearer.
                    double series = discrete || derived || s.Stencil ? 20 * n1 * g * u + n1 * u * u : 20 * n1 * g * u;
                    bool mayResum = !s.OrderGiven && !derived && !discrete && declaration.Dimension == 1;
                    perSample += mayResum ? Math.Max(series, Resummed(u, g)) : series;
                    break;
                case "resummed":
                    perSample += Resummed(u, g);
                    break;
                case "pathwise":
                    perSample += g * u * u;
                    break;
                default: // score: the log-density's gradient, coordinate by coordinate
                    perSample += 100 * g * u;
                    break;
            }
            total += s.Samples * perSample;
        }
        return total;
    }

    private static double Resummed(double u, double g) => 200 * g * u + 3 * g * u * u;

    /// <summary>The refusal, or null when the predicted work is within <see cref="Limit"/>.</summary>
    public static string? Refusal(double operations, Settings s, int coordinatesPerCopy)
    {
        if (operations <= Limit) return null;
        string coordinates = s.Dims == 1 && coordinatesPerCopy == 1 ? "1 coordinate"
            : coordinatesPerCopy == 1 || s.Dims == 1 ? $"{(long)s.Dims * coordinatesPerCopy} coordinates" : $"{s.Dims} x {coordinatesPerCopy} coordinates";
        string predicted = string.Create(CultureInfo.InvariantCulture,
            $"this estimate is predicted to take about {Seconds(operations)} ({operations:0.0e0} basic operations for {s.Samples} samples of {coordinates}");
        string limit = string.Create(CultureInfo.InvariantCulture, $"the limit of {Limit:0e0} (about a minute)");
        return $"{predicted}, estimator {string.Join(", ", s.Estimators)}), above {limit}; lower --samples, --dims or --order, or pass --force to run it anyway";
    }

    private static string Seconds(double operations)
    {
        double seconds = operations / OperationsPerSecond;
        return seconds < 3600 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s")
            : seconds < 86400 * 3 ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} hours")
            : seconds < 86400 * 1000 ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:0} days")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:0.#e0} days");
    }
}
