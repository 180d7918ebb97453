namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// Symmetric alpha-stable draws by Chambers-Mallows-Stuck: with U uniform on (-pi/2, pi/2) and W ~ Exp(1),
/// <c>X = sin(alpha U) / cos(U)^(1/alpha) * (cos((1 - alpha) U) / W)^((1 - alpha)/alpha)</c> has the characteristic
/// function exp(-|w|^alpha) (alpha = 1 gives tan U, the standard Cauchy). x0 + sigma X has exp(i x0 w - sigma^alpha |w|^alpha).
/// </summary>
public static class StableLaw
{
    public static double Symmetric(RandomSource random, double alpha)
    {
        if (!(alpha > 0 && alpha <= 2)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "the stable index alpha must satisfy 0 < alpha <= 2");
        double u = Math.PI * (random.NextDouble() - 0.5);
        double w = random.Exponential();
        if (alpha == 1) return Math.Tan(u);
        return Math.Sin(alpha * u) / Math.Pow(Math.Cos(u), 1 / alpha) * Math.Pow(Math.Cos((1 - alpha) * u) / w, (1 - alpha) / alpha);
    }
}
