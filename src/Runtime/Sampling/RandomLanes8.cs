using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// Eight xoshiro256** streams side by side: lane i is stream (seed, indices[i]) of <see cref="RandomSource.SetStream"/>.
/// Where <see cref="Vector512.IsHardwareAccelerated"/> (AVX-512) the eight lanes run as one <see cref="Vector512{T}"/>;
/// elsewhere as two <see cref="RandomLanes"/> of four. Both forms do the same IEEE operations in the same order on every
/// lane (the wide form's math is <see cref="FastMath"/>'s, op for op: <see cref="WideMath"/> and
/// <see cref="WideSamplingMath"/>), and a lane reads and advances only its own stream, so a lane's numbers are the same
/// in either form and whatever its neighbours do (tests: <c>LaneSampler8Tests</c>, wide against halves, bit for bit).
/// </summary>
public struct RandomLanes8
{
    /// <summary>Whether the lanes run as one 512-bit vector (else as two halves of four).</summary>
    public static bool Wide { get; } = Vector512.IsHardwareAccelerated;

    private Vector512<ulong> _s0, _s1, _s2, _s3;

    /// <summary>Lane i becomes stream (seed, indices[i]) (eight indices; any order, repeats allowed).</summary>
    public void SetStreams(ulong seed, ReadOnlySpan<ulong> indices)
    {
        Span<ulong> a = stackalloc ulong[8], b = stackalloc ulong[8], c = stackalloc ulong[8], d = stackalloc ulong[8];
        for (int i = 0; i < 8; i++) RandomSource.StreamState(seed, indices[i], out a[i], out b[i], out c[i], out d[i]);
        _s0 = Vector512.Create<ulong>(a);
        _s1 = Vector512.Create<ulong>(b);
        _s2 = Vector512.Create<ulong>(c);
        _s3 = Vector512.Create<ulong>(d);
    }

    /// <summary>Lane <paramref name="lane"/>'s xoshiro state (to continue its stream on a <see cref="RandomSource"/>).</summary>
    public readonly void GetLaneState(int lane, out ulong s0, out ulong s1, out ulong s2, out ulong s3) =>
        (s0, s1, s2, s3) = (_s0.GetElement(lane), _s1.GetElement(lane), _s2.GetElement(lane), _s3.GetElement(lane));

    // ---- the two forms' entry points: the wide one where AVX-512 runs it, the halves elsewhere (the same bits) ----

    /// <summary>Uniforms on (0, 1) in the lanes of <paramref name="mask"/> (all bits set); the other lanes do not move.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<double> NextDoubleMasked(Vector512<ulong> mask) => Wide ? ToUnit(Next(mask)) : NextDoubleHalves(mask);

    /// <summary>Exponentials of rate 1, <c>-ln U</c>, in the lanes of <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<double> ExponentialMasked(Vector512<ulong> mask) => Wide ? ExponentialWide(mask) : ExponentialHalves(mask);

    /// <summary>Standard normals (Box-Muller's cosine half, as <see cref="RandomLanes.NormalLanes"/>) in the lanes of <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<double> NormalMasked(Vector512<ulong> mask) => Wide ? BoxMuller(mask).Cosine : NormalHalves(mask);

    /// <summary>U = scale Laplace(0, 1) in the lanes of <paramref name="mask"/> (as <see cref="ShiftLanes.LaplaceMasked"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<double> LaplaceMasked(Vector512<double> scale, Vector512<ulong> mask) => Wide ? LaplaceWide(scale, mask) : LaplaceHalves(scale, mask);

    /// <summary>
    /// Gamma(k_i, 1) in lane i of <paramref name="mask"/> with the Box-Muller spare carried from call to call: lane for
    /// lane <see cref="RandomLanes.GammaMasked(Vector256{double}, Vector256{ulong}, ref Vector256{double}, ref Vector256{ulong})"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<double> GammaMasked(Vector512<double> shape, Vector512<ulong> mask, ref Vector512<double> spare, ref Vector512<ulong> hasSpare) =>
        Wide ? GammaWide(shape, mask, ref spare, ref hasSpare) : GammaHalves(shape, mask, ref spare, ref hasSpare);

    // ---- the halves: four-lane samplers on each half, the states split and joined around them ----

    private readonly RandomLanes Lower => new(_s0.GetLower(), _s1.GetLower(), _s2.GetLower(), _s3.GetLower());

    private readonly RandomLanes Upper => new(_s0.GetUpper(), _s1.GetUpper(), _s2.GetUpper(), _s3.GetUpper());

