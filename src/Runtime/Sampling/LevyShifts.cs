namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// The two proposals of a Lévy generator rule for a stable part -c|w|^alpha (docs/exact-rules.md, "Lévy generator
/// rules"): near zero the shift of the second derivative, in the tail the shift of the plain difference.
/// </summary>
public static class LevyShifts
{
    /// <summary>
    /// U = T X with T = V1 - V2 (density 1 - |t| on (-1, 1): x^2 E[f''(z + T x)] is the second difference
    /// f(z+x) + f(z-x) - 2 f(z)) and X = V3^(1/(2 - alpha)) (density (2 - alpha) x^(1 - alpha) on (0, 1), the near part of
    /// x^2 x^(-1-alpha) normalised).
    /// </summary>
    public static double Near(RandomSource random, double alpha)
    {
        double t = random.NextDouble() - random.NextDouble();
        return t * Math.Pow(random.NextDouble(), 1.0 / (2.0 - alpha));
    }

    /// <summary>U = S Y with S = ±1 and Y = V^(-1/alpha), V ~ U(0, 1) open (so Y is finite): Y ~ Pareto(alpha) on (1, inf).</summary>
    public static double Tail(RandomSource random, double alpha)
    {
        double y = Math.Pow(random.NextDouble(), -1.0 / alpha);
        return random.NextDouble() < 0.5 ? -y : y;
    }
}
