using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Calculus;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>K(tau) = log E[exp(tau z)] in closed form, from a univariate declaration's cf, logcf or cgf.</summary>
public static class ClosedFormCgf
{
    /// <summary>The variable of K (interned, so every call gives the same node; not a static field, whose initialiser
    /// could meet an exhausted work budget and leave the type unusable).</summary>
    public static Symbol Tau => Ex.Sym("tau", SymbolKind.Variable);

    /// <summary>
    /// K(tau): w = -i tau substituted (the cf at imaginary frequency is the moment generating function), and the log taken
    /// of a cf. Null for multivariate or derived declarations, and where i survives (no real closed form).
    /// </summary>
    public static Expr? Build(BoundDistribution d)
    {
        if (d.Dimension != 1 || d.Characteristic is null || d.FrequencyVariables.Length != 1) return null;
        try
        {
            var tau = Tau;
            var at = d.CharacteristicKind == CharacteristicKind.Cgf ? (Expr)tau : Ex.Mul(Ex.Neg(Ex.I), tau);
            var k = Substitution.Apply(d.Characteristic, new Dictionary<Symbol, Expr> { [d.FrequencyVariables[0]] = at });
            if (d.CharacteristicKind == CharacteristicKind.Cf) k = Ex.Log(k);
            return k.ContainsImaginary() ? null : k;
        }
        catch (SymbolicException)
        {
            return null;
        }
    }
}

/// <summary>
/// The open interval (lower, upper) around 0 on which K(tau) is finite, as exact expressions of the parameters: the
/// ends are the real singularities of the closed form nearest to 0 on each side (lower = max of the negative ones,
/// upper = min of the positive ones; none on a side means unbounded). When <see cref="Known"/> is false the analysis
/// could not decide (see <see cref="Reason"/>), and nothing may claim that E[exp(tau z)] is finite.
/// </summary>
public sealed record CgfDomain(bool Known, ImmutableArray<Expr> LowerCandidates, ImmutableArray<Expr> UpperCandidates, string? Reason)
{
    public static CgfDomain Unknown(string reason) => new(false, [], [], reason);

    // By value (the candidates' expressions compare structurally), so that models holding a domain compare by value.
    public bool Equals(CgfDomain? other) => other is not null && Known == other.Known && Reason == other.Reason
        && LowerCandidates.SequenceEqual(other.LowerCandidates) && UpperCandidates.SequenceEqual(other.UpperCandidates);
    public override int GetHashCode() => HashCode.Combine(Known, Reason, LowerCandidates.Length, UpperCandidates.Length);

    public bool IsEntire => Known && LowerCandidates.IsEmpty && UpperCandidates.IsEmpty;

    /// <summary>The domain in words: <c>tau &lt; 1/mu</c>, <c>-1/s &lt; tau &lt; 1/s</c>, <c>every real tau</c>.</summary>
    public string Describe()
    {
        if (!Known) return "unknown (" + Reason + ")";
        if (IsEntire) return "every real tau";
        string Side(ImmutableArray<Expr> c, string f) => c.Length == 1 ? c[0].ToString() : $"{f}({string.Join(", ", c)})";
        string lower = LowerCandidates.IsEmpty ? "" : Side(LowerCandidates, "max") + " < ";
        string upper = UpperCandidates.IsEmpty ? "" : " < " + Side(UpperCandidates, "min");
        return lower + "tau" + upper;
    }
}

/// <summary>
/// Finds the domain of convergence of the moment generating function from K's closed form. An MGF is analytic in the
/// strip of its domain and, by Pringsheim's theorem for Laplace transforms of positive measures, singular at each finite
/// end of it on the real axis; so the domain ends at the nearest real singularity of the closed form on each side. The
/// singular points collected are those where the real closed form stops being analytic: zeros of a log's argument,
/// zeros of a base raised to a negative or non-integer power (denominators), poles of tan and of lgamma/polygamma.
/// A candidate at exactly 0 is a removable singularity (the series expansion already proved K analytic at 0); any other
/// candidate is kept even if it happens to be removable, which only narrows the domain (a safe error). Anything the
/// analysis cannot solve or whose sign it cannot prove from the declared constraints makes the domain unknown.
/// </summary>
public static class CgfDomainAnalysis
{
    public static CgfDomain Analyze(BoundDistribution d)
    {
        var k = ClosedFormCgf.Build(d);
        return k is null ? CgfDomain.Unknown("there is no closed-form K(tau)") : Analyze(k, ClosedFormCgf.Tau, new SignAnalysis(d));
    }

