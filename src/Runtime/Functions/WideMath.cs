using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>
/// Eight-lane (AVX-512) twins of <see cref="Special.FastMath.ExpNonPositive(Vector256{double})"/> and
/// <see cref="Special.FastMath.Log(Vector256{double})"/> for the GLM kernels: the same IEEE operations in the same order
/// on every lane (a lane never depends on its neighbours), so a lane here gives the bits of a lane there.
/// <c>GlmObjectiveTests.Wide_kernels_give_the_four_lane_bits</c> checks it lane for lane. Used only where
/// <see cref="Vector512.IsHardwareAccelerated"/>; elsewhere the GLM runs on the four-lane kernels.
/// </summary>
internal static class WideMath
{
    // The constants of FastMath, value for value (see there for why each is what it is).
    private const double Log2E = 1.4426950408889634, Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;
    private const double Underflow = -708.7;
    private const double ExponentBias = 4503599627370496.0 + 1023.0;
    private const double SmallestNormal = 2.2250738585072014e-308;

    /// <summary>Whether the GLM runs its eight-lane kernels (AVX-512 present and used by the JIT).</summary>
    public static bool Enabled { get; } = Vector512.IsHardwareAccelerated;

    /// <summary>exp(x) for x &lt;= 0: FastMath.ExpNonPositive's reduction, Estrin polynomial and exponent write, on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ExpNonPositive(Vector512<double> x)
    {
        var k = Vector512.Round(x * Log2E);
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Lo), r);
        var r2 = r * r;
        var r4 = r2 * r2;
        var r8 = r4 * r4;
        var p01 = r + Vector512<double>.One;
        var p23 = Vector512.FusedMultiplyAdd(r, Vector512.Create(1.0 / 6.0), Vector512.Create(0.5));
        var p45 = Vector512.FusedMultiplyAdd(r, Vector512.Create(1.0 / 120.0), Vector512.Create(1.0 / 24.0));
        var p67 = Vector512.FusedMultiplyAdd(r, Vector512.Create(1.0 / 5040.0), Vector512.Create(1.0 / 720.0));
        var p89 = Vector512.FusedMultiplyAdd(r, Vector512.Create(1.0 / 362880.0), Vector512.Create(1.0 / 40320.0));
        var p1011 = Vector512.FusedMultiplyAdd(r, Vector512.Create(1.0 / 39916800.0), Vector512.Create(1.0 / 3628800.0));
        var p1213 = Vector512.FusedMultiplyAdd(r, Vector512.Create(1.0 / 6227020800.0), Vector512.Create(1.0 / 479001600.0));
        var q0 = Vector512.FusedMultiplyAdd(r2, p23, p01);
        var q1 = Vector512.FusedMultiplyAdd(r2, p67, p45);
        var q2 = Vector512.FusedMultiplyAdd(r2, p1011, p89);
        var p = Vector512.FusedMultiplyAdd(r8, Vector512.FusedMultiplyAdd(r4, p1213, q2), Vector512.FusedMultiplyAdd(r4, q1, q0));
        // 2^k into the exponent field.
        var scale = Vector512.ShiftLeft((k + Vector512.Create(ExponentBias)).AsUInt64(), 52).AsDouble();
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(Underflow)), Vector512<double>.Zero, p * scale);
    }

    /// <summary>ln x for positive x: FastMath.Log's split x = 2^e m and its atanh series, on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Log(Vector512<double> x)
    {
        var tiny = Vector512.LessThan(x, Vector512.Create(SmallestNormal));
        x = Vector512.ConditionalSelect(tiny, x * 18014398509481984.0, x);
        var bits = x.AsUInt64();
        var exponent = Vector512.ShiftRightLogical(bits, 52) & Vector512.Create(0x7FFUL);
        var mantissa = ((bits & Vector512.Create(0x000FFFFFFFFFFFFFUL)) | Vector512.Create(0x3FF0000000000000UL)).AsDouble();
        var e = Vector512.ConvertToDouble(exponent.AsInt64()) - Vector512.Create(1023.0)
                - Vector512.ConditionalSelect(tiny, Vector512.Create(54.0), Vector512<double>.Zero);
        var high = Vector512.GreaterThan(mantissa, Vector512.Create(1.4142135623730951));
        mantissa = Vector512.ConditionalSelect(high, mantissa * 0.5, mantissa);
        e += Vector512.ConditionalSelect(high, Vector512<double>.One, Vector512<double>.Zero);
        var f = mantissa - Vector512<double>.One;
        var s = f / (f + Vector512.Create(2.0));
        var z = s * s;
        var z2 = z * z;
        var z4 = z2 * z2;
        var z8 = z4 * z4;
        var q01 = Vector512.FusedMultiplyAdd(z, Vector512.Create(1.0 / 5), Vector512.Create(1.0 / 3));
        var q23 = Vector512.FusedMultiplyAdd(z, Vector512.Create(1.0 / 9), Vector512.Create(1.0 / 7));
        var q45 = Vector512.FusedMultiplyAdd(z, Vector512.Create(1.0 / 13), Vector512.Create(1.0 / 11));
        var q67 = Vector512.FusedMultiplyAdd(z, Vector512.Create(1.0 / 17), Vector512.Create(1.0 / 15));
        var q89 = Vector512.FusedMultiplyAdd(z, Vector512.Create(1.0 / 21), Vector512.Create(1.0 / 19));
        var r0 = Vector512.FusedMultiplyAdd(z2, q23, q01);
        var r1 = Vector512.FusedMultiplyAdd(z2, q67, q45);
        var p = Vector512.FusedMultiplyAdd(z8, q89, Vector512.FusedMultiplyAdd(z4, r1, r0));
        var twoS = s + s;
        var lnM = Vector512.FusedMultiplyAdd(twoS * z, p, twoS);
        return Vector512.FusedMultiplyAdd(e, Vector512.Create(Ln2Hi), Vector512.FusedMultiplyAdd(e, Vector512.Create(Ln2Lo), lnM));
    }
}
