using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Calculus;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Symbolic.Resummation;

/// <summary>What resummation made of one parameter: the exact rule, or why the truncated series stays.</summary>
public sealed record ResummationOutcome(string Parameter, ResummedRule? Rule, string Reason)
{
    public bool IsResummed => Rule is not null;
}

/// <summary>
/// The resummation pass: rewrites dK/dtheta (in closed form, not as a series) as a finite sum of terms
/// <c>C(theta) t^j E[e^{tU}]</c> with U from the catalogue of <see cref="AuxiliaryLaw"/>s. Each such term sums the
/// whole series: dL/dtheta = sum C E[f^(j)(z + U)], exact, with one derivative of low order. Recognised factors:
/// <list type="bullet">
/// <item><c>(a + b t)^-m</c>: a gamma shift (either sign of the scale); <c>(a + c t^2)^-m</c> with -c/a a square:
/// two opposite gamma shifts (Laplace);</item>
/// <item><c>exp(c t)</c>: a constant shift;</item>
/// <item><c>log(a + b t)</c>: the uniform-mixture identity -log(1 - l t) = l t E[1/(1 - l V t)];</item>
/// <item>in <c>e^t</c>: <c>(a + b e^t)^-1</c> (geometric shift) and <c>log(a + b e^t)</c> (logarithmic shift);</item>
/// <item>a quadratic with exact real roots, as a power or in a log: two gamma shifts, or two uniform-mixture terms
/// (<see cref="PolynomialFactors"/>); terms over several powers of one linear factor are first put over one
/// denominator (<see cref="OverCommonDenominators"/>).</item>
/// </list>
/// Every rewriting is checked against the truncated series it replaces before it is accepted.
/// </summary>
public static class Resummer
{
    private static readonly Symbol T = CumulantSeries.T;

    /// <summary>Order of the series check that every rewriting must pass.</summary>
    public const int CheckOrder = 10;

    public static ImmutableArray<ResummationOutcome> Resum(BoundDistribution d, IEnumerable<BoundParameter> parameters)
    {
        var results = ImmutableArray.CreateBuilder<ResummationOutcome>();
        // One expander for the declaration: the parameters' checks expand the same laws and denominators, each once.
        var expander = new SeriesExpander(T);
        Expr? k = null;
        string? unavailable = null;
        if (d.Characteristic is null || d.FrequencyVariables.Length != 1) unavailable = "only univariate declarations with a cf, logcf or cgf are resummed";
        else
        {
            try { k = ClosedFormK(d, expander); }
            catch (Exception ex) when (ex is SymbolicException or NotAnalyticException) { unavailable = ex.Message; }
        }
        foreach (var p in parameters)
        {
            if (k is null) { results.Add(new(p.Name, null, unavailable!)); continue; }
            try
            {
                var derivative = Derivative.Of(k, p.Symbol);
                var outcome = ResumOne(p.Name, derivative, expander);
                if (outcome.Rule is { } rule && !LawsAreValid(rule, d.Parameters, out var why))
                    outcome = new ResummationOutcome(p.Name, null, why);
                results.Add(outcome);
            }
            catch (Exception ex) when (ex is SymbolicException or NotAnalyticException)
            {
                results.Add(new(p.Name, null, ex.Message));
            }
        }
        return results.ToImmutable();
    }

    /// <summary>
    /// K(t) in closed form: w = -i t, the log of a cf taken, then the canonical form of its logarithms
    /// (<see cref="LogCanonicalForm"/>: products, quotients and powers split, sums factored, K(0) = 0), so that the
    /// recogniser sees the same dK/dtheta however the declaration writes K.
    /// </summary>
    public static Expr ClosedFormK(BoundDistribution d) => ClosedFormK(d, new SeriesExpander(T));

    private static Expr ClosedFormK(BoundDistribution d, SeriesExpander expander)
    {
        var at = d.CharacteristicKind == CharacteristicKind.Cgf ? (Expr)T : Ex.Mul(Ex.Neg(Ex.I), T);
        var body = Substitution.Apply(d.Characteristic!, new Dictionary<Symbol, Expr> { [d.FrequencyVariables[0]] = at });
        var k = d.CharacteristicKind == CharacteristicKind.Cf ? Ex.Log(body) : body;
        return LogCanonicalForm.Normalize(k, T, expander).K;
    }

