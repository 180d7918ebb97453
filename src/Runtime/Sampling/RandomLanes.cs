using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// Four xoshiro256** streams side by side in the lanes of <see cref="Vector256{T}"/>: lane i is stream
/// (seed, first + i) of <see cref="RandomSource.SetStream"/>, and its raw bits and uniforms are bit for bit those of a
/// <see cref="RandomSource"/> set to that stream. Rejection samplers advance only the lanes still rejecting (a masked
/// state update), so each lane draws exactly its own stream's sequence, whatever its neighbours do: a sample's numbers
/// do not depend on which lane or block it falls in.
/// </summary>
public struct RandomLanes
{
    private Vector256<ulong> _s0, _s1, _s2, _s3;

    /// <summary>Four lanes with these xoshiro states (lane i of each vector is stream i's word): half of a <see cref="RandomLanes8"/>.</summary>
    internal RandomLanes(Vector256<ulong> s0, Vector256<ulong> s1, Vector256<ulong> s2, Vector256<ulong> s3) => (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

    /// <summary>The four lanes' xoshiro states, word by word.</summary>
    internal readonly void GetStates(out Vector256<ulong> s0, out Vector256<ulong> s1, out Vector256<ulong> s2, out Vector256<ulong> s3) =>
        (s0, s1, s2, s3) = (_s0, _s1, _s2, _s3);

    /// <summary>Lane i becomes stream (seed, first + i).</summary>
    public void SetStreams(ulong seed, ulong first)
    {
        Span<ulong> a = stackalloc ulong[4], b = stackalloc ulong[4], c = stackalloc ulong[4], d = stackalloc ulong[4];
        for (int i = 0; i < 4; i++) RandomSource.StreamState(seed, first + (ulong)i, out a[i], out b[i], out c[i], out d[i]);
        _s0 = Vector256.Create<ulong>(a);
        _s1 = Vector256.Create<ulong>(b);
        _s2 = Vector256.Create<ulong>(c);
        _s3 = Vector256.Create<ulong>(d);
    }

    /// <summary>Lane i becomes stream (seed, indices[i]) (four indices; any order, repeats allowed).</summary>
    public void SetStreams(ulong seed, ReadOnlySpan<ulong> indices)
    {
        Span<ulong> a = stackalloc ulong[4], b = stackalloc ulong[4], c = stackalloc ulong[4], d = stackalloc ulong[4];
        for (int i = 0; i < 4; i++) RandomSource.StreamState(seed, indices[i], out a[i], out b[i], out c[i], out d[i]);
        _s0 = Vector256.Create<ulong>(a);
        _s1 = Vector256.Create<ulong>(b);
        _s2 = Vector256.Create<ulong>(c);
        _s3 = Vector256.Create<ulong>(d);
    }

    /// <summary>Lane <paramref name="lane"/>'s xoshiro state (to continue its stream on a <see cref="RandomSource"/>).</summary>
    public readonly void GetLaneState(int lane, out ulong s0, out ulong s1, out ulong s2, out ulong s3) =>
        (s0, s1, s2, s3) = (_s0.GetElement(lane), _s1.GetElement(lane), _s2.GetElement(lane), _s3.GetElement(lane));

    /// <summary>Uniforms on (0, 1) in the lanes of <paramref name="mask"/> (all bits set); the other lanes' streams do not move.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<double> NextDoubleMasked(Vector256<ulong> mask) => ToUnit(Next(mask));

    /// <summary>Exponentials of rate 1 in the lanes of <paramref name="mask"/>.</summary>
    public Vector256<double> ExponentialMasked(Vector256<ulong> mask) => -FastMath.Log(NextDouble(mask));

    /// <summary>Standard normals (Box-Muller, as <see cref="Normal()"/>) in the lanes of <paramref name="mask"/>.</summary>
    public Vector256<double> NormalLanes(Vector256<ulong> mask) => NormalMasked(mask);

    /// <summary>
    /// Gamma(k_i, 1) in lane i of <paramref name="mask"/>, each lane with its own shape (Marsaglia &amp; Tsang as in
    /// <see cref="Gamma(double)"/>): lanes that reject draw again and only they advance, so a lane's draw is that of its
    /// stream whatever its neighbours' shapes. The logarithmic test runs only when some lane fails the squeeze
    /// <c>U &lt; 1 - 0.0331 X^4</c> (it accepts about 98% at k &gt;= 1), which decides nothing for the lanes it accepted.
    /// </summary>
    public Vector256<double> GammaMasked(Vector256<double> shape, Vector256<ulong> mask)
    {
        var spare = Vector256<double>.Zero;
        var hasSpare = Vector256<ulong>.Zero;
        return GammaMasked(shape, mask, ref spare, ref hasSpare);
    }

    /// <summary>
    /// As <see cref="GammaMasked(Vector256{double}, Vector256{ulong})"/>, with the sine half of each lane's last Box-Muller
    /// pair kept in <paramref name="spare"/> (where <paramref name="hasSpare"/> is set) from one call to the next: a run of
    /// draws on the same streams (a sample's copies, one after another) makes one pair per two normals, not one per normal.
    /// A lane's numbers still depend on its own stream and its own sequence of calls only; start a run with both cleared.
    /// </summary>
    public Vector256<double> GammaMasked(Vector256<double> shape, Vector256<ulong> mask, ref Vector256<double> spare, ref Vector256<ulong> hasSpare)
    {
        var one = Vector256<double>.One;
        var boost = Vector256.LessThan(shape, one).AsUInt64() & mask;
        var k = shape + (boost.AsDouble() & one);   // k < 1 draws Gamma(k + 1), then U^(1/k)
        var d = k - Vector256.Create(1.0 / 3.0);
        var c = one / (3.0 * Vector256.Sqrt(d));    // 1/sqrt(9d) as 1/(3 sqrt d), as the scalar sampler
        var result = Vector256<double>.Zero;
        var pending = mask;
        // The first try's normal: the lane's kept sine half, or a new pair's cosine (its sine kept for the next call).
        var x = NextNormal(pending, ref spare, ref hasSpare);
        while (true)
        {
            var t = one + c * x;
            var v = t * t * t;
            var u = NextDouble(pending);
            var positive = Vector256.GreaterThan(v, Vector256<double>.Zero).AsUInt64();
            var x2 = x * x;
            var accept = positive & Vector256.LessThan(u, one - 0.0331 * x2 * x2).AsUInt64() & pending;
            var undecided = positive & pending & ~accept;
            if (!Vector256.EqualsAll(undecided, Vector256<ulong>.Zero))
            {
                // ln v is NaN where v <= 0; 'positive' has refused those lanes already.
                var full = Vector256.LessThan(FastMath.Log(u), 0.5 * x2 + d * (one - v + FastMath.Log(v))).AsUInt64();
                accept |= full & undecided;
            }
            result = Vector256.ConditionalSelect(accept.AsDouble(), d * v, result);
            pending &= ~accept;
            if (Vector256.EqualsAll(pending, Vector256<ulong>.Zero)) break;
            // A retry takes a new pair's cosine and drops its sine: whether a lane holds a spare after the call then
            // depends only on whether it held one before, not on its rejections, so lanes that start a run together stay
            // in step and each call either uses every lane's spare (no pair at all) or makes one pair for every lane.
            // (Keeping the retries' sines, rejections put the lanes out of step, and nearly every call made a pair.)
            x = BoxMuller(pending).Cosine;
        }
        if (!Vector256.EqualsAll(boost, Vector256<ulong>.Zero))
        {
            // Gamma(k) = Gamma(k + 1) U^(1/k), as exp(ln U / k); only the boosted lanes draw the uniform.
            var factor = FastMath.ExpNonPositive(FastMath.Log(NextDouble(boost)) / shape);
            result = Vector256.ConditionalSelect(boost.AsDouble(), result * factor, result);
        }
        return result;
    }

    /// <summary>Next 64 bits of every lane (xoshiro256**: <c>rotl(s1 * 5, 7) * 9</c>, multiplications as shifts and adds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<ulong> NextUInt64() => Next(Vector256<ulong>.AllBitsSet);

    // Advances the lanes of mask (all bits set) and leaves the others' states as they were.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<ulong> Next(Vector256<ulong> mask)
    {
        var s0 = _s0;
        var s1 = _s1;
        var s2 = _s2;
        var s3 = _s3;
        var five = (s1 << 2) + s1;
        var rotated = (five << 7) | (five >>> 57);
        var result = (rotated << 3) + rotated;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 45) | (s3 >>> 19);
        _s0 = Vector256.ConditionalSelect(mask, s0, _s0);
        _s1 = Vector256.ConditionalSelect(mask, s1, _s1);
        _s2 = Vector256.ConditionalSelect(mask, s2, _s2);
        _s3 = Vector256.ConditionalSelect(mask, s3, _s3);
        return result;
    }

