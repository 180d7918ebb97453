namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// Random sums: <c>z = Y_1 + ... + Y_N</c> with the count N itself drawn (a compound Poisson law when N is Poisson).
/// The declaration language writes one as a gamma draw whose shape is a count (docs/language-extensions.md).
/// </summary>
public static class RandomSums
{
    /// <summary>
    /// Gamma(shape, 1) for shape &gt;= 0: the sum of n unit exponentials is Gamma(n), and the empty sum (n = 0) is the
    /// point 0, so <c>gamma(poisson(lambda))</c> is a compound Poisson sum of Exp(1) jumps and <c>gamma(a*poisson(lambda))</c>
    /// one of Gamma(a) jumps. A positive shape draws exactly as <see cref="RandomSource.Gamma"/> does.
    /// </summary>
    public static double Gamma(RandomSource random, double shape)
    {
        if (shape == 0) return 0.0;
        if (!(shape > 0)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "The shape of a random sum's gamma draw must be 0 or more.");
        return random.Gamma(shape);
    }
}
