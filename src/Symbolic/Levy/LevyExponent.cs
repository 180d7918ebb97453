using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Symbolic.Levy;

/// <summary>
/// One stable part of a characteristic exponent: <c>log phi(w) = ... - Scale(theta) |w|^Alpha</c>, 0 &lt; Alpha &lt; 2.
/// Its Lévy measure is symmetric with density <c>Scale C_Alpha |x|^(-1-Alpha)</c> (<see cref="LevyExponent.LevyConstant"/>).
/// </summary>
public sealed record LevyTerm(Expr Scale, Rational Alpha)
{
    public override string ToString() => Alpha == Rational.One ? $"{Scale}*|w|" : $"{Scale}*|w|^({Alpha})";
}

/// <summary>
/// The split of a univariate characteristic exponent that holds <c>abs(w)</c> (Binder.Levy.cs admitted it) into
/// an analytic part A(w), which keeps the Taylor series and the catalogue's exact rules, and stable parts:
/// <code>
///   log phi(w) = A(w) - sum_k c_k(theta) |w|^alpha_k,     c_k free of w, constants 0 &lt; alpha_k &lt; 2.
/// </code>
/// A logcf is split term by term (the canonical form keeps it a flat sum of products); a cf is split after its log is
/// taken factor by factor (log exp(x) = x). Anything else that holds |w| (|w|^2 from abs(w)*abs(w), abs(w) in a
/// denominator, a coefficient that depends on w) is neither analytic at 0 nor a Lévy exponent, and is refused with the
/// reason (SC1001).
/// </summary>
public static class LevyExponent
{
    /// <summary>The split, or null when the characteristic function holds no abs (the ordinary series applies).</summary>
    public static (Expr Analytic, ImmutableArray<LevyTerm> Terms)? Split(BoundDistribution d)
    {
        if (d.Characteristic is not { } body || !ContainsAbs(body)) return null;
        if (d.FrequencyVariables.Length != 1 || d.CharacteristicKind == CharacteristicKind.Cgf)
            throw new NotAnalyticException("abs is allowed only in a cf/logcf of one frequency variable");
        var w = d.FrequencyVariables[0];
        // log(C exp(L)) = log C + L and the like: the logs that hold abs are taken apart first (LogOf).
        var exponent = d.CharacteristicKind == CharacteristicKind.Cf ? LogOf(body) : OpenLogs(body);

        var analytic = new List<Expr>();
        var byAlpha = new SortedDictionary<Rational, Expr>();
        foreach (var term in exponent is Sum s ? s.Args : [exponent])
        {
            if (!ContainsAbs(term)) { analytic.Add(term); continue; }
            var (coefficient, alpha) = Match(term, w);
            // log phi contains coefficient * |w|^alpha = -c |w|^alpha.
            var c = Ex.Neg(coefficient);
            byAlpha[alpha] = byAlpha.TryGetValue(alpha, out var known) ? Ex.Add(known, c) : c;
        }
        var terms = ImmutableArray.CreateBuilder<LevyTerm>();
        foreach (var (alpha, c) in byAlpha)
        {
            if (c.IsZero) continue;
            if (c.ContainsImaginary())
                throw new NotAnalyticException($"the coefficient of {Power(w, alpha)} is {Ex.Neg(c)}, which is not real: a symmetric Lévy part -c|w|^alpha has a real c > 0");
            if (c is Number { IsReal: true } n && n.Re.Sign < 0)
                throw new NotAnalyticException($"the coefficient of {Power(w, alpha)} is {Ex.Neg(c)} > 0: exp(+c|w|^alpha) grows and is not a characteristic function (write -c*abs({w.Name})^alpha with c > 0)");
            terms.Add(new LevyTerm(c, alpha));
        }
        return (Ex.Add(analytic.ToArray()), terms.ToImmutable());
    }