    /// <summary>Uniforms on (0, 1), <c>(top 53 bits + 1/2) 2^-53</c> as <see cref="RandomSource.NextDouble"/>, bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<double> NextDouble() => ToUnit(Next(Vector256<ulong>.AllBitsSet));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<double> NextDouble(Vector256<ulong> mask) => ToUnit(Next(mask));

    // x = bits >> 11 < 2^53 as a double, exactly: its high 21 and low 32 bits each through the 2^52 magic number
    // (an integer below 2^52 ORed into 2^52's mantissa is 2^52 + it), then (x + 1/2) 2^-53 rounded (exact below 2^52),
    // capped at 1 - 2^-53.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ToUnit(Vector256<ulong> bits)
    {
        var x = bits >>> 11;
        // With AVX-512 (DQ, VL) one instruction converts: x < 2^53 is exact as a double either way, so the same bits.
        // The cap as RandomSource.NextDouble's: x = 2^53 - 1 gives x + 1/2 rounded to 2^53, that is U = 1.
        var cap = Vector256.Create(RandomSource.LargestBelowOne);
        if (Avx512DQ.VL.IsSupported) return Vector256.Min((Avx512DQ.VL.ConvertToVector256Double(x) + Vector256.Create(0.5)) * (1.0 / (1UL << 53)), cap);
        var magic = Vector256.Create(0x4330000000000000UL);
        var two52 = Vector256.Create(4503599627370496.0);
        var low = (x & Vector256.Create(0xFFFFFFFFUL) | magic).AsDouble() - two52;
        var high = ((x >>> 32) | magic).AsDouble() - two52;
        return Vector256.Min((high * 4294967296.0 + low + Vector256.Create(0.5)) * (1.0 / (1UL << 53)), cap);
    }

