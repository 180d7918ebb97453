using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// Lane samplers of the resummed rules' auxiliary shift laws that <see cref="RandomLanes"/> does not draw itself. Each lane
/// reads only its own stream, and lanes outside the mask do not advance, so a lane's draw is its stream's whatever its
/// neighbours do.
/// </summary>
internal static class ShiftLanes
{
    /// <summary>
    /// U = scale Laplace(0, 1) in the lanes of <paramref name="mask"/>, by inversion from one uniform: with u = U - 1/2,
    /// <c>-scale sign(u) ln(1 - 2|u|)</c>. (scale E1 - scale E2 has this law: the difference of two independent
    /// Exp(1) has density e^-|x| / 2.) U lies in [2^-54, 1 - 2^-53] (capped below 1), so |u| &lt;= 1/2 - 2^-53, 1 - 2|u| &gt;= 2^-52 and the log is finite.
    /// </summary>
    public static Vector256<double> LaplaceMasked(ref RandomLanes lanes, Vector256<double> scale, Vector256<ulong> mask)
    {
        var u = lanes.NextDoubleMasked(mask) - Vector256.Create(0.5);
        var magnitude = -scale * FastMath.Log(Vector256<double>.One - 2.0 * Vector256.Abs(u));
        return Vector256.ConditionalSelect(Vector256.LessThan(u, Vector256<double>.Zero), -magnitude, magnitude);
    }
}