    private static ResummationOutcome ResumOne(string parameter, Expr derivative, SeriesExpander expander)
    {
        if (derivative.IsZero) return new(parameter, new ResummedRule(parameter, []), "the parameter does not enter K");
        var terms = new List<ResummedTerm>();
        foreach (var term in OverCommonDenominators(derivative is Sum s ? s.Args.ToArray() : [derivative]))
        {
            // The catalogue's forms first, then a meromorphic factor through its pole expansion (PoleResummer).
            var recognised = Classify(term, out var reason) ?? PoleResummer.Classify(term, ref reason);
            if (recognised is null) return new(parameter, null, reason);
            terms.AddRange(recognised);
        }
        terms = Merge(terms);
        if (!Verify(terms, derivative, expander, out var why)) return new(parameter, null, why);
        if (terms.All(t => t.Law is ZeroLaw))
            return new(parameter, new ResummedRule(parameter, [.. terms]), "dK/dtheta is a polynomial in t: the finite series is already exact");
        return new(parameter, new ResummedRule(parameter, [.. terms]), "");
    }

    /// <summary>
    /// Terms <c>c_i t^(j_i) L^(-m_i)</c> over powers of one linear factor L with different m_i are put over L^(-M),
    /// M = max m_i: <c>N(t) = sum c_i t^(j_i) L^(M - m_i)</c> is a polynomial, and each of its terms n_k t^k L^(-M) is
    /// one gamma term of shape M. Why: the compound Poisson's d/dbeta of lambda beta/(beta - t) is
    /// lambda/(beta - t) - lambda beta/(beta - t)^2 = -lambda t/(beta - t)^2, one f' term at Gamma(2)/beta instead of a
    /// difference of f at two independent random shifts (and the same rule as for K written lambda t/(beta - t)).
    /// </summary>
    private static IEnumerable<Expr> OverCommonDenominators(Expr[] terms)
    {
        var groups = new Dictionary<Expr, List<(Expr Term, Expr C, int J, int M)>>();
        var rest = new List<Expr>();
        foreach (var term in terms)
        {
            var (c, j, others) = SplitPowerOfT(term);
            if (others is [Power { Base: var l, Exponent: Number { IsReal: true } e }] && e.Re.IsInteger && e.Re.Sign < 0 && e.Re.Numerator > -64
                && TryLinear(l, out var a, out _) && !a.IsZero)
            {
                if (!groups.TryGetValue(l, out var list)) groups[l] = list = [];
                list.Add((term, c, j, (int)-e.Re.Numerator));
            }
            else rest.Add(term);
        }
        foreach (var (l, list) in groups)
        {
            if (list.Select(x => x.M).Distinct().Count() < 2) { rest.AddRange(list.Select(x => x.Term)); continue; }
            int big = list.Max(x => x.M);
            // term * L^M is c_i t^(j_i) L^(M - m_i), a polynomial in t (positive integer powers of L expand).
            var numerator = Ex.Add(list.Select(x => Ex.Mul(x.C, Ex.Pow(T, x.J), Ex.Pow(l, Ex.Num(big - x.M)))).ToArray());
            if (PolynomialFactors.Coefficients(numerator, T, 64) is null) { rest.AddRange(list.Select(x => x.Term)); continue; }
            var denominator = Ex.Pow(l, Ex.Num(-big));
            foreach (var n in numerator is Sum ns ? ns.Args.ToArray() : [numerator])
                if (!n.IsZero) rest.Add(Ex.Mul(n, denominator));
        }
        return rest;
    }

    /// <summary>
    /// Each auxiliary law must be a probability law everywhere the constraints allow: a geometric or logarithmic
    /// q in (0, 1), a gamma shape above 0. Checked at points spread over the constraint region (a symbolic
    /// rewriting can be right as algebra and still need an impossible law, like Bernoulli's q = p/(p - 1) &lt; 0).
    /// </summary>
    private static bool LawsAreValid(ResummedRule rule, ImmutableArray<BoundParameter> parameters, out string reason)
    {
        reason = "";
        var laws = rule.Terms.SelectMany(term => Flatten(term.Law)).Where(law => law is GeometricLaw or LogarithmicLaw or GammaLaw).ToList();
        if (laws.Count == 0) return true; // nothing to check: no per-trial work (a declaration may have thousands of parameters)
        var random = new Random(12345);
        for (int trial = 0; trial < 24; trial++)
        {
            var values = new Dictionary<Symbol, double>();
            foreach (var p in parameters) values[p.Symbol] = SamplePoint(p, random, trial);
            foreach (var law in laws)
            {
                string? problem = law switch
                {
                    GeometricLaw g => InUnitInterval(g.Q, values) ? null : $"Geometric({g.Q}) needs 0 < {g.Q} < 1",
                    LogarithmicLaw l => InUnitInterval(l.Q, values) ? null : $"Logarithmic({l.Q}) needs 0 < {l.Q} < 1",
                    GammaLaw gl => ExprEvaluator.Evaluate(gl.Shape, values) > 0 ? null : $"a gamma shape {gl.Shape} must be positive",
                    _ => null,
                };
                if (problem is not null)
                {
                    reason = $"no exact rewriting: {problem}, which fails inside the constraints (for one, at the point the compiler tried: " +
                        string.Join(", ", parameters.Select(p => p.Name + " = " + values[p.Symbol].ToString("G4", System.Globalization.CultureInfo.InvariantCulture))) + ")";
                    return false;
                }
            }
        }
        return true;
    }

