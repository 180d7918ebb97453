namespace SeriesCompiler.Fuzz;

/// <summary>
/// One input of the fuzzer: the text of a <c>.dist</c> file and the random order it is derived and emitted at.
/// A case is a pure function of (seed, index), so a worker process, a saved report and a rerun all see the same text.
/// </summary>
/// <param name="Index">Position in the run (0-based).</param>
/// <param name="Kind">How it was made: <c>generated</c> or <c>mutated:OP+OP...</c> (the mutation operators applied).</param>
/// <param name="Text">The declaration text.</param>
/// <param name="Order">The random order (1..12) used besides the fixed order 4.</param>
/// <param name="WellFormed">Whether it came from the grammar generator (as opposed to a mutation).</param>
public sealed record FuzzCase(long Index, string Kind, string Text, int Order, bool WellFormed)
{
    /// <summary>The path diagnostics of the case carry.</summary>
    public const string Path = "fuzz.dist";

    /// <summary>The fixed order every valid declaration is derived at.</summary>
    public const int FixedOrder = 4;

    /// <summary>Largest random order.</summary>
    public const int MaxRandomOrder = 12;

    /// <summary>
    /// Builds case <paramref name="index"/> of the run with <paramref name="seed"/>; its random order is folded into
    /// 1..<paramref name="maxOrder"/> (the texts do not depend on it).
    /// </summary>
    public static FuzzCase Create(int seed, long index, IReadOnlyList<string> seeds, double generatedFraction = 0.5, int maxOrder = MaxRandomOrder)
    {
        var random = new Random(Mix(seed, index));
        int order = 1 + (random.Next(1, MaxRandomOrder + 1) - 1) % Math.Clamp(maxOrder, 1, MaxRandomOrder);
        if (random.NextDouble() < generatedFraction)
            return new FuzzCase(index, "generated", new DeclarationGenerator(random).File(), order, true);
        var (text, operators) = new Mutator(random).Mutate(seeds);
        return new FuzzCase(index, "mutated:" + string.Join("+", operators), text, order, false);
    }

    /// <summary>A 32-bit seed for one case (System.Random with a seed is reproducible across runs and machines).</summary>
    public static int Mix(int seed, long index)
    {
        ulong x = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)index * 0xBF58476D1CE4E5B9UL;
        x ^= x >> 31;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 29;
        return (int)(x & 0x7FFFFFFF);
    }
}