    /// <summary>Exponentials of rate 1, <c>-log U</c>.</summary>
    public Vector256<double> Exponential() => -FastMath.Log(NextDouble());

    /// <summary>
    /// Standard normals by Box and Muller: <c>sqrt(-2 ln u1) cos(2 pi u2)</c> from two uniforms per lane (the sine half is
    /// not kept, so a lane's stream never depends on an earlier call's parity).
    /// </summary>
    public Vector256<double> Normal() => BoxMuller(Vector256<ulong>.AllBitsSet).Cosine;

    /// <summary>Laplace(0, b) by inversion: with <c>u = U - 1/2</c>, <c>-b sign(u) ln(1 - 2|u|)</c>.</summary>
    public Vector256<double> Laplace(double scale)
    {
        var u = NextDouble() - Vector256.Create(0.5);
        var magnitude = -scale * FastMath.Log(Vector256<double>.One - 2.0 * Vector256.Abs(u));
        return Vector256.ConditionalSelect(Vector256.LessThan(u, Vector256<double>.Zero), -magnitude, magnitude);
    }

    // A normal for each lane of 'pending': a lane that kept the sine half of its last Box-Muller pair (the caller carries
    // the spare from draw to draw; a gamma retry drops its pair's sine) uses it; the others draw a new pair, and only they advance. Whether a
    // lane has a spare follows from its own sequence of draws alone, so a lane's stream never depends on its neighbours.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<double> NextNormal(Vector256<ulong> pending, ref Vector256<double> spare, ref Vector256<ulong> hasSpare)
    {
        var fresh = pending & ~hasSpare;
        var x = spare;
        if (!Vector256.EqualsAll(fresh, Vector256<ulong>.Zero))
        {
            var (cosine, sine) = BoxMuller(fresh);
            x = Vector256.ConditionalSelect(fresh.AsDouble(), cosine, spare);
            spare = Vector256.ConditionalSelect(fresh.AsDouble(), sine, spare);
        }
        // Pending lanes that had a spare used it up; fresh ones keep their new sine half; the others keep what they had.
        hasSpare = (hasSpare & ~pending) | fresh;
        return x;
    }

