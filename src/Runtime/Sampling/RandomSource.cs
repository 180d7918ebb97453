using System.Numerics;
using System.Runtime.CompilerServices;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// A seedable random source with a fixed algorithm, so that one seed gives one stream on every
/// machine and .NET version: xoshiro256** 1.0 (Blackman &amp; Vigna 2018; period 2^256 - 1, passes
/// BigCrush), its state filled from the seed by SplitMix64. Samplers for the distributions the
/// estimators need are built on it; none allocates.
/// </summary>
/// <remarks>
/// <para>The integer and uniform streams are bit-identical everywhere. Samplers that call
/// <see cref="Math.Log"/>, <see cref="Math.Exp"/> or <see cref="Math.Pow"/> inherit the platform
/// math library, which may differ in the last ulp between operating systems.</para>
/// <para>A class, not a struct: copying a struct generator silently duplicates its stream.
/// Not thread-safe; give each thread its own stream via <see cref="Stream"/> or <see cref="Split"/>.</para>
/// </remarks>
public sealed class RandomSource
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    /// <summary>A source whose stream is fixed by <paramref name="seed"/>.</summary>
    public RandomSource(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
        // SplitMix64 is a bijection of its counter, so four consecutive outputs are never all zero;
        // the guard documents the one state xoshiro must avoid.
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 0x9E3779B97F4A7C15;
    }

    private RandomSource(ulong seed, ulong s0, ulong s1, ulong s2, ulong s3)
    {
        Seed = seed;
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>The seed this source (or its parent) was created with.</summary>
    public ulong Seed { get; }

    // ------------------------------------------------------------------ streams

    /// <summary>
    /// Independent stream number <paramref name="index"/> of this source's seed, regardless of how
    /// far this source has advanced: a fresh xoshiro256** state from SplitMix64 run on
    /// <c>mix(seed) ^ mix(index)</c>. For one seed, distinct indices give distinct states (every map
    /// on the way is a bijection), scattered over the 2^256-long cycle: the chance that two of a
    /// million streams overlap within 2^64 draws each is about 2^-150.
    /// </summary>
    public RandomSource Stream(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ulong x = Mix64(Seed) ^ Mix64(0xD1B54A32D192ED03UL * ((ulong)index + 1));
        return new RandomSource(Seed, SplitMix64(ref x), SplitMix64(ref x), SplitMix64(ref x), SplitMix64(ref x));
    }

    /// <summary>
    /// A child that continues this stream while this source jumps 2^128 draws ahead
    /// (<see cref="Jump"/>), so the two never overlap for any practical length. Deterministic:
    /// the k-th split of a given source is always the same.
    /// </summary>
    public RandomSource Split()
    {
        var child = new RandomSource(Seed, _s0, _s1, _s2, _s3);
        Jump();
        return child;
    }

    /// <summary>Advances the state by 2^128 draws (the reference jump polynomial of xoshiro256).</summary>
    public void Jump()
    {
        ReadOnlySpan<ulong> jump = [0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C, 0xA9582618E03FC9AA, 0x39ABDC4529B1661C];
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        foreach (ulong word in jump)
        {
            for (int bit = 0; bit < 64; bit++)
            {
                if ((word & (1UL << bit)) != 0)
                {
                    t0 ^= _s0;
                    t1 ^= _s1;
                    t2 ^= _s2;
                    t3 ^= _s3;
                }
                NextUInt64();
            }
        }
        (_s0, _s1, _s2, _s3) = (t0, t1, t2, t3);
        _hasSpareNormal = false;
    }

    // ------------------------------------------------------------------ raw bits and uniforms

    /// <summary>Next 64 random bits (xoshiro256**).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// Uniform on the open interval (0, 1): <c>(top 53 bits + 1/2) 2^-53</c>, so the smallest value
    /// is 2^-54 and the largest 1 - 2^-54; <c>log(u)</c> and <c>log(1 - u)</c> are always finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>Uniform on (a, b).</summary>
    public double Uniform(double a, double b) => a + (b - a) * NextDouble();

    /// <summary>Unbiased integer in [0, bound) by Lemire's multiply-and-reject.</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        ulong m = (ulong)bound;
        while (true)
        {
            ulong hi = Math.BigMul(NextUInt64(), m, out ulong lo);
            // Reject the (2^64 mod m) low products that would bias small values.
            if (lo >= m || lo >= (0UL - m) % m) return (int)hi;
        }
    }

    // ------------------------------------------------------------------ continuous distributions

    /// <summary>
    /// Standard normal by Marsaglia's polar method: <c>(u, v)</c> uniform in the unit disc,
    /// <c>s = u^2 + v^2</c>, then <c>u sqrt(-2 ln s / s)</c> and <c>v sqrt(...)</c> are independent
    /// N(0,1); the second is kept for the next call.
    /// </summary>
    public double Normal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * f;
        _hasSpareNormal = true;
        return u * f;
    }

    /// <summary>Normal with the given mean and standard deviation.</summary>
    public double Normal(double mean, double standardDeviation) => mean + standardDeviation * Normal();

    /// <summary>Exponential with rate 1 by inversion: <c>-ln U</c>.</summary>
    public double Exponential() => -Math.Log(NextDouble());

    /// <summary>Exponential with the given rate: <c>-ln U / rate</c>.</summary>
    public double Exponential(double rate) => Exponential() / rate;

    /// <summary>
    /// Gamma(shape k, scale) by Marsaglia &amp; Tsang (2000): for k &gt;= 1, with <c>d = k - 1/3</c>,
    /// <c>c = 1/sqrt(9d)</c>, accept <c>d (1 + c X)^3</c> for normal X by the squeeze
    /// <c>U &lt; 1 - 0.0331 X^4</c> or <c>ln U &lt; X^2/2 + d(1 - V + ln V)</c>. For k &lt; 1 the boost
    /// <c>Gamma(k) = Gamma(k + 1) U^(1/k)</c>.
    /// </summary>
    public double Gamma(double shape, double scale = 1.0)
    {
        if (!(shape > 0)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "Shape must be positive.");
        if (shape >= 1) return scale * MarsagliaTsang(shape);
        return scale * Math.Exp(LogGammaBoosted(shape));
    }

    // log of a Gamma(k < 1) draw: log Gamma(k+1) + ln U / k (in logs: U^(1/k) underflows for tiny k).
    private double LogGammaBoosted(double shape) => Math.Log(MarsagliaTsang(shape + 1)) + Math.Log(NextDouble()) / shape;

    private double MarsagliaTsang(double shape)
    {
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            double u = NextDouble();
            double x2 = x * x;
            if (u < 1 - 0.0331 * x2 * x2) return d * v;
            if (Math.Log(u) < 0.5 * x2 + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>
    /// Beta(a, b) as <c>X / (X + Y)</c> for independent <c>X ~ Gamma(a)</c>, <c>Y ~ Gamma(b)</c>;
    /// when a shape is below 1 the ratio is formed from the logarithms,
    /// <c>sigmoid(ln X - ln Y)</c>, since both gammas may underflow to 0.
    /// </summary>
    public double Beta(double a, double b)
    {
        if (!(a > 0)) throw new ArgumentOutOfRangeException(nameof(a), a, "Shape must be positive.");
        if (!(b > 0)) throw new ArgumentOutOfRangeException(nameof(b), b, "Shape must be positive.");
        if (a >= 1 && b >= 1)
        {
            double x = MarsagliaTsang(a), y = MarsagliaTsang(b);
            return x / (x + y);
        }
        double lx = a >= 1 ? Math.Log(MarsagliaTsang(a)) : LogGammaBoosted(a);
        double ly = b >= 1 ? Math.Log(MarsagliaTsang(b)) : LogGammaBoosted(b);
        return Differentiation.TaylorSeries.Logistic(lx - ly);
    }

    /// <summary>Laplace(0, b) by inversion: with <c>u = U - 1/2</c>, <c>-b sign(u) ln(1 - 2|u|)</c>.</summary>
    public double Laplace(double scale)
    {
        if (!(scale > 0)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Scale must be positive.");
        double u = NextDouble() - 0.5;
        // |u| <= 1/2 - 2^-54, so 1 - 2|u| >= 2^-53 and the log is finite.
        double magnitude = -scale * Math.Log(1 - 2 * Math.Abs(u));
        return u < 0 ? -magnitude : magnitude;
    }

    /// <summary>Laplace(location, scale).</summary>
    public double Laplace(double location, double scale) => location + Laplace(scale);

    // ------------------------------------------------------------------ discrete distributions

    /// <summary>Bernoulli(p): true with probability p.</summary>
    public bool Bernoulli(double p) => NextDouble() < p;

    /// <summary>
    /// Index i with probability <c>weights[i] / sum(weights)</c> (weights need not be normalized),
    /// by inversion of the cumulative sum: O(K).
    /// </summary>
    public int Categorical(ReadOnlySpan<double> weights)
    {
        if (weights.IsEmpty) throw new ArgumentException("Need at least one category.", nameof(weights));
        double total = 0;
        foreach (double w in weights)
        {
            if (!(w >= 0)) throw new ArgumentException("Weights must be non-negative.", nameof(weights));
            total += w;
        }
        if (!(total > 0) || double.IsInfinity(total)) throw new ArgumentException("Weights must have a positive finite sum.", nameof(weights));
        double target = NextDouble() * total, cumulative = 0;
        int last = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] == 0) continue;
            cumulative += weights[i];
            last = i;
            if (target < cumulative) return i;
        }
        return last; // rounding left target at the very top: the last positive category
    }

    /// <summary>
    /// Poisson(rate): sequential inversion from 0 for rates below 10 (expected rate + 1 steps);
    /// Hörmann's PTRS transformed rejection (1993) above, O(1) expected.
    /// </summary>
    public long Poisson(double rate)
    {
        if (!(rate >= 0) || double.IsInfinity(rate)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Rate must be finite and non-negative.");
        if (rate == 0) return 0;
        if (rate < 10) return PoissonInversion(rate);
        return PoissonPtrs(rate);
    }

    // Smallest k with F(k) >= U, walking p_k = p_{k-1} rate / k.
    private long PoissonInversion(double rate)
    {
        double u = NextDouble(), p = Math.Exp(-rate), cumulative = p;
        long k = 0;
        while (u > cumulative)
        {
            k++;
            p *= rate / k;
            cumulative += p;
            if (p == 0 && k > rate) break; // cumulative rounded below u: stop in the far tail
        }
        return k;
    }

    // W. Hörmann, "The transformed rejection method for generating Poisson random variables",
    // Insurance: Mathematics and Economics 12 (1993): hat from a transformed Cauchy-like density.
    private long PoissonPtrs(double rate)
    {
        double slam = Math.Sqrt(rate), logLam = Math.Log(rate);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = NextDouble() - 0.5;
            double v = NextDouble();
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * a / us + b) * u + rate + 0.43);
            if (us >= 0.07 && v <= vr) return (long)k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log(a / (us * us) + b) <= -rate + k * logLam - SpecialFunctions.LogGamma(k + 1))
                return (long)k;
        }
    }

    // ------------------------------------------------------------------ seeding

    /// <summary>SplitMix64 (Steele, Lea &amp; Flood 2014): a Weyl counter through a 64-bit finaliser.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15;
        return Mix64(state);
    }

    // The SplitMix64 / Stafford variant 13 finaliser: a bijection with full avalanche.
    private static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
