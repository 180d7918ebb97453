using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>
/// The logistic GLM's curvature kernel for the resummed rules' shifted second partials (about 100,000 evaluations per
/// gradient in the Laplace logistic regression): <c>acc + w sigma'(y)</c>, with <c>sigma'(y) = e / (1 + e)^2</c> and
/// <c>e = exp(-|y|)</c> (sigma' is even, so the label's sign drops out and no tail subtracts numbers near 1).
/// </summary>
/// <remarks>
/// <para>The exponential is its own, shorter than <see cref="WideMath.ExpNonPositive"/>: with <c>a = max(-|y|, -1000)</c>
/// and <c>k = round(16 a / ln 2) / 16</c>, <c>e^a = 2^floor(k) 2^(k - floor k) e^r</c>, <c>r = a - k ln 2</c> (two-part
/// ln 2, |r| &lt;= ln 2 / 32). <c>2^(i/16)</c> comes from a 16-entry table (one two-register permute), <c>e^r</c> from a
/// degree-6 polynomial, and <c>2^floor(k)</c> is applied by a scale instruction that rounds once into the subnormal
/// range (and to 0 below it: e^-1000 is 0 in double). The polynomial is Taylor's of degree 7 economised to degree 6
/// with the Chebyshev polynomial T_7 on |r| &lt;= ln 2 / 32 (truncation error about 8e-18, under 0.04 ulp).</para>
/// <para>Accuracy (<c>GlmKernelTests</c>, a sweep of y over [-760, 760]; docs/glm-kernels.md): the exponential within
/// 2 ulps of <see cref="Math.Exp"/> on the normal range (measured 1), and <c>sigma'</c> within 4.5 ulps of a
/// double-double reference (measured 3.9; the link's general g'' measures 4.1). The four-lane and
/// eight-lane kernels do the same IEEE operations per lane, so they give the same bits; where AVX-512 is missing the
/// four-lane kernel emulates the table permute, the range and the scale instruction exactly (tested against them).</para>
/// </remarks>
internal static class GlmKernels
{
    // ln 2 in two parts (FastMath's): Ln2Hi has 32 significant bits, so k Ln2Hi is exact for |16 k| < 2^21.
    private const double Log2E = 1.4426950408889634, Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;

    // 1.5 * 2^48: its ulp is 2^-4, so t = a log2(e) + Shifter rounds a log2(e) to sixteenths, and the low four bits of
    // t's mantissa are 16 k mod 16 (the mantissa holds 2^51 + 16 k).
    private const double Shifter = 422212465065984.0;

    // Below this |y| is clamped: e^-1000 underflows to 0 whatever the rounding, and the clamp keeps k in range.
    private const double Clamp = 1000.0;

    private const ulong SignBit = 0x8000000000000000UL;

    /// <summary>2^(i/16), i = 0..15, correctly rounded (checked exactly in <c>GlmKernelTests</c>).</summary>
    internal static readonly double[] PowersOfTwo =
    [
        BitConverter.Int64BitsToDouble(0x3FF0000000000000), BitConverter.Int64BitsToDouble(0x3FF0B5586CF9890F),
        BitConverter.Int64BitsToDouble(0x3FF172B83C7D517B), BitConverter.Int64BitsToDouble(0x3FF2387A6E756238),
        BitConverter.Int64BitsToDouble(0x3FF306FE0A31B715), BitConverter.Int64BitsToDouble(0x3FF3DEA64C123422),
        BitConverter.Int64BitsToDouble(0x3FF4BFDAD5362A27), BitConverter.Int64BitsToDouble(0x3FF5AB07DD485429),
        BitConverter.Int64BitsToDouble(0x3FF6A09E667F3BCD), BitConverter.Int64BitsToDouble(0x3FF7A11473EB0187),
        BitConverter.Int64BitsToDouble(0x3FF8ACE5422AA0DB), BitConverter.Int64BitsToDouble(0x3FF9C49182A3F090),
        BitConverter.Int64BitsToDouble(0x3FFAE89F995AD3AD), BitConverter.Int64BitsToDouble(0x3FFC199BDD85529C),
        BitConverter.Int64BitsToDouble(0x3FFD5818DCFBA487), BitConverter.Int64BitsToDouble(0x3FFEA4AFA2A490DA),
    ];

