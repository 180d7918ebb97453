using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Symbolic.Resummation;

/// <summary>
/// The pole-expansion pass: a term <c>c t^j F(x)</c> of dK/dtheta, with F meromorphic and x = a t (or the argument
/// 1 + a t of digamma/polygamma), rewritten through F's Mittag-Leffler expansion (<see cref="PoleExpansions"/>): with
/// <c>x^Lead F(x) = C0 + sum W x^P E[e^{x S X/K}]</c>,
/// <c>c t^j F(a t) = c a^-Lead C0 t^(j-Lead) + sum c W a^(P-Lead) t^(j-Lead+P) E[e^{t (a S) X/K}]</c>: each sum over
/// poles is one term with the mixture law <see cref="PoleMixtureLaw"/>. The resummation pass checks the result
/// against the truncated series like every other rewriting.
/// </summary>
internal static class PoleResummer
{
    private static readonly Symbol T = CumulantSeries.T;

    /// <summary>dK/dtheta of a declaration holds polygamma of order 1 at most (lgamma and digamma differentiated once); the bound keeps zeta(m + 1) small.</summary>
    private const int MaxPolygammaOrder = 30;

    /// <summary>
    /// The resummed terms of <paramref name="term"/>, or null. <paramref name="reason"/> is replaced only when the
    /// term holds a meromorphic factor this pass knows and refuses (so other terms keep the catalogue's reason).
    /// </summary>
    public static List<ResummedTerm>? Classify(Expr term, ref string reason)
    {
        var (c, j, others) = Resummer.SplitPowerOfT(term);
        if (others.Count == 0) return null;

        // psi^(m)(1 + a t): the expansion is about the argument 1 (poles at 1 + a t = 0, -1, -2, ...).
        if (others is [Call { Function: Function.Polygamma } pg] && pg.Args[0] is Number { IsReal: true } order && order.Re.IsInteger)
        {
            if (!TryLinear(pg.Arg, out var a0, out var a) || !a0.IsOne)
            {
                reason = $"polygamma's pole expansion is taken at 1 + a t, not at {pg.Arg}";
                return null;
            }
            if (order.Re.Sign < 0 || order.Re.Numerator > MaxPolygammaOrder)
            {
                reason = $"the pole table takes polygamma of order 0 to {MaxPolygammaOrder}, not {order}";
                return null;
            }
            return Expand(PoleExpansions.Polygamma((int)order.Re.Numerator), c, j, a, ref reason);
        }

        // Products of sin, cos and tan of one argument a t: cot, tan or csc by the net exponents.
        Expr? argument = null;
        int sines = 0, cosines = 0;
        foreach (var f in others)
        {
            var (call, power) = f is Power { Base: Call b, Exponent: Number { IsReal: true } n } && n.Re.IsInteger && BigIntegerIsSmall(n)
                ? (b, (int)n.Re.Numerator)
                : (f as Call, 1);
            if (call is null) return null;
            if (call.Function is Function.Tanh or Function.Sinh or Function.Cosh)
            {
                reason = PoleExpansions.Hyperbolic(call.Function.ToString().ToLowerInvariant() + "(x)").Refusal!;
                return null;
            }
            if (call.Function is not (Function.Sin or Function.Cos or Function.Tan)) return null;
            var x = call.Arg;
            argument ??= x;
            if (!x.Equals(argument))
            {
                // sin and tan are odd, cos even: sin(-x) = -sin(x).
                if (!Ex.Neg(x).Equals(argument)) { reason = $"the trigonometric factors of {term} have different arguments"; return null; }
                if (call.Function != Function.Cos && power % 2 != 0) c = Ex.Neg(c);
            }
            switch (call.Function)
            {
                case Function.Sin: sines += power; break;
                case Function.Cos: cosines += power; break;
                default: sines += power; cosines -= power; break;
            }
        }
        if (argument is null || !TryLinear(argument, out var offset, out var scale) || !offset.IsZero)
        {
            reason = $"the trigonometric factors of {term} are not functions of a multiple of t";
            return null;
        }
        PoleExpansion? expansion = (sines, cosines) switch
        {
            (-1, 1) => PoleExpansions.Cot,
            (1, -1) => PoleExpansions.Tan,
            (-1, 0) => PoleExpansions.Csc,
            (0, -1) => PoleExpansions.Sec,
            _ => null,
        };
        if (expansion is null)
        {
            reason = $"sin^{sines} cos^{cosines} of {argument} has no pole expansion in the table (cot, tan, csc)";
            return null;
        }
        return Expand(expansion, c, j, scale, ref reason);
    }

    private static bool BigIntegerIsSmall(Number n) => System.Numerics.BigInteger.Abs(n.Re.Numerator) < 1000;

    /// <summary>c t^j F(a t) through F's expansion x^Lead F(x) = C0 + sum W x^P E[e^{x S X/K}], with x = a t.</summary>
    private static List<ResummedTerm>? Expand(PoleExpansion e, Expr c, int j, Expr a, ref string reason)
    {
        if (e.Refusal is { } refusal) { reason = refusal; return null; }
        if (a.ContainsImaginary() || c.ContainsImaginary())
        {
            // A complex scale puts the poles off the real t axis: no real auxiliary law.
            reason = $"{e.Name} at x = ({a})*t has a complex scale: its poles are not on the real t axis";
            return null;
        }
        if (j < e.Lead)
        {
            reason = $"{e.Name} has a pole at t = 0 that t^{j} does not cancel";
            return null;
        }
        // F(a t) = (a t)^-Lead (C0 + ...): the leading factor a^-Lead goes into every coefficient.
        var lead = Ex.Pow(a, -e.Lead);
        var terms = new List<ResummedTerm>();
        if (!e.Constant.IsZero) terms.Add(new ResummedTerm(Ex.Mul(c, lead, e.Constant), j - e.Lead, ZeroLaw.Instance));
        foreach (var k in e.Components)
        {
            var shift = Ex.Mul(a, k.Scale);
            // Laplace(0, 1) is symmetric: -b L has the law of b L, so a leading minus sign is dropped.
            if (k.Kernel == PoleKernel.Laplace && shift is Number { IsReal: true, Re.Sign: < 0 } or Product { Args: [Number { IsReal: true, Re.Sign: < 0 }, ..] })
                shift = Ex.Neg(shift);
            terms.Add(new ResummedTerm(Ex.Mul(c, lead, k.Weight, Ex.Pow(a, k.Power)), j - e.Lead + k.Power,
                new PoleMixtureLaw(shift, k.Kernel, k.Shape, k.ZetaPower, k.OddOnly)));
        }
        return terms;
    }

    /// <summary>e = a0 + a t with a0, a free of t.</summary>
    private static bool TryLinear(Expr e, out Expr a0, out Expr a)
    {
        a0 = a = Ex.Zero;
        var constant = new List<Expr>();
        var linear = new List<Expr>();
        foreach (var term in e is Sum s ? s.Args.ToArray() : [e])
        {
            if (!term.Contains(T)) { constant.Add(term); continue; }
            var rest = Ex.Div(term, T);
            if (rest.Contains(T)) return false;
            linear.Add(rest);
        }
        a0 = Ex.Add(constant.ToArray());
        a = Ex.Add(linear.ToArray());
        return !a.IsZero;
    }
}