    private static IEnumerable<AuxiliaryLaw> Flatten(AuxiliaryLaw law) => law is SumLaw s ? s.Parts.SelectMany(Flatten) : [law];

    private static bool InUnitInterval(Expr q, Dictionary<Symbol, double> values)
    {
        double v = ExprEvaluator.Evaluate(q, values);
        return v > 0 && v < 1;
    }

    /// <summary>A point inside a parameter's constraint: spread over an interval, or above a lower bound.</summary>
    private static double SamplePoint(BoundParameter p, Random random, int trial)
    {
        if (p.IsInteger) return Math.Max(p.Lower?.ToDouble() ?? 1, 1) + trial % 5;
        double u = (trial + random.NextDouble()) / 24.0;
        if (p.Lower is { } lo && p.Upper is { } hi) return lo.ToDouble() + (hi.ToDouble() - lo.ToDouble()) * (0.02 + 0.96 * u);
        if (p.Lower is { } l) return l.ToDouble() + Math.Exp(8 * u - 4);
        if (p.Upper is { } h) return h.ToDouble() - Math.Exp(8 * u - 4);
        return 8 * u - 4;
    }

    /// <summary>Terms with the same derivative order and law are added.</summary>
    private static List<ResummedTerm> Merge(List<ResummedTerm> terms)
    {
        // Few distinct (derivative, law) groups, possibly many terms each: collect the coefficients, then sum each
        // group once (adding one at a time would rebuild a growing sum per term).
        var groups = new List<(ResummedTerm First, List<Expr> Coefficients)>();
        foreach (var t in terms)
        {
            int i = groups.FindIndex(g => g.First.Derivative == t.Derivative && g.First.Law.Equals(t.Law));
            if (i < 0) groups.Add((t, [t.Coefficient]));
            else groups[i].Coefficients.Add(t.Coefficient);
        }
        return groups.Select(g => g.First with { Coefficient = Ex.Add(g.Coefficients.ToArray()) })
            .Where(t => !t.Coefficient.IsZero).ToList();
    }

    /// <summary>sum C t^j E[e^{tU}] must equal dK/dtheta: compared as exact series to <see cref="CheckOrder"/>.</summary>
    private static bool Verify(List<ResummedTerm> terms, Expr derivative, SeriesExpander expander, out string reason)
    {
        reason = "";
        try
        {
            var rebuilt = Ex.Add(terms.Select(t => Ex.Mul(t.Coefficient, Ex.Pow(T, t.Derivative), t.Law.Mgf(T))).ToArray());
            var difference = expander.Expand(Ex.Sub(rebuilt, derivative), CheckOrder).CancelDenominators();
            for (int n = 0; n <= CheckOrder; n++)
                if (!difference.IsZeroAt(n))
                {
                    reason = $"the rewriting does not reproduce the series at t^{n}";
                    return false;
                }
            return true;
        }
        catch (Exception ex) when (ex is SymbolicException or NotAnalyticException)
        {
            reason = "the rewriting could not be checked: " + ex.Message;
            return false;
        }
    }

    /// <summary>
    /// A product term split as <c>c t^j F_1 ... F_m</c>: the factors free of t (their product c), the power j of t
    /// (positive integer exponents only), and the remaining factors that hold t. Both recognisers start here.
    /// </summary>
    internal static (Expr Coefficient, int PowerOfT, List<Expr> Others) SplitPowerOfT(Expr term)
    {
        var coefficient = new List<Expr>();
        int j = 0;
        var others = new List<Expr>();
        foreach (var f in term is Product p ? p.Args.ToArray() : [term])
        {
            if (!f.Contains(T)) coefficient.Add(f);
            else if (f.Equals(T)) j += 1;
            else if (f is Power { Base: var b, Exponent: Number { IsReal: true } n } && b.Equals(T) && n.Re.IsInteger && n.Re.Sign > 0 && n.Re.Numerator < 1000) j += (int)n.Re.Numerator;
            else others.Add(f);
        }
        return (Ex.Mul(coefficient.ToArray()), j, others);
    }