    private static readonly Vector512<double> TableLow = Vector512.Create((ReadOnlySpan<double>)PowersOfTwo.AsSpan(0, 8));
    private static readonly Vector512<double> TableHigh = Vector512.Create((ReadOnlySpan<double>)PowersOfTwo.AsSpan(8, 8));

    // e^r - 1 = r (C1 + C2 r + ... + C6 r^5). Taylor's r^7 / 7! is replaced on |r| <= R = ln 2 / 32 by its Chebyshev
    // economisation r^7 ~ (112 R^2 r^5 - 56 R^4 r^3 + 7 R^6 r) / 64 (dropping R^7 T_7(r/R) / 64, at most R^7 / 64 / 7!):
    // C1 = 1 + 7 R^6 / (64 7!), C3 = 1/6 - 56 R^4 / (64 7!), C5 = 1/120 + 112 R^2 / (64 7!), the others 1/k!.
    private const double R = 0.6931471805599453 / 32, Seventh = 1.0 / 5040;
    private static readonly double C1 = 1 + 7 * (R * R * R * R * R * R) * Seventh / 64;
    private const double C2 = 0.5;
    private static readonly double C3 = 1.0 / 6 - 56 * (R * R * R * R) * Seventh / 64;
    private const double C4 = 1.0 / 24;
    private static readonly double C5 = 1.0 / 120 + 112 * (R * R) * Seventh / 64;
    private const double C6 = 1.0 / 720;

    /// <summary>Whether the kernels run on the AVX-512 instructions (the two-register permute and the scale); otherwise the four-lane one emulates them.</summary>
    public static bool Native { get; } = Avx512F.IsSupported && Avx512F.VL.IsSupported;

    /// <summary>acc + weight e / (1 + e)^2 with e = exp(-|y|), on eight lanes (only where <see cref="Native"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> CurvatureTerm(Vector512<double> weight, Vector512<double> y, Vector512<double> acc) =>
        acc + Curvature(weight, y);

    /// <summary>weight e / (1 + e)^2 with e = exp(-|y|) alone (CurvatureTerm adds it to acc: the same operations, so a term kept and added later gives the same sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Curvature(Vector512<double> weight, Vector512<double> y)
    {
        var e = ExpOfMinusAbs(y);
        var c = Vector512<double>.One + e;
        return weight * e / (c * c);
    }

    /// <summary>acc + weight e / (1 + e)^2 with e = exp(-|y|), on four lanes: the eight-lane kernel's operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> CurvatureTerm(Vector256<double> weight, Vector256<double> y, Vector256<double> acc)
    {
        var e = ExpOfMinusAbs(y);
        var c = Vector256<double>.One + e;
        return acc + weight * e / (c * c);
    }

    /// <summary>The four-lane kernel on its emulated path whatever the hardware (for the tests that hold the two together).</summary>
    internal static Vector256<double> CurvatureTermEmulated(Vector256<double> weight, Vector256<double> y, Vector256<double> acc)
    {
        var e = ExpOfMinusAbsEmulated(y);
        var c = Vector256<double>.One + e;
        return acc + weight * e / (c * c);
    }