    /// <summary>
    /// The closed form and its domain, within a work budget of their own (the expansion before them may have spent
    /// most of the derivation's): a closed form or an analysis that would need more is left out or unknown.
    /// </summary>
    public static (Expr? Cgf, CgfDomain Domain) Derive(BoundDistribution d)
    {
        using var metered = WorkMeter.Start();
        try
        {
            var k = ClosedFormCgf.Build(d);
            return (k, k is null ? CgfDomain.Unknown("there is no closed-form K(tau)") : Analyze(k, ClosedFormCgf.Tau, new SignAnalysis(d)));
        }
        catch (SymbolicException ex)
        {
            return (null, CgfDomain.Unknown(ex.Message));
        }
    }

    public static CgfDomain Analyze(Expr k, Symbol tau, SignAnalysis signs)
    {
        try
        {
            var points = new List<Expr>();
            new Finder(tau, points) { Signs = signs }.Singular(k);
            var lower = ImmutableArray.CreateBuilder<Expr>();
            var upper = ImmutableArray.CreateBuilder<Expr>();
            foreach (var r in points.Distinct())
            {
                if (r.IsZero) continue; // removable: K is analytic at 0
                if (signs.IsPositive(r)) { if (!upper.Contains(r)) upper.Add(r); }
                else if (signs.IsNegative(r)) { if (!lower.Contains(r)) lower.Add(r); }
                else return CgfDomain.Unknown($"the sign of the singular point tau = {r} does not follow from the constraints");
            }
            return new CgfDomain(true, lower.ToImmutable(), upper.ToImmutable(), null);
        }
        catch (UndecidedException ex)
        {
            return CgfDomain.Unknown(ex.Message);
        }
        catch (SymbolicException ex)
        {
            return CgfDomain.Unknown(ex.Message);
        }
        catch (ArgumentException ex)
        {
            return CgfDomain.Unknown(ex.Message);
        }
    }

    private sealed class UndecidedException(string message) : Exception(message);

    private sealed class Finder(Symbol tau, List<Expr> points)
    {
        private readonly HashSet<Expr> _visited = new();

        private bool Free(Expr e) => !e.Contains(tau);

        /// <summary>Collects the real tau where <paramref name="e"/> is not analytic (or not finite).</summary>
        public void Singular(Expr e)
        {
            if (Free(e) || !_visited.Add(e)) return;
            switch (e)
            {
                case Symbol: return;
                case Sum or Product:
                    foreach (var a in ((NaryExpr)e).Args) Singular(a);
                    return;
                case Power p:
                    Singular(p.Base);
                    Singular(p.Exponent);
                    // A positive integer power is a polynomial of its base; any other power is singular where the base vanishes.
                    if (!(p.Exponent is Number { IsReal: true } n && n.Re.IsInteger && n.Re.Sign > 0)) Zeros(p.Base);
                    return;
                case Call c:
                    foreach (var a in c.Args) Singular(a);
                    switch (c.Function)
                    {
                        case Function.Exp or Function.Sin or Function.Cos or Function.Sinh or Function.Cosh or Function.Tanh or Function.Atan:
                            return;
                        case Function.Log:
                            Zeros(c.Arg);
                            return;
                        case Function.Tan:
                            Zeros(Ex.Cos(c.Arg));
                            return;
                        case Function.LogGamma or Function.Polygamma:
                            GammaPoles(c.Arg);
                            return;
                        default:
                            throw new UndecidedException($"{c.Function.ToString().ToLowerInvariant()} of tau is not analysed");
                    }
                default:
                    throw new UndecidedException($"'{e}' is not analysed");
            }
        }

        /// <summary>Poles of Gamma at 0, -1, -2, ...: for x = a + b tau with a > 0, the first one reached is x = 0.</summary>
        private void GammaPoles(Expr x)
        {
            if (!TryLinear(x, out var a, out var b))
                throw new UndecidedException($"the poles of lgamma({x}) are not analysed");
            // With a <= 0 at tau = 0 a pole (x = 0, -1, ...) could lie on either side of 0: only a > 0, proven from the
            // constraints, makes x = 0 the nearest one.
            if (!Signs.IsPositive(a))
                throw new UndecidedException($"lgamma({x}) at tau = 0 is not proven to be at a positive argument");
            points.Add(Ex.Neg(Ex.Div(a, b)));
        }