    /// <summary>
    /// A declared Lévy density <c>levy(x) = C(theta) |x|^(-1-alpha)</c> (written with abs(x)^e, or x^n for an even
    /// integer n) as the stable part it is: INT (e^{iwx} - 1 - iwx 1{|x| &lt;= 1}) C |x|^(-1-alpha) dx = -(C/C_alpha)|w|^alpha,
    /// so c = C / C_alpha. Other densities have no generator rule here (the proposals are those of |x|^(-1-alpha)).
    /// </summary>
    public static LevyTerm FromDensity(BoundLevyDensity levy)
    {
        var x = levy.Variable;
        var density = levy.Density;
        Rational? exponent = null;
        var rest = new List<Expr>();
        foreach (var f in density is Product p ? p.Args : [density])
        {
            if (!f.Contains(x)) { rest.Add(f); continue; }
            if (exponent is not null) throw new LevyDensityException(levy, $"{x.Name} appears in more than one factor");
            exponent = f switch
            {
                Call { Function: Function.Abs } a when a.Arg.Equals(x) => Rational.One,
                Power { Base: Call { Function: Function.Abs } a, Exponent: Number { IsReal: true } n } when a.Arg.Equals(x) => n.Re,
                // x^n = |x|^n for even integer n (x^-2: Cauchy's density).
                Power { Base: Symbol s, Exponent: Number { IsReal: true } n } when s.Equals(x) && n.Re.IsInteger && n.Re.Numerator.IsEven => n.Re,
                _ => throw new LevyDensityException(levy, $"the factor {f} is not abs({x.Name})^e"),
            };
        }
        if (exponent is not { } e) throw new LevyDensityException(levy, $"it does not depend on {x.Name}");
        var alpha = -e - 1;
        if (alpha.Sign <= 0 || alpha >= 2)
            throw new LevyDensityException(levy, $"|{x.Name}|^{e} is |x|^(-1-alpha) with alpha = {alpha}, outside 0 < alpha < 2 (nu must integrate min(1, x^2))");
        var scale = Ex.Mul(rest.ToArray());
        if (scale.Contains(x) || scale.ContainsImaginary() || scale is Number { Re.Sign: <= 0 })
            throw new LevyDensityException(levy, $"its factor {scale} is not a positive function of the parameters");
        return new LevyTerm(Ex.Div(scale, LevyConstant(alpha)), alpha);
    }

    /// <summary>
    /// C_alpha = Gamma(1 + alpha) sin(pi alpha / 2) / pi, the constant with
    /// <c>INT (1 - cos(w x)) C_alpha |x|^(-1-alpha) dx = |w|^alpha</c> (substitute u = |w| x: the integral is
    /// |w|^alpha * 2 INT_0^inf (1 - cos u) u^(-1-alpha) du, and 2 INT (1 - cos u) u^(-1-alpha) du = pi / (Gamma(1+alpha) sin(pi alpha/2))).
    /// Exact where Gamma and sin are: alpha = 1 gives 1/pi; alpha = m - 1/2 gives q / sqrt(2 pi) with
    /// q = Gamma(m + 1/2)/sqrt(pi) = (2m)! / (4^m m!) (and sin(pi alpha/2) = sqrt(2)/2 for alpha = 1/2, 3/2).
    /// </summary>
    public static Expr LevyConstant(Rational alpha)
    {
        if (alpha == Rational.One) return Ex.Pow(Ex.Pi, -1);
        if (alpha.Denominator == 2)
        {
            int m = (int)((alpha + new Rational(1, 2)).Numerator); // alpha + 1 = m + 1/2
            var q = Rational.Factorial(2 * m) / ((Rational)System.Numerics.BigInteger.Pow(4, m) * Rational.Factorial(m));
            return Ex.Mul(Ex.Num(q), Ex.Pow(Ex.Mul(Ex.Num(2), Ex.Pi), Ex.Num(new Rational(-1, 2))));
        }
        var a = Ex.Num(alpha);
        return Ex.Mul(Ex.Exp(Ex.LogGamma(Ex.Add(Ex.One, a))), Ex.Sin(Ex.Mul(Ex.Num(alpha / 2), Ex.Pi)), Ex.Pow(Ex.Pi, -1));
    }