    /// <summary>One term C t^j F(t) of dK/dtheta as resummed terms, or null with the reason.</summary>
    private static List<ResummedTerm>? Classify(Expr term, out string reason)
    {
        reason = "";
        var (c, j, others) = SplitPowerOfT(term);
        if (others.Count == 0) return [new ResummedTerm(c, j, ZeroLaw.Instance)];

        // A logarithm on its own: log(a + b t) or log(a + b e^t).
        if (others is [Call { Function: Function.Log } log])
        {
            if (TryLinear(log.Arg, out var a, out var b))
            {
                // C t^j log(a + b t) = C log(a) t^j + C t^j log(1 - l t), l = -b/a; -log(1 - l t) = l t E[e^{t l V E}].
                var l = Ex.Neg(Ex.Div(b, a));
                return [new ResummedTerm(Ex.Mul(c, Ex.Log(a)), j, ZeroLaw.Instance), new ResummedTerm(Ex.Neg(Ex.Mul(c, l)), j + 1, new UniformExponentialLaw(l))];
            }
            if (TryLinearInExp(log.Arg, out a, out b))
            {
                // log(a + b e^t) = log(a) + log(1 - q e^t), q = -b/a; log(1 - q e^t) = log(1 - q) E[e^{tM}], M ~ Logarithmic(q).
                var q = Ex.Neg(Ex.Div(b, a));
                return [new ResummedTerm(Ex.Mul(c, Ex.Log(a)), j, ZeroLaw.Instance), new ResummedTerm(Ex.Mul(c, Ex.Log(Ex.Sub(Ex.One, q))), j, new LogarithmicLaw(q))];
            }
            if (PolynomialFactors.TryLinearFactors(log.Arg, T, out a, out var l1, out var l2))
            {
                // log(a (1 - l1 t)(1 - l2 t)) = log a + log(1 - l1 t) + log(1 - l2 t): two uniform-mixture terms as above
                // (a symmetric pair, log(1 - r^2 t^2), is kept whole by the canonical form: its roots are +-r).
                return [new ResummedTerm(Ex.Mul(c, Ex.Log(a)), j, ZeroLaw.Instance),
                    new ResummedTerm(Ex.Neg(Ex.Mul(c, l1)), j + 1, new UniformExponentialLaw(l1)),
                    new ResummedTerm(Ex.Neg(Ex.Mul(c, l2)), j + 1, new UniformExponentialLaw(l2))];
            }
            reason = $"log({log.Arg}) is not of the form log(a + b t), log(a + b e^t) or the log of a quadratic with exact real roots";
            return null;
        }

        // A product of moment generating functions.
        var parts = new List<AuxiliaryLaw>();
        foreach (var f in others)
        {
            switch (f)
            {
                case Call { Function: Function.Exp } e when TryLinear(e.Arg, out var a0, out var shift) && !a0.Contains(T):
                    // e^{a0 + c t} = e^{a0} E[e^{t c}]
                    c = Ex.Mul(c, Ex.Exp(a0));
                    parts.Add(new ShiftLaw(shift));
                    continue;
                case Power { Exponent: Number { IsReal: true } m } pw when m.Re.Sign < 0:
                {
                    var shape = Ex.Num(-m.Re);
                    if (TryLinear(pw.Base, out var a, out var b))
                    {
                        // (a + b t)^-m = a^-m (1 - l t)^-m, l = -b/a: l*Gamma(m).
                        c = Ex.Mul(c, Ex.Pow(a, Ex.Num(m.Re)));
                        parts.Add(new GammaLaw(shape, Ex.Neg(Ex.Div(b, a))));
                        continue;
                    }
                    if (TryQuadratic(pw.Base, out a, out var g) && TrySqrt(Ex.Neg(Ex.Div(g, a)), out var root))
                    {
                        // (a + g t^2)^-m = a^-m (1 - r t)^-m (1 + r t)^-m, r^2 = -g/a: r*Gamma(m) - r*Gamma(m).
                        c = Ex.Mul(c, Ex.Pow(a, Ex.Num(m.Re)));
                        parts.Add(new GammaLaw(shape, root));
                        parts.Add(new GammaLaw(shape, Ex.Neg(root)));
                        continue;
                    }
                    if (PolynomialFactors.TryLinearFactors(pw.Base, T, out a, out var l1, out var l2))
                    {
                        // (a (1 - l1 t)(1 - l2 t))^-m = a^-m (1 - l1 t)^-m (1 - l2 t)^-m: l1 Gamma(m) + l2 Gamma(m), both real
                        // (the discriminant is an exact square); a bilateral gamma shift when l1 and l2 have opposite signs.
                        c = Ex.Mul(c, Ex.Pow(a, Ex.Num(m.Re)));
                        parts.Add(new GammaLaw(shape, l1));
                        parts.Add(new GammaLaw(shape, l2));
                        continue;
                    }
                    if (TryLinearInExp(pw.Base, out a, out b) && m.Re.IsInteger)
                    {
                        // (a + b e^t)^-m = a^-m (1 - q)^-m E[e^{t(G_1 + ... + G_m)}], q = -b/a.
                        var q = Ex.Neg(Ex.Div(b, a));
                        c = Ex.Mul(c, Ex.Pow(a, Ex.Num(m.Re)), Ex.Pow(Ex.Sub(Ex.One, q), Ex.Num(m.Re)));
                        for (int i = 0; i < (int)-m.Re.Numerator; i++) parts.Add(new GeometricLaw(q));
                        continue;
                    }
                    break;
                }
            }
            reason = $"no auxiliary law has the generating function {f}";
            return null;
        }
        AuxiliaryLaw law = parts.Count == 1 ? parts[0] : new SumLaw([.. parts]);
        return [new ResummedTerm(c, j, law)];
    }

