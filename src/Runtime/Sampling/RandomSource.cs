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
    /// Resets this source, in place and without allocating, to stream <paramref name="index"/> of
    /// <paramref name="seed"/>: the counter-based streams of the batched estimators, one per sample, so that sample i
    /// draws the same numbers whatever block or thread it falls in. Same construction as <see cref="Stream"/> (mix of
    /// seed and index through SplitMix64) but over the full 64-bit index; <see cref="Seed"/> is left unchanged.
    /// </summary>
    public void SetStream(ulong seed, ulong index)
    {
        StreamState(seed, index, out _s0, out _s1, out _s2, out _s3);
        _hasSpareNormal = false;
    }

    /// <summary>The state of stream (seed, index) of <see cref="SetStream"/>, without a source.</summary>
    internal static void StreamState(ulong seed, ulong index, out ulong s0, out ulong s1, out ulong s2, out ulong s3)
    {
        // Mix64 is a bijection, and so is multiplication by an odd constant: distinct indices give distinct states.
        ulong x = Mix64(seed) ^ Mix64(0xD1B54A32D192ED03UL * (index + 1));
        s0 = SplitMix64(ref x);
        s1 = SplitMix64(ref x);
        s2 = SplitMix64(ref x);
        s3 = SplitMix64(ref x);
        if ((s0 | s1 | s2 | s3) == 0) s0 = 0x9E3779B97F4A7C15;
    }

    /// <summary>The xoshiro state (for <see cref="RandomLanes"/>, which runs four streams side by side).</summary>
    internal void GetState(out ulong s0, out ulong s1, out ulong s2, out ulong s3) => (s0, s1, s2, s3) = (_s0, _s1, _s2, _s3);

    internal void SetState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
        _hasSpareNormal = false;
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
    /// Uniform on the open interval (0, 1): <c>(top 53 bits + 1/2) 2^-53</c>, rounded to a double. Below 2^52 the sum
    /// is exact (the smallest value is 2^-54); above, it rounds to an integer, and for the top 53 bits all ones it rounds
    /// to 2^53, that is 1: so the value is capped at <see cref="LargestBelowOne"/> = 1 - 2^-53 (one value in 2^53 moves),
    /// and <c>log(u)</c> and <c>log(1 - u)</c> are always finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => Math.Min(((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53)), LargestBelowOne);

    /// <summary>The largest double below 1, 1 - 2^-53: the cap of <see cref="NextDouble"/>.</summary>
    public const double LargestBelowOne = 1 - 1.0 / (1UL << 53);

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
        // c = 1/sqrt(9d) as 1/(3 sqrt d): 9d overflows for shapes near the double range. Above 2^104 the draw's relative
        // spread 1/sqrt(k) is below the double's resolution and d v rounds to d, the correctly rounded draw.
        double d = shape - 1.0 / 3.0, c = 1.0 / (3 * Math.Sqrt(d));
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
        // U in [2^-54, 1 - 2^-53], so |u| <= 1/2 - 2^-53 (exact), 1 - 2|u| >= 2^-52 and the log is finite.
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
        for (int i = 0; i < weights.Length; i++)
        {
            double w = weights[i];
            if (!(w >= 0))
                throw new ArgumentException($"categorical: the probability of category {i} is {w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; probabilities must be non-negative", nameof(weights));
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
    /// Hörmann's PTRS transformed rejection (1993) above, O(1) expected for every finite rate. The count is a double
    /// (no integer cast that overflows above 2^63); above 2^53 it is the nearest double to the integer drawn.
    /// </summary>
    public double Poisson(double rate)
    {
        if (!(rate >= 0) || double.IsInfinity(rate)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Rate must be finite and non-negative.");
        if (rate == 0) return 0;
        if (rate < 10) return PoissonInversion(rate);
        return PoissonPtrs(rate);
    }

    // Smallest k with F(k) >= U, walking p_k = p_{k-1} rate / k.
    private double PoissonInversion(double rate)
    {
        double u = NextDouble(), p = Math.Exp(-rate), cumulative = p;
        double k = 0;
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
    // Insurance: Mathematics and Economics 12 (1993): hat from a transformed Cauchy-like density. Everything in doubles.
    private double PoissonPtrs(double rate)
    {
        double slam = Math.Sqrt(rate);
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
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log(a / (us * us) + b) <= LogPoissonProbability(k, rate))
                return k;
        }
    }

    /// <summary>
    /// <c>log p_k = -rate + k log rate - log k!</c> without the cancellation of terms near <c>rate log rate</c> (at
    /// rate = 1e18 they are 4e19 and their rounding alone is 1e4): with <c>x = (k + 1 - rate)/rate</c> and Stirling's
    /// <c>log k! = (k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2 + delta(k + 1)</c>, it is
    /// <c>-rate g(x) - log(2 pi rate)/2 + log1p(x)/2 - delta(k + 1)</c> with <c>g(x) = (1 + x) log1p(x) - x</c>.
    /// </summary>
    internal static double LogPoissonProbability(double k, double rate)
    {
        if (k < 16) return -rate + k * Math.Log(rate) - SpecialFunctions.LogGamma(k + 1);
        double x = (k + 1 - rate) / rate;
        return -rate * OnePlusXLogOnePlusXMinusX(x) - 0.5 * Math.Log(2 * Math.PI * rate) + 0.5 * Differentiation.TaylorSeries.LogOnePlus(x) - StirlingCorrection(k + 1);
    }

    /// <summary><c>(1 + x) log1p(x) - x</c>; its series <c>sum_{n&gt;=2} (-x)^n / (n (n - 1))</c> near 0, where the direct form cancels.</summary>
    internal static double OnePlusXLogOnePlusXMinusX(double x)
    {
        if (Math.Abs(x) > 0.01) return (1 + x) * Differentiation.TaylorSeries.LogOnePlus(x) - x;
        double sum = 0, power = x; // (-1)^n x^n / (n (n-1)) for n = 2..12: below 1e-24 relative at |x| <= 0.01
        for (int n = 2; n <= 12; n++)
        {
            power *= -x;
            sum += power / (n * (n - 1.0));
        }
        return -sum;
    }

    /// <summary>
    /// Stirling's correction <c>delta(n) = log Gamma(n) - [(n - 1/2) log n - n + log(2 pi)/2]</c> for n &gt;= 16:
    /// <c>1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7) + 1/(1188n^9)</c>; the first term left out,
    /// <c>691/(360360 n^11)</c>, is about 1e-16 at n = 16 and smaller beyond.
    /// </summary>
    internal static double StirlingCorrection(double n)
    {
        // Below 16 the series is short of double precision; the terms are small there, so the difference has no cancellation to fear.
        if (n < 16) return SpecialFunctions.LogGamma(n) - ((n - 0.5) * Math.Log(n) - n + 0.5 * Math.Log(2 * Math.PI));
        double r = 1 / n, r2 = r * r;
        return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
    }

    /// <summary>
    /// Binomial(n, p) for an integer <paramref name="n"/> up to 2^53 (every count a double), O(1) expected for any n:
    /// inversion from 0 when <c>n min(p, 1-p) &lt; 10</c>, else Hörmann's BTRD transformed rejection (1993) with its
    /// normal-like squeeze and an exact test by Stirling's series; <c>p &gt; 1/2</c> as <c>n - Binomial(n, 1 - p)</c>.
    /// </summary>
    public double Binomial(double n, double p)
    {
        if (!(n >= 0) || n != Math.Floor(n) || n > MaxExactInteger)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"binomial: n = {n.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must be an integer from 0 to 2^53 = 9007199254740992 (above it a double cannot hold every count)");
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, $"binomial: p = {p.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must be in [0, 1]");
        if (p > 0.5) return n - Binomial(n, 1 - p);
        if (n == 0 || p == 0) return 0;
        if (n * p < 10) return BinomialInversion(n, p);
        return BinomialBtrd(n, p);
    }

    /// <summary>2^53: the largest integer below which every integer is a double.</summary>
    public const double MaxExactInteger = 9007199254740992.0;

    // Smallest k with F(k) >= U, walking p_k = p_{k-1} (n - k + 1)/k p/q from q^n (np < 10: about np + 1 steps).
    private double BinomialInversion(double n, double p)
    {
        double q = 1 - p, r = p / q, u = NextDouble();
        double pk = Math.Exp(n * Differentiation.TaylorSeries.LogOnePlus(-p)), cumulative = pk, k = 0;
        while (u > cumulative && k < n)
        {
            k++;
            pk *= (n - k + 1) / k * r;
            cumulative += pk;
            if (pk == 0 && k > n * p) break; // cumulative rounded below u: the far tail
        }
        return k;
    }

    // W. Hörmann, "The generation of binomial random variates", J. Statist. Comput. Simul. 46 (1993), algorithm BTRD,
    // for np >= 10 and p <= 1/2: the PTRS-like hat, a recursive pmf ratio near the mode, else a squeeze on the
    // log-ratio and the exact log(f(k)/f(m)) from Stirling's series.
    private double BinomialBtrd(double n, double p)
    {
        double q = 1 - p, npq = n * p * q, spq = Math.Sqrt(npq);
        double m = Math.Floor((n + 1) * p), r = p / q, nr = (n + 1) * r;
        double b = 1.15 + 2.53 * spq;
        double a = -0.0873 + 0.0248 * b + 0.01 * p;
        double c = n * p + 0.5;
        double alpha = (2.83 + 5.1 / b) * spq;
        double vr = 0.92 - 4.2 / b, urvr = 0.86 * vr;
        while (true)
        {
            double v = NextDouble(), u;
            if (v <= urvr)
            {
                u = v / vr - 0.43;
                return Math.Floor((2 * a / (0.5 - Math.Abs(u)) + b) * u + c);
            }
            if (v >= vr)
            {
                u = NextDouble() - 0.5;
            }
            else
            {
                u = v / vr - 0.93;
                u = Math.Sign(u) * 0.5 - u;
                v = NextDouble() * vr;
            }
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * a / us + b) * u + c);
            if (k < 0 || k > n) continue;
            v = v * alpha / (a / (us * us) + b);
            double km = Math.Abs(k - m);
            if (km <= 15)
            {
                // f(k)/f(m) by the recursion f(i)/f(i-1) = (n + 1) r / i - r.
                double f = 1;
                if (m < k) for (double i = m + 1; i <= k; i++) f *= nr / i - r;
                else if (m > k) for (double i = k + 1; i <= m; i++) v *= nr / i - r;
                if (v <= f) return k;
                continue;
            }
            // Squeeze: log(f(k)/f(m)) lies within rho of -km^2/(2 npq).
            v = Math.Log(v);
            double rho = km / npq * (((km / 3 + 0.625) * km + 1.0 / 6) / npq + 0.5);
            double t = -km * km / (2 * npq);
            if (v < t - rho) return k;
            if (v > t + rho) continue;
            // log(f(k)/f(m)) = log(m! (n-m)! / (k! (n-k)!)) + (k - m) log r by Stirling's series; log1p where ratios are near 1.
            double nm = n - m + 1, nk = n - k + 1;
            double h = (m + 0.5) * Math.Log((m + 1) / (r * nm)) + StirlingCorrection(m + 1) + StirlingCorrection(n - m + 1);
            double bound = h + (n + 1) * Differentiation.TaylorSeries.LogOnePlus((k - m) / nk) + (k + 0.5) * Math.Log(nk * r / (k + 1))
                - StirlingCorrection(k + 1) - StirlingCorrection(n - k + 1);
            if (v <= bound) return k;
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
