using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Calculus;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Resummation;

namespace SeriesCompiler.Symbolic.Levy;

/// <summary>
/// Lévy generator rules: the derivative of L(theta) = E[f(z)] through the stable parts -c(theta)|w|^alpha of the
/// characteristic exponent, which have no Taylor series at w = 0.
/// <para>
/// Why. phi = exp(psi) and d phi/d theta = phi d psi/d theta; a term -c|w|^alpha of psi is, by the Lévy-Khintchine
/// formula, INT (e^{iwx} - 1 - i w x 1{|x| &lt;= 1}) nu(dx) with nu(dx) = c C_alpha |x|^(-1-alpha) dx
/// (<see cref="LevyExponent.LevyConstant"/>). Differentiating in theta differentiates nu, and multiplying the transform
/// of f by that symbol applies the generator, so
/// <code>
///   dL/dtheta = E INT [f(z + x) - f(z) - x f'(z) 1{|x| &lt;= 1}] (d nu/d theta)(dx)
///             = c'(theta) C_alpha E INT_0^inf [f(z + x) + f(z - x) - 2 f(z)] x^(-1-alpha) dx      (nu symmetric).
/// </code>
/// Split at x = 1. Near 0 the second difference is x^2 INT_{-1}^{1} (1 - |s|) f''(z + s x) ds (Taylor's remainder
/// on each side), that is x^2 E[f''(z + T x)] with T = V1 - V2; sampling x with density (2 - alpha) x^(1 - alpha) on
/// (0, 1) leaves the constant weight C_alpha/(2 - alpha). Beyond 1, x ~ Pareto(alpha) (density alpha x^(-1-alpha))
/// leaves the constant weight C_alpha/alpha on the plain second difference, whose two sides are taken as one
/// random-sign shift: E[f(z+Y) + f(z-Y) - 2f(z)] = 2 E[f(z + S Y) - f(z)]. So
/// <code>
///   dL/dtheta = c' C_alpha/(2-alpha) E[f''(z + T X)] + 2 c' C_alpha/alpha E[f(z + S Y) - f(z)],
/// </code>
/// unbiased, with bounded (constant) importance weights, needing f only to its second derivative; for bounded f and
/// f'' both terms have finite variance.
/// </para>
/// </summary>
public static class LevyRules
{
    /// <summary>The terms one parameter gets from the stable parts (none when it does not enter them).</summary>
    public static ImmutableArray<ResummedTerm> Terms(ImmutableArray<LevyTerm> parts, Symbol parameter)
    {
        var terms = ImmutableArray.CreateBuilder<ResummedTerm>();
        foreach (var part in parts)
        {
            var dc = Derivative.Of(part.Scale, parameter);
            if (dc.IsZero) continue;
            var weight = Ex.Mul(dc, LevyExponent.LevyConstant(part.Alpha));
            var alpha = Ex.Num(part.Alpha);
            // c' C_alpha/(2 - alpha) E[f''(z + T X)]
            terms.Add(new ResummedTerm(Ex.Div(weight, Ex.Sub(Ex.Num(2), alpha)), 2, new LevyNearLaw(part.Alpha)));
            // 2 c' C_alpha/alpha E[f(z + S Y)] - 2 c' C_alpha/alpha E[f(z)]: a difference of f (coefficients sum to 0).
            var tail = Ex.Div(Ex.Mul(Ex.Num(2), weight), alpha);
            terms.Add(new ResummedTerm(tail, 0, new LevyTailLaw(part.Alpha)));
            terms.Add(new ResummedTerm(Ex.Neg(tail), 0, ZeroLaw.Instance));
        }
        return terms.ToImmutable();
    }
}