    private void Join(in RandomLanes lower, in RandomLanes upper)
    {
        lower.GetStates(out var a0, out var a1, out var a2, out var a3);
        upper.GetStates(out var b0, out var b1, out var b2, out var b3);
        _s0 = Vector512.Create(a0, b0);
        _s1 = Vector512.Create(a1, b1);
        _s2 = Vector512.Create(a2, b2);
        _s3 = Vector512.Create(a3, b3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> NextDoubleHalves(Vector512<ulong> mask)
    {
        var (lower, upper) = (Lower, Upper);
        var x = Vector512.Create(lower.NextDoubleMasked(mask.GetLower()), upper.NextDoubleMasked(mask.GetUpper()));
        Join(lower, upper);
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> ExponentialHalves(Vector512<ulong> mask)
    {
        var (lower, upper) = (Lower, Upper);
        var x = Vector512.Create(lower.ExponentialMasked(mask.GetLower()), upper.ExponentialMasked(mask.GetUpper()));
        Join(lower, upper);
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> NormalHalves(Vector512<ulong> mask)
    {
        var (lower, upper) = (Lower, Upper);
        var x = Vector512.Create(lower.NormalLanes(mask.GetLower()), upper.NormalLanes(mask.GetUpper()));
        Join(lower, upper);
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> LaplaceHalves(Vector512<double> scale, Vector512<ulong> mask)
    {
        var (lower, upper) = (Lower, Upper);
        var x = Vector512.Create(ShiftLanes.LaplaceMasked(ref lower, scale.GetLower(), mask.GetLower()), ShiftLanes.LaplaceMasked(ref upper, scale.GetUpper(), mask.GetUpper()));
        Join(lower, upper);
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> GammaHalves(Vector512<double> shape, Vector512<ulong> mask, ref Vector512<double> spare, ref Vector512<ulong> hasSpare)
    {
        var (lower, upper) = (Lower, Upper);
        var (spareLower, spareUpper) = (spare.GetLower(), spare.GetUpper());
        var (hasLower, hasUpper) = (hasSpare.GetLower(), hasSpare.GetUpper());
        var a = lower.GammaMasked(shape.GetLower(), mask.GetLower(), ref spareLower, ref hasLower);
        var b = upper.GammaMasked(shape.GetUpper(), mask.GetUpper(), ref spareUpper, ref hasUpper);
        spare = Vector512.Create(spareLower, spareUpper);
        hasSpare = Vector512.Create(hasLower, hasUpper);
        Join(lower, upper);
        return Vector512.Create(a, b);
    }

    // ---- the wide form: RandomLanes' code on Vector512, line for line ----

    // xoshiro256** on the lanes of mask: rotl(s1 * 5, 7) * 9, the multiplications as shifts and adds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<ulong> Next(Vector512<ulong> mask)
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
        _s0 = Vector512.ConditionalSelect(mask, s0, _s0);
        _s1 = Vector512.ConditionalSelect(mask, s1, _s1);
        _s2 = Vector512.ConditionalSelect(mask, s2, _s2);
        _s3 = Vector512.ConditionalSelect(mask, s3, _s3);
        return result;
    }

    // (top 53 bits + 1/2) 2^-53, capped at 1 - 2^-53: the top 53 bits convert exactly (below 2^53), as in RandomLanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ToUnit(Vector512<ulong> bits) =>
        Vector512.Min((Vector512.ConvertToDouble(bits >>> 11) + Vector512.Create(0.5)) * (1.0 / (1UL << 53)), Vector512.Create(RandomSource.LargestBelowOne));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<double> NextDouble(Vector512<ulong> mask) => ToUnit(Next(mask));

    // Compiled optimised at its first call (no unoptimised first tier: Vector512 code there runs as calls, and a loaded
    // machine's background compiler can take seconds to replace it; crossgen does not precompile it either).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> NextDoubleWide(Vector512<ulong> mask) => ToUnit(Next(mask));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> ExponentialWide(Vector512<ulong> mask) => -WideMath.Log(NextDouble(mask));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> NormalWide(Vector512<ulong> mask) => BoxMuller(mask).Cosine;

    // ln(1 - 2|u|) is finite: U <= 1 - 2^-53 (see ShiftLanes.LaplaceMasked).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> LaplaceWide(Vector512<double> scale, Vector512<ulong> mask)
    {
        var u = NextDouble(mask) - Vector512.Create(0.5);
        var magnitude = -scale * WideMath.Log(Vector512<double>.One - 2.0 * Vector512.Abs(u));
        return Vector512.ConditionalSelect(Vector512.LessThan(u, Vector512<double>.Zero), -magnitude, magnitude);
    }

    // Box and Muller: r cos(2 pi u2), r sin(2 pi u2), r = sqrt(-2 ln u1), only the lanes of mask advancing.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Vector512<double> Cosine, Vector512<double> Sine) BoxMuller(Vector512<ulong> mask)
    {
        var u1 = NextDouble(mask);
        var u2 = NextDouble(mask);
        var r = Vector512.Sqrt(-2.0 * WideMath.Log(u1));
        var (sine, cosine) = WideSamplingMath.SinCos(u2 * (2 * Math.PI));
        return (r * cosine, r * sine);
    }

    // A lane with a kept sine half uses it; the others draw a pair (see RandomLanes.NextNormal).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<double> NextNormal(Vector512<ulong> pending, ref Vector512<double> spare, ref Vector512<ulong> hasSpare)
    {
        var fresh = pending & ~hasSpare;
        var x = spare;
        if (!Vector512.EqualsAll(fresh, Vector512<ulong>.Zero))
        {
            var (cosine, sine) = BoxMuller(fresh);
            x = Vector512.ConditionalSelect(fresh.AsDouble(), cosine, spare);
            spare = Vector512.ConditionalSelect(fresh.AsDouble(), sine, spare);
        }
        hasSpare = (hasSpare & ~pending) | fresh;
        return x;
    }

    // Marsaglia and Tsang with the squeeze first and the logarithmic test only where a lane fails it; k < 1 boosted
    // (Gamma(k) = Gamma(k + 1) U^(1/k)). See RandomLanes.GammaMasked, of which this is the eight-lane copy.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Vector512<double> GammaWide(Vector512<double> shape, Vector512<ulong> mask, ref Vector512<double> spare, ref Vector512<ulong> hasSpare)
    {
        var one = Vector512<double>.One;
        var boost = Vector512.LessThan(shape, one).AsUInt64() & mask;
        var k = shape + (boost.AsDouble() & one);
        var d = k - Vector512.Create(1.0 / 3.0);
        var c = one / (3.0 * Vector512.Sqrt(d));
        var result = Vector512<double>.Zero;
        var pending = mask;
        var x = NextNormal(pending, ref spare, ref hasSpare);
        while (true)
        {
            var t = one + c * x;
            var v = t * t * t;
            var u = NextDouble(pending);
            var positive = Vector512.GreaterThan(v, Vector512<double>.Zero).AsUInt64();
            var x2 = x * x;
            var accept = positive & Vector512.LessThan(u, one - 0.0331 * x2 * x2).AsUInt64() & pending;
            var undecided = positive & pending & ~accept;
            if (!Vector512.EqualsAll(undecided, Vector512<ulong>.Zero))
            {
                // ln v is NaN where v <= 0; 'positive' has refused those lanes already.
                var full = Vector512.LessThan(WideMath.Log(u), 0.5 * x2 + d * (one - v + WideMath.Log(v))).AsUInt64();
                accept |= full & undecided;
            }
            result = Vector512.ConditionalSelect(accept.AsDouble(), d * v, result);
            pending &= ~accept;
            if (Vector512.EqualsAll(pending, Vector512<ulong>.Zero)) break;
            // A retry: a new pair's cosine, its sine dropped (the lanes' spares stay in step).
            x = BoxMuller(pending).Cosine;
        }
        if (!Vector512.EqualsAll(boost, Vector512<ulong>.Zero))
        {
            var factor = WideMath.ExpNonPositive(WideMath.Log(NextDouble(boost)) / shape);
            result = Vector512.ConditionalSelect(boost.AsDouble(), result * factor, result);
        }
        return result;
    }
}

/// <summary>
/// <see cref="FastMath.SinCos"/> on eight lanes: the same reduction, the same Taylor coefficients summed by Horner in the
/// same order and the same quadrant rotation, so each lane gives the four-lane bits.
/// </summary>
internal static class WideSamplingMath
{
    /// <summary>(sin a, cos a) for 0 &lt;= a &lt;= 2 pi (Box-Muller's angles), as <see cref="FastMath.SinCos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<double> Sin, Vector512<double> Cos) SinCos(Vector512<double> a)
    {
        const double PiOver2Hi = 1.57079632679489655800e+00, PiOver2Lo = 6.12323399573676603587e-17;
        var k = Vector512.Round(a * (2 / Math.PI));
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-PiOver2Hi), a);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-PiOver2Lo), r);
        var r2 = r * r;
        var sinTaylor = FastMath.SinTaylor;
        var cosTaylor = FastMath.CosTaylor;
        var sp = Vector512.Create(sinTaylor[^1]);
        for (int j = sinTaylor.Length - 2; j >= 0; j--) sp = Vector512.FusedMultiplyAdd(sp, r2, Vector512.Create(sinTaylor[j]));
        var cp = Vector512.Create(cosTaylor[^1]);
        for (int j = cosTaylor.Length - 2; j >= 0; j--) cp = Vector512.FusedMultiplyAdd(cp, r2, Vector512.Create(cosTaylor[j]));
        var sin = r * sp;
        var cos = cp;
        // Quadrant k mod 4: (sin, cos) of a = (s, c), (c, -s), (-s, -c), (-c, s).
        var quadrant = Vector512.ConvertToInt64(k).AsUInt64();
        var swap = Vector512.Equals(quadrant & Vector512<ulong>.One, Vector512<ulong>.One).AsDouble();
        var sinOut = Vector512.ConditionalSelect(swap, cos, sin);
        var cosOut = Vector512.ConditionalSelect(swap, sin, cos);
        var negSin = Vector512.Equals(quadrant & Vector512.Create(2UL), Vector512.Create(2UL)).AsDouble();
        var negCos = Vector512.Equals((quadrant + Vector512<ulong>.One) & Vector512.Create(2UL), Vector512.Create(2UL)).AsDouble();
        sinOut = Vector512.ConditionalSelect(negSin, -sinOut, sinOut);
        cosOut = Vector512.ConditionalSelect(negCos, -cosOut, cosOut);
        return (sinOut, cosOut);
    }
}