    /// <summary>e = a + b t with a, b free of t.</summary>
    private static bool TryLinear(Expr e, out Expr a, out Expr b) => TryPolynomial(e, T, 1, out a, out b);

    /// <summary>e = a + g t^2 with a, g free of t.</summary>
    private static bool TryQuadratic(Expr e, out Expr a, out Expr g)
    {
        a = g = Ex.Zero;
        var terms = e is Sum s ? s.Args.ToArray() : [e];
        var constant = new List<Expr>();
        var square = new List<Expr>();
        foreach (var term in terms)
        {
            if (!term.Contains(T)) { constant.Add(term); continue; }
            var rest = Ex.Div(term, Ex.Pow(T, 2));
            if (rest.Contains(T)) return false;
            square.Add(rest);
        }
        a = Ex.Add(constant.ToArray());
        g = Ex.Add(square.ToArray());
        return !a.IsZero && !g.IsZero;
    }

    /// <summary>e = a + b x with a, b free of t, where x is t itself or e^t.</summary>
    private static bool TryPolynomial(Expr e, Expr x, int degree, out Expr a, out Expr b)
    {
        a = b = Ex.Zero;
        var terms = e is Sum s ? s.Args.ToArray() : [e];
        var constant = new List<Expr>();
        var linear = new List<Expr>();
        foreach (var term in terms)
        {
            if (!term.Contains(T)) { constant.Add(term); continue; }
            var rest = Ex.Div(term, x);
            if (rest.Contains(T)) return false;
            linear.Add(rest);
        }
        a = Ex.Add(constant.ToArray());
        b = Ex.Add(linear.ToArray());
        return !b.IsZero && (degree == 1);
    }

    private static bool TryLinearInExp(Expr e, out Expr a, out Expr b) =>
        TryPolynomial(e, Ex.Exp(T), 1, out a, out b) && !a.IsZero;

    /// <summary>An exact square root of a product of squares (b^2 -> b, 4 k^2 -> 2 k); signs do not matter where it is used.</summary>
    private static bool TrySqrt(Expr e, out Expr root)
    {
        root = Ex.Zero;
        var factors = e is Product p ? p.Args.ToArray() : [e];
        var roots = new List<Expr>();
        foreach (var f in factors)
        {
            switch (f)
            {
                case Number { IsReal: true } n when n.Re.Sign > 0:
                {
                    var r = Ex.Pow(n, Ex.Half);
                    if (r is not Number) return false;
                    roots.Add(r);
                    break;
                }
                case Power { Exponent: Number { IsReal: true } k } pw when k.Re.IsInteger && k.Re.Numerator % 2 == 0:
                    roots.Add(Ex.Pow(pw.Base, Ex.Num(k.Re / 2)));
                    break;
                default:
                    return false;
            }
        }
        root = Ex.Mul(roots.ToArray());
        return true;
    }
}
