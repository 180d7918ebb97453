using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SeriesCompiler.Runtime.Special;

/// <summary>
/// Vector kernels for the samplers and the GLM link: exp of x &lt;= 0, ln, and sin/cos on four lanes, written with
/// <see cref="Vector256.FusedMultiplyAdd(Vector256{double}, Vector256{double}, Vector256{double})"/> only. Why not
/// <c>Vector256.Log</c>/<c>Exp</c>/<c>SinCos</c>: their library code uses <c>MultiplyAddEstimate</c>, which the JIT fuses in
/// optimised code and leaves unfused in its first, quick tier, so the same draw could differ in its last bits depending
/// on when the method was recompiled (seen as a flaky bit-for-bit test of the lane gamma). A fused multiply-add is fused
/// in every tier (its fallback is <see cref="Math.FusedMultiplyAdd"/>), so these give the same bits always, and a lane
/// never depends on its neighbours.
/// </summary>
internal static class FastMath
{
    // ln 2 split for Cody-Waite reduction: Ln2Hi has its low 32 bits zero, so k Ln2Hi is exact for |k| < 2^21.
    private const double Log2E = 1.4426950408889634, Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;

    // Below this exp(x) < 2^-1022 (subnormal): 0 is returned, an absolute error under 2.3e-308.
    private const double Underflow = -708.7;

    // 2^52 + 1023: adding k (an integer-valued double in [-1022, 0]) puts k + 1023 in the low mantissa bits.
    private const double ExponentBias = 4503599627370496.0 + 1023.0;