    /// <summary>
    /// Box and Muller (1958) in the lanes of <paramref name="mask"/>: two uniforms u1, u2 give the independent normals
    /// <c>r cos(2 pi u2)</c> and <c>r sin(2 pi u2)</c>, <c>r = sqrt(-2 ln u1)</c> (u1 is never 0: uniforms are
    /// <c>(m + 1/2) 2^-53</c>). No rejection, so no lane waits for another.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Vector256<double> Cosine, Vector256<double> Sine) BoxMuller(Vector256<ulong> mask)
    {
        var u1 = NextDouble(mask);
        var u2 = NextDouble(mask);
        var r = Vector256.Sqrt(-2.0 * FastMath.Log(u1));
        var (sine, cosine) = FastMath.SinCos(u2 * (2 * Math.PI));
        return (r * cosine, r * sine);
    }

    /// <summary>
    /// Gamma(k, 1) by Marsaglia &amp; Tsang (2000), the rejection step on all lanes at once: for k &gt;= 1, <c>d = k - 1/3</c>,
    /// <c>c = 1/sqrt(9d)</c>, normal X with <c>v = (1 + cX)^3 &gt; 0</c>, accept <c>d v</c> when <c>U &lt; 1 - 0.0331 X^4</c> or
    /// <c>ln U &lt; X^2/2 + d(1 - v + ln v)</c>; lanes that reject draw again (only they advance). For k &lt; 1 the boost
    /// <c>Gamma(k) = Gamma(k + 1) U^(1/k)</c>, as <c>exp(ln U / k)</c>.
    /// </summary>
    public Vector256<double> Gamma(double shape)
    {
        if (!(shape > 0) || double.IsInfinity(shape)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "The gamma shape must be positive and finite.");
        double k = shape < 1 ? shape + 1 : shape;
        double d = k - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9 * d);
        var result = Vector256<double>.Zero;
        var pending = Vector256<ulong>.AllBitsSet;
        var spare = Vector256<double>.Zero;
        var hasSpare = Vector256<ulong>.Zero;
        while (!Vector256.EqualsAll(pending, Vector256<ulong>.Zero))
        {
            var x = NextNormal(pending, ref spare, ref hasSpare);
            var t = Vector256<double>.One + c * x;
            var v = t * t * t;
            var u = NextDouble(pending);
            var positive = Vector256.GreaterThan(v, Vector256<double>.Zero);
            var x2 = x * x;
            var squeeze = Vector256.LessThan(u, Vector256<double>.One - 0.0331 * x2 * x2);
            // ln v is NaN for v <= 0; those lanes are refused by 'positive' whatever the comparison says.
            var full = Vector256.LessThan(FastMath.Log(u), 0.5 * x2 + d * (Vector256<double>.One - v + FastMath.Log(v)));
            var accept = (positive & (squeeze | full)).AsUInt64() & pending;
            result = Vector256.ConditionalSelect(accept.AsDouble(), d * v, result);
            pending &= ~accept;
        }
        if (shape < 1) result *= FastMath.ExpNonPositive(FastMath.Log(NextDouble()) / shape);
        return result;
    }

    // Normal() for the lanes of mask only: the others' states stay, and their results are not used.
    private Vector256<double> NormalMasked(Vector256<ulong> mask) => BoxMuller(mask).Cosine;

    /// <summary>
    /// Poisson(rate) for rates below 30 by counting: the number of arrivals of a rate-1 Poisson process before time
    /// <c>rate</c>, i.e. the first n with <c>U_1 ... U_{n+1} &lt; e^-rate</c> (products kept as sums of logs, so small
    /// products do not underflow); lanes stop as they finish. Above, each lane runs <see cref="RandomSource.Poisson"/> on its own stream.
    /// </summary>
    public Vector256<double> Poisson(double rate)
    {
        if (!(rate >= 0) || double.IsInfinity(rate)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The Poisson rate must be finite and at least 0.");
        if (rate == 0) return Vector256<double>.Zero;
        if (rate >= 30) return PoissonByLane(rate);
        var count = Vector256<double>.Zero;
        var sum = Vector256<double>.Zero;
        var pending = Vector256<ulong>.AllBitsSet;
        var limit = Vector256.Create(-rate);
        while (!Vector256.EqualsAll(pending, Vector256<ulong>.Zero))
        {
            sum += Vector256.ConditionalSelect(pending.AsDouble(), FastMath.Log(NextDouble(pending)), Vector256<double>.Zero);
            var done = Vector256.LessThan(sum, limit).AsUInt64() & pending;
            count += Vector256.ConditionalSelect((pending & ~done).AsDouble(), Vector256<double>.One, Vector256<double>.Zero);
            pending &= ~done;
        }
        return count;
    }

    private Vector256<double> PoissonByLane(double rate)
    {
        Span<ulong> a = stackalloc ulong[4], b = stackalloc ulong[4], c = stackalloc ulong[4], d = stackalloc ulong[4];
        Span<double> result = stackalloc double[4];
        _s0.CopyTo(a);
        _s1.CopyTo(b);
        _s2.CopyTo(c);
        _s3.CopyTo(d);
        var source = new RandomSource(0);
        for (int i = 0; i < 4; i++)
        {
            source.SetState(a[i], b[i], c[i], d[i]);
            result[i] = source.Poisson(rate);
            source.GetState(out a[i], out b[i], out c[i], out d[i]);
        }
        _s0 = Vector256.Create<ulong>(a);
        _s1 = Vector256.Create<ulong>(b);
        _s2 = Vector256.Create<ulong>(c);
        _s3 = Vector256.Create<ulong>(d);
        return Vector256.Create<double>(result);
    }
}