    // In a logcf, a term k*log(B) whose B holds abs is k*LogOf(B) (valid where B > 0, which a cf's factor exp(...) is).
    private static Expr OpenLogs(Expr exponent)
    {
        Expr Open(Expr term)
        {
            if (term is Call { Function: Function.Log } l && ContainsAbs(l.Arg)) return LogOf(l.Arg);
            if (term is Product p && p.Args.Count(ContainsAbs) == 1 && p.Args.Single(ContainsAbs) is Call { Function: Function.Log } inner)
                return Ex.Mul(Ex.Mul(p.Args.Where(a => !ContainsAbs(a)).ToArray()), LogOf(inner.Arg));
            return term;
        }
        return exponent is Sum s ? Ex.Add(s.Args.Select(Open).ToArray()) : Open(exponent);
    }

    // log of a cf: exp(x) gives x, a product the sum of its factors' logs, a real power r times the log of its base;
    // a factor without abs stays log(factor).
    private static Expr LogOf(Expr cf)
    {
        if (cf is Call { Function: Function.Exp } e) return e.Arg;
        if (cf is Product p && p.Args.Any(ContainsAbs))
            return Ex.Add(p.Args.Select(LogOf).ToArray());
        if (cf is Power { Exponent: Number { IsReal: true } r } power && ContainsAbs(power.Base))
            return Ex.Mul(r, LogOf(power.Base));
        if (ContainsAbs(cf))
            throw new NotAnalyticException($"{cf}: abs(w) in a cf must stand in the exponent of exp(...), as exp(... - c*abs(w)^alpha)");
        return Ex.Log(cf);
    }

    // coefficient * |w|^alpha (or coefficient * (b |w|)^alpha = coefficient b^alpha |w|^alpha), coefficient free of w.
    private static (Expr Coefficient, Rational Alpha) Match(Expr term, Symbol w)
    {
        var factors = term is Product p ? p.Args : [term];
        Rational? alpha = null;
        var rest = new List<Expr>();
        foreach (var f in factors)
        {
            if (!ContainsAbs(f)) { rest.Add(f); continue; }
            if (alpha is not null) throw Refuse(term, w, "|w| appears in more than one factor");
            switch (f)
            {
                case Call { Function: Function.Abs } a when a.Arg.Equals(w):
                    alpha = Rational.One;
                    break;
                case Power { Base: Call { Function: Function.Abs } a, Exponent: Number { IsReal: true } n } when a.Arg.Equals(w):
                    alpha = n.Re;
                    break;
                case Power { Base: Product b, Exponent: Number { IsReal: true } n }
                    when b.Args.Count(x => x is Call { Function: Function.Abs } a && a.Arg.Equals(w)) == 1 && b.Args.Count(ContainsAbs) == 1:
                    alpha = n.Re;
                    rest.Add(Ex.Pow(Ex.Mul(b.Args.Where(x => !ContainsAbs(x)).ToArray()), n));
                    break;
                default:
                    throw Refuse(term, w, "|w| must appear as abs(w) or abs(w)^alpha times a factor free of w");
            }
        }
        var coefficient = Ex.Mul(rest.ToArray());
        if (coefficient.Contains(w)) throw Refuse(term, w, $"its coefficient {coefficient} depends on {w.Name}");
        if (alpha is not { } index || index.Sign <= 0 || index >= 2)
            throw Refuse(term, w, $"the index is {alpha}, and a Lévy exponent c|w|^alpha needs 0 < alpha < 2" +
                (alpha == 2 ? " (|w|^2 = w^2 is analytic: write w^2)" : ""));
        return (coefficient, index);
    }

    private static NotAnalyticException Refuse(Expr term, Symbol w, string why) =>
        new($"the term {term} is neither analytic at {w.Name} = 0 nor a Lévy exponent -c*abs({w.Name})^alpha: {why}");

    private static string Power(Symbol w, Rational alpha) => alpha == Rational.One ? $"|{w.Name}|" : $"|{w.Name}|^({alpha})";

    public static bool ContainsAbs(Expr e) => e is Call { Function: Function.Abs } || e.Children.Any(ContainsAbs);
}

/// <summary>A <c>levy(x)</c> density without a generator rule, reported at its statement (SC1001).</summary>
public sealed class LevyDensityException(BoundLevyDensity levy, string why)
    : Exception($"the Lévy density {levy.Density} has no generator rule: {why}; a declared density must be C*abs(x)^(-1-alpha) with constant 0 < alpha < 2 and C > 0 free of x")
{
    public TextSpan Span { get; } = levy.Span;
}