    /// <summary>
    /// exp(x) for x &lt;= 0 (NaN stays NaN), lane by lane (a lane's result never depends on its neighbours, so a scalar
    /// broadcast gives the same number): x = k ln 2 + r with |r| &lt;= ln 2 / 2, exp(r) by its Taylor polynomial to r^13
    /// (the remainder is below 5e-18 relative; Estrin's scheme), and 2^k written into the exponent bits. Within 2 ulps of Math.Exp where the
    /// result is normal; 0 where it would be subnormal. Cheaper than Vector256.Exp, which handles the whole real line.
    /// </summary>
    public static Vector256<double> ExpNonPositive(Vector256<double> x)
    {
        var k = Vector256.Round(x * Log2E);                     // nearest integer, ties to even
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Lo), r);
        // exp(r) = sum_{i <= 13} r^i / i!, by Estrin's scheme: pairs c_i + c_{i+1} r, combined with r^2, r^4, r^8 (four
        // multiply-adds deep instead of Horner's thirteen: the kernels that call it are latency-bound).
        var r2 = r * r;
        var r4 = r2 * r2;
        var r8 = r4 * r4;
        var p01 = r + Vector256<double>.One;
        var p23 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 6.0), Vector256.Create(0.5));
        var p45 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 120.0), Vector256.Create(1.0 / 24.0));
        var p67 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 5040.0), Vector256.Create(1.0 / 720.0));
        var p89 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 362880.0), Vector256.Create(1.0 / 40320.0));
        var p1011 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 39916800.0), Vector256.Create(1.0 / 3628800.0));
        var p1213 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 6227020800.0), Vector256.Create(1.0 / 479001600.0));
        var q0 = Vector256.FusedMultiplyAdd(r2, p23, p01);
        var q1 = Vector256.FusedMultiplyAdd(r2, p67, p45);
        var q2 = Vector256.FusedMultiplyAdd(r2, p1011, p89);
        var p = Vector256.FusedMultiplyAdd(r8, Vector256.FusedMultiplyAdd(r4, p1213, q2), Vector256.FusedMultiplyAdd(r4, q1, q0));
        // 2^k: the low 12 bits of k + 1023 shifted into the exponent field (k >= -1022 wherever x >= Underflow).
        var scale = Vector256.ShiftLeft((k + Vector256.Create(ExponentBias)).AsUInt64(), 52).AsDouble();
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(Underflow)), Vector256<double>.Zero, p * scale);
    }

    /// <summary><see cref="ExpNonPositive(Vector256{double})"/> of one number (the same bits as a lane).</summary>
    public static double ExpNonPositive(double x) => ExpNonPositive(Vector256.Create(x)).ToScalar();

    private const double SmallestNormal = 2.2250738585072014e-308;

    // (-1)^j/(2j+1)!, j = 0..8, and (-1)^j/(2j)!, j = 0..9 (factorials to 18! are exact in a double).
    private static readonly double[] SinTaylor = Taylor(1, 9), CosTaylor = Taylor(0, 10);

    private static double[] Taylor(int offset, int count)
    {
        var c = new double[count];
        for (int j = 0; j < count; j++)
        {
            double factorial = 1;
            for (int i = 2; i <= 2 * j + offset; i++) factorial *= i;
            c[j] = (j % 2 == 0 ? 1 : -1) / factorial;
        }
        return c;
    }

    /// <summary>
    /// ln x for positive finite x (subnormals included); other lanes give an unspecified value (callers mask them).
    /// x = 2^e m with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| &lt;= 0.1716, summed as
    /// 2 s sum_{j &lt;= 10} s^(2j)/(2j + 1): the next term is below 1e-18 relative. The polynomial in z = s^2 by Estrin's
    /// scheme (five FMAs deep instead of Horner's nine: the samplers that call it are latency-bound). Within 2 ulps of
    /// Math.Log over FastMathTests' sweep (subnormals to the largest double, the uniforms, near 1). Inlined: a call passes
    /// and returns its vectors through memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log(Vector256<double> x)
    {
        // Subnormals: scale by 2^54 first, and take 54 off the exponent.
        var tiny = Vector256.LessThan(x, Vector256.Create(SmallestNormal));
        x = Vector256.ConditionalSelect(tiny, x * 18014398509481984.0, x);
        var bits = x.AsUInt64();
        var exponent = Vector256.ShiftRightLogical(bits, 52) & Vector256.Create(0x7FFUL);
        var mantissa = ((bits & Vector256.Create(0x000FFFFFFFFFFFFFUL)) | Vector256.Create(0x3FF0000000000000UL)).AsDouble();
        var e = Vector256.ConvertToDouble(exponent.AsInt64()) - Vector256.Create(1023.0)
                - Vector256.ConditionalSelect(tiny, Vector256.Create(54.0), Vector256<double>.Zero);
        // m in [1, 2): halve it above sqrt 2 so that |s| stays small on both sides of 1.
        var high = Vector256.GreaterThan(mantissa, Vector256.Create(1.4142135623730951));
        mantissa = Vector256.ConditionalSelect(high, mantissa * 0.5, mantissa);
        e += Vector256.ConditionalSelect(high, Vector256<double>.One, Vector256<double>.Zero);
        var f = mantissa - Vector256<double>.One;                   // exact (Sterbenz)
        var s = f / (f + Vector256.Create(2.0));
        var z = s * s;
        // ln m = 2s + 2s z P(z), P = sum_{i < 10} z^i/(2i + 3): pairs c_i + c_{i+1} z, joined by z^2, z^4, z^8 (Estrin).
        var z2 = z * z;
        var z4 = z2 * z2;
        var z8 = z4 * z4;
        var q01 = Vector256.FusedMultiplyAdd(z, Vector256.Create(1.0 / 5), Vector256.Create(1.0 / 3));
        var q23 = Vector256.FusedMultiplyAdd(z, Vector256.Create(1.0 / 9), Vector256.Create(1.0 / 7));
        var q45 = Vector256.FusedMultiplyAdd(z, Vector256.Create(1.0 / 13), Vector256.Create(1.0 / 11));
        var q67 = Vector256.FusedMultiplyAdd(z, Vector256.Create(1.0 / 17), Vector256.Create(1.0 / 15));
        var q89 = Vector256.FusedMultiplyAdd(z, Vector256.Create(1.0 / 21), Vector256.Create(1.0 / 19));
        var r0 = Vector256.FusedMultiplyAdd(z2, q23, q01);
        var r1 = Vector256.FusedMultiplyAdd(z2, q67, q45);
        var p = Vector256.FusedMultiplyAdd(z8, q89, Vector256.FusedMultiplyAdd(z4, r1, r0));
        var twoS = s + s;
        var lnM = Vector256.FusedMultiplyAdd(twoS * z, p, twoS);
        return Vector256.FusedMultiplyAdd(e, Vector256.Create(Ln2Hi), Vector256.FusedMultiplyAdd(e, Vector256.Create(Ln2Lo), lnM));
    }

    /// <summary>
    /// (sin a, cos a) for 0 &lt;= a &lt;= 2 pi (Box-Muller's angles): a = k pi/2 + r with |r| &lt;= pi/4 (k &lt;= 4, so the
    /// two-part pi/2 reduction is exact to the last bit), sin r and cos r by their Taylor polynomials to r^17 and r^18
    /// (remainders below 1e-19), then the quadrant's rotation.
    /// </summary>
    public static (Vector256<double> Sin, Vector256<double> Cos) SinCos(Vector256<double> a)
    {
        const double PiOver2Hi = 1.57079632679489655800e+00, PiOver2Lo = 6.12323399573676603587e-17;
        var k = Vector256.Round(a * (2 / Math.PI));
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-PiOver2Hi), a);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-PiOver2Lo), r);
        var r2 = r * r;
        // sin r = r sum_j SinTaylor[j] r^(2j), cos r = sum_j CosTaylor[j] r^(2j), Horner in r^2.
        var sp = Vector256.Create(SinTaylor[^1]);
        for (int j = SinTaylor.Length - 2; j >= 0; j--) sp = Vector256.FusedMultiplyAdd(sp, r2, Vector256.Create(SinTaylor[j]));
        var cp = Vector256.Create(CosTaylor[^1]);
        for (int j = CosTaylor.Length - 2; j >= 0; j--) cp = Vector256.FusedMultiplyAdd(cp, r2, Vector256.Create(CosTaylor[j]));
        var sin = r * sp;
        var cos = cp;
        // Quadrant k mod 4: (sin, cos) of a = (s, c), (c, -s), (-s, -c), (-c, s).
        var quadrant = Vector256.ConvertToInt64(k).AsUInt64();
        var swap = Vector256.Equals(quadrant & Vector256<ulong>.One, Vector256<ulong>.One).AsDouble();
        var sinOut = Vector256.ConditionalSelect(swap, cos, sin);
        var cosOut = Vector256.ConditionalSelect(swap, sin, cos);
        var negSin = Vector256.Equals(quadrant & Vector256.Create(2UL), Vector256.Create(2UL)).AsDouble();
        var negCos = Vector256.Equals((quadrant + Vector256<ulong>.One) & Vector256.Create(2UL), Vector256.Create(2UL)).AsDouble();
        sinOut = Vector256.ConditionalSelect(negSin, -sinOut, sinOut);
        cosOut = Vector256.ConditionalSelect(negCos, -cosOut, cosOut);
        return (sinOut, cosOut);
    }
}