/// <summary>
/// Fills spans with draws, four lanes at a time: element i of a fill is drawn from stream (seed, first + i), so a fill
/// split anywhere (blocks, threads) gives the same numbers. A tail shorter than four is drawn on full lanes and cut.
/// </summary>
public static class LaneSampler
{
    private delegate Vector256<double> Draw(ref RandomLanes lanes, double a);

    private static void Fill(Span<double> destination, ulong seed, ulong first, double a, Draw draw)
    {
        var lanes = default(RandomLanes);
        Span<double> tail = stackalloc double[4];
        for (int i = 0; i < destination.Length; i += 4)
        {
            lanes.SetStreams(seed, first + (ulong)i);
            var x = draw(ref lanes, a);
            if (i + 4 <= destination.Length) x.CopyTo(destination[i..]);
            else
            {
                x.CopyTo(tail);
                tail[..(destination.Length - i)].CopyTo(destination[i..]);
            }
        }
    }

    /// <summary>Uniforms on (0, 1), bit for bit <see cref="RandomSource.NextDouble"/> of each element's stream.</summary>
    public static void Uniform(Span<double> destination, ulong seed, ulong first = 0) =>
        Fill(destination, seed, first, 0, static (ref RandomLanes l, double _) => l.NextDouble());

    public static void Exponential(Span<double> destination, ulong seed, ulong first = 0) =>
        Fill(destination, seed, first, 0, static (ref RandomLanes l, double _) => l.Exponential());

    public static void Normal(Span<double> destination, ulong seed, ulong first = 0) =>
        Fill(destination, seed, first, 0, static (ref RandomLanes l, double _) => l.Normal());

    public static void Laplace(Span<double> destination, double scale, ulong seed, ulong first = 0) =>
        Fill(destination, seed, first, scale, static (ref RandomLanes l, double b) => l.Laplace(b));

    public static void Gamma(Span<double> destination, double shape, ulong seed, ulong first = 0) =>
        Fill(destination, seed, first, shape, static (ref RandomLanes l, double k) => l.Gamma(k));

    public static void Poisson(Span<double> destination, double rate, ulong seed, ulong first = 0) =>
        Fill(destination, seed, first, rate, static (ref RandomLanes l, double r) => l.Poisson(r));

    /// <summary>The resummed Gamma rule's shift law for k, <c>U(0, 1) Exp(1)</c> (a uniform, then an exponential, per element).</summary>
    public static void UniformTimesExponential(Span<double> destination, ulong seed, ulong first = 0) =>
        Fill(destination, seed, first, 0, static (ref RandomLanes l, double _) => l.NextDouble() * l.Exponential());
}