        /// <summary>Collects the real tau where <paramref name="g"/> = 0 (g itself is analytic there or already collected).</summary>
        public void Zeros(Expr g)
        {
            if (Free(g)) return;
            switch (g)
            {
                case Symbol: points.Add(Ex.Zero); return; // g = tau
                case Product p:
                    foreach (var f in p.Args) Zeros(f);
                    return;
                case Power p when p.Exponent is Number { IsReal: true } n && n.Re.Sign > 0:
                    Zeros(p.Base);
                    return;
                case Power p when p.Exponent is Number:
                    return; // a negative power has no zeros (its poles are collected by Singular)
                case Power p when Free(p.Exponent):
                    Zeros(p.Base); // b^n with a parameter n: where b vanishes, if n > 0 (an extra candidate only narrows the domain)
                    return;
                case Power:
                    throw new UndecidedException($"the zeros of {g} are not analysed");
                case Call c:
                    switch (c.Function)
                    {
                        case Function.Exp or Function.Cosh: return;
                        case Function.Sinh or Function.Tanh or Function.Atan: Zeros(c.Arg); return;
                        case Function.Log: Zeros(Ex.Sub(c.Arg, Ex.One)); return;
                        case Function.Sin or Function.Tan: Periodic(c.Arg, Ex.Zero); return;
                        case Function.Cos: Periodic(c.Arg, Ex.Half); return;
                        default: throw new UndecidedException($"the zeros of {g} are not analysed");
                    }
                case Sum s:
                    SumZeros(s);
                    return;
                default:
                    throw new UndecidedException($"the zeros of {g} are not analysed");
            }
        }

        /// <summary>sin(h) = 0 at h = k pi (offset 0), cos(h) = 0 at h = (k + 1/2) pi, for h = b tau: the nearest on each side.</summary>
        private void Periodic(Expr h, Expr offset)
        {
            if (!TryLinear(h, out var a, out var b) || !a.IsZero)
                throw new UndecidedException($"the zeros of a periodic function of {h} are not analysed");
            // The zeros nearest to tau = 0: k = 1 and k = -1 for sin (k = 0 is tau = 0), k = 0 and -1 for cos.
            var first = offset.IsZero ? Ex.One : offset;
            points.Add(Ex.Div(Ex.Mul(first, Ex.Pi), b));
            points.Add(Ex.Neg(Ex.Div(Ex.Mul(first, Ex.Pi), b)));
        }

        /// <summary>h = a + b tau with a, b free of tau.</summary>
        private bool TryLinear(Expr h, out Expr a, out Expr b)
        {
            b = Derivative.Of(h, tau);
            a = Substitution.Apply(h, new Dictionary<Symbol, Expr> { [tau] = Ex.Zero });
            return Free(b) && !b.IsZero;
        }

        private void SumZeros(Sum s)
        {
            // Take out what every term shares (tau^-1 in Uniform's (exp((a+w)t) - exp(a t))/(w t)): its zeros are the
            // sum's only where the shared factor has them.
            var terms = s.Args.Select(Factors).ToList();
            var common = new Dictionary<Expr, Rational>();
            foreach (var (b, e) in terms[0]) common[b] = e;
            foreach (var t in terms.Skip(1))
                foreach (var b in common.Keys.ToList())
                    if (t.TryGetValue(b, out var e2)) common[b] = e2 < common[b] ? e2 : common[b];
                    else common.Remove(b);
            foreach (var (b, e) in common) if (e.Sign > 0) Zeros(b);
            var rest = terms.Select(t =>
            {
                var factors = new List<Expr>();
                foreach (var (b, e) in t)
                {
                    var left = common.TryGetValue(b, out var c) ? e - c : e;
                    if (!left.IsZero) factors.Add(Ex.Pow(b, Ex.Num(left)));
                }
                return factors;
            }).ToList();

            // Each term is now (tau-free) * tau^m * exp(alpha + lambda tau): a polynomial or an exponential polynomial.
            var shaped = new List<(Expr Coefficient, int Power, Expr Rate)>();
            foreach (var factors in rest)
            {
                Expr coefficient = Ex.One, rate = Ex.Zero;
                int power = 0;
                foreach (var f in factors)
                {
                    if (Free(f)) coefficient = Ex.Mul(coefficient, f);
                    else if (f == tau) power += 1;
                    else if (f is Power { Base: var pb, Exponent: Number { IsReal: true } pe } && pb == tau && pe.Re.IsInteger && pe.Re.Sign > 0 && pe.Re.Numerator <= 64)
                        power += (int)pe.Re.Numerator;
                    else if (f is Call { Function: Function.Exp } ex && TryLinear(ex.Arg, out var alpha, out var lambda))
                    {
                        coefficient = Ex.Mul(coefficient, Ex.Exp(alpha));
                        rate = Ex.Add(rate, lambda);
                    }
                    else throw new UndecidedException($"the zeros of {s} are not analysed");
                }
                shaped.Add((coefficient, power, rate));
            }

            if (shaped.All(t => t.Rate.IsZero)) Polynomial(s, shaped.Select(t => (t.Coefficient, t.Power)).ToList());
            else if (shaped.All(t => t.Power == 0)) ExponentialPolynomial(s, shaped.Select(t => (t.Coefficient, t.Rate)).ToList());
            else throw new UndecidedException($"the zeros of {s} are not analysed");
        }