    /// <summary>exp(-min(|y|, 1000)) on eight lanes (only where <see cref="Native"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ExpOfMinusAbs(Vector512<double> y)
    {
        // a = max(-|y|, -1000): the sign bit set, then vmaxpd with the bound first, which passes a NaN in y through.
        var a = Avx512F.Max(Vector512.Create(-Clamp), (y.AsUInt64() | Vector512.Create(SignBit)).AsDouble());
        var t = Vector512.FusedMultiplyAdd(a, Vector512.Create(Log2E), Vector512.Create(Shifter));
        var k = t - Vector512.Create(Shifter);
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Lo), Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Hi), a));
        var s = Avx512F.Scale(Avx512F.PermuteVar8x64x2(TableLow, t.AsInt64(), TableHigh), k);
        var r2 = r * r;
        var r4 = r2 * r2;
        var p01 = Vector512.FusedMultiplyAdd(r, Vector512.Create(C2), Vector512.Create(C1));
        var p23 = Vector512.FusedMultiplyAdd(r, Vector512.Create(C4), Vector512.Create(C3));
        var p45 = Vector512.FusedMultiplyAdd(r, Vector512.Create(C6), Vector512.Create(C5));
        var p = Vector512.FusedMultiplyAdd(r4, p45, Vector512.FusedMultiplyAdd(r2, p23, p01));
        return Vector512.FusedMultiplyAdd(s * r, p, s);   // s e^r = s + s r p
    }

    /// <summary>exp(-min(|y|, 1000)) on four lanes: the eight-lane steps (emulated where AVX-512 is missing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ExpOfMinusAbs(Vector256<double> y)
    {
        if (!Native) return ExpOfMinusAbsEmulated(y);
        var a = Avx.Max(Vector256.Create(-Clamp), (y.AsUInt64() | Vector256.Create(SignBit)).AsDouble());
        var t = Vector256.FusedMultiplyAdd(a, Vector256.Create(Log2E), Vector256.Create(Shifter));
        var k = t - Vector256.Create(Shifter);
        var s = Avx512F.VL.Scale(Avx512F.PermuteVar8x64x2(TableLow, t.AsInt64().ToVector512Unsafe(), TableHigh).GetLower(), k);
        return Polynomial(a, k, s);
    }

    /// <summary>
    /// <see cref="ExpOfMinusAbs(Vector256{double})"/> without AVX-512: the table read lane by lane and the scale as exact
    /// products (<see cref="ScaleEmulated"/>); the same numbers.
    /// </summary>
    internal static Vector256<double> ExpOfMinusAbsEmulated(Vector256<double> y)
    {
        var a = Vector256.Max(Vector256.Create(-Clamp), (y.AsUInt64() | Vector256.Create(SignBit)).AsDouble());
        var t = Vector256.FusedMultiplyAdd(a, Vector256.Create(Log2E), Vector256.Create(Shifter));
        var k = t - Vector256.Create(Shifter);
        return Polynomial(a, k, ScaleEmulated(t, k));
    }

    // s e^r with r = a - k ln 2 (the four-lane tail of the steps above).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Polynomial(Vector256<double> a, Vector256<double> k, Vector256<double> s)
    {
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Lo), Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Hi), a));
        var r2 = r * r;
        var r4 = r2 * r2;
        var p01 = Vector256.FusedMultiplyAdd(r, Vector256.Create(C2), Vector256.Create(C1));
        var p23 = Vector256.FusedMultiplyAdd(r, Vector256.Create(C4), Vector256.Create(C3));
        var p45 = Vector256.FusedMultiplyAdd(r, Vector256.Create(C6), Vector256.Create(C5));
        var p = Vector256.FusedMultiplyAdd(r4, p45, Vector256.FusedMultiplyAdd(r2, p23, p01));
        return Vector256.FusedMultiplyAdd(s * r, p, s);
    }

    // vscalefpd(T[16 k mod 16], k) = T 2^floor(k), rounded once: exact while the product is normal (m = floor(k) >= -1022);
    // below, T 2^-1022 (exact, normal) times 2^(m + 1022) rounds once into the subnormals, as the instruction does.
    // floor(k) lies in [-1443, 0]. Its power of two comes from t's bits: they hold 16 k in the low bits of the mantissa, so
    // t << 48 is 16 k 2^48 = floor(k) 2^52 + (16 k mod 16) 2^48 modulo 2^64, and clearing bits 48..51 leaves the exponent
    // field's floor(k) (plus 1023, or 2045 for the second factor, to make the bias).
    internal static Vector256<double> ScaleEmulated(Vector256<double> t, Vector256<double> k)
    {
        var bits = t.AsUInt64();
        var table = Vector256.Create(PowersOfTwo[(int)(bits.GetElement(0) & 15)], PowersOfTwo[(int)(bits.GetElement(1) & 15)],
            PowersOfTwo[(int)(bits.GetElement(2) & 15)], PowersOfTwo[(int)(bits.GetElement(3) & 15)]);
        var exponent = Vector256.ShiftLeft(bits, 48) & Vector256.Create(0xFFF0000000000000UL);
        var normal = table * (exponent + Vector256.Create(1023UL << 52)).AsDouble();
        var subnormal = table * Vector256.Create(2.2250738585072014e-308) * (exponent + Vector256.Create(2045UL << 52)).AsDouble();
        return Vector256.ConditionalSelect(Vector256.LessThan(k, Vector256.Create(-1022.0)), subnormal, normal);
    }
}