        private void Polynomial(Expr s, List<(Expr Coefficient, int Power)> terms)
        {
            var c = terms.GroupBy(t => t.Power).ToDictionary(g => g.Key, g => Ex.Add(g.Select(t => t.Coefficient).ToArray()));
            Expr C(int m) => c.GetValueOrDefault(m, Ex.Zero);
            int degree = c.Where(kv => !kv.Value.IsZero).Select(kv => kv.Key).DefaultIfEmpty(0).Max();
            if (degree == 1) { points.Add(Ex.Neg(Ex.Div(C(0), C(1)))); return; }
            if (degree == 2 && C(1).IsZero)
            {
                // c0 + c2 tau^2 = 0 at tau = +-sqrt(-c0/c2) when -c0/c2 > 0 (Laplace: 1 - b^2 tau^2).
                var square = Ex.Neg(Ex.Div(C(0), C(2)));
                if (Signs.IsPositive(square)) { points.Add(Root(square)); points.Add(Ex.Neg(Root(square))); return; }
                if (Signs.IsNegative(square)) return;
            }
            if (degree == 0) return;
            throw new UndecidedException($"the real zeros of the polynomial {s} in tau are not analysed");
        }

        private void ExponentialPolynomial(Expr s, List<(Expr Coefficient, Expr Rate)> terms)
        {
            var groups = terms.GroupBy(t => t.Rate).Select(g => (Rate: g.Key, C: Ex.Add(g.Select(t => t.Coefficient).ToArray()))).Where(g => !g.C.IsZero).ToList();
            if (groups.Count <= 1) return; // C exp(lambda tau) never vanishes
            if (groups.Count == 2)
            {
                // C1 e^(l1 tau) + C2 e^(l2 tau) = 0 at tau = log(-C2/C1)/(l1 - l2) when -C2/C1 > 0 (negative binomial: 1 - p e^tau).
                var ratio = Ex.Neg(Ex.Div(groups[1].C, groups[0].C));
                if (Signs.IsNegative(ratio)) return;
                if (Signs.IsPositive(ratio)) { points.Add(Ex.Div(Ex.Log(ratio), Ex.Sub(groups[0].Rate, groups[1].Rate))); return; }
                throw new UndecidedException($"the sign of {ratio} (in the zeros of {s}) does not follow from the constraints");
            }
            // A sum of exponentials whose coefficients all have one sign never vanishes (categorical: p0 + p1 e^tau + p2 e^(2 tau)).
            if (groups.All(g => Signs.IsPositive(g.C)) || groups.All(g => Signs.IsNegative(g.C))) return;
            throw new UndecidedException($"the real zeros of {s} are not analysed (its coefficients are not all of one proven sign)");
        }

        public SignAnalysis Signs { get; init; } = null!;

        /// <summary>sqrt(x), written x^(m) when x = y^(2m) with y proven positive (Laplace's sqrt(b^-2) = 1/b).</summary>
        private Expr Root(Expr x) =>
            x is Power { Exponent: Number { IsReal: true } e } p && e.Re.IsInteger && e.Re.Numerator.IsEven && Signs.IsPositive(p.Base)
                ? Ex.Pow(p.Base, Ex.Num(e.Re * Rational.Half))
                : Ex.Sqrt(x);

        /// <summary>A product (or single factor) as base -> rational exponent.</summary>
        private static Dictionary<Expr, Rational> Factors(Expr term)
        {
            var result = new Dictionary<Expr, Rational>();
            void Add(Expr f)
            {
                if (f is Power { Exponent: Number { IsReal: true } n } p) result[p.Base] = result.GetValueOrDefault(p.Base, Rational.Zero) + n.Re;
                else result[f] = result.GetValueOrDefault(f, Rational.Zero) + Rational.One;
            }
            if (term is Product p) foreach (var f in p.Args) Add(f);
            else Add(term);
            return result;
        }
    }
}
