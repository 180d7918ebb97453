using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>
/// Quadratics in t with real roots written as products of linear factors, exactly: the canonical logarithms
/// (<see cref="LogCanonicalForm"/>) and the resummation catalogue both read <c>c0 + c1 t + c2 t^2</c> as
/// <c>c0 (1 - l1 t)(1 - l2 t)</c>, so a variance-gamma MGF written as one quadratic and as two gamma factors give
/// one K and one rule. Only exact roots are taken: the discriminant must be the square of a polynomial in the
/// parameters (<c>(b1 - b2)^2 + 4 b1 b2 = (b1 + b2)^2</c>), found by the multivariate square-root algorithm below.
/// </summary>
public static class PolynomialFactors
{
    /// <summary>The coefficients c_0..c_d of a polynomial in t of degree at most <paramref name="maxDegree"/> (free of t), or null.</summary>
    public static Expr[]? Coefficients(Expr e, Symbol t, int maxDegree)
    {
        var parts = new List<Expr>[maxDegree + 1];
        for (int k = 0; k <= maxDegree; k++) parts[k] = [];
        foreach (var term in e is Sum s ? s.Args.ToArray() : [e])
        {
            int degree = 0;
            var rest = new List<Expr>();
            foreach (var f in term is Product p ? p.Args.ToArray() : [term])
            {
                if (f.Equals(t)) degree += 1;
                else if (f is Power { Base: var b, Exponent: Number { IsReal: true } n } && b.Equals(t) && n.Re.IsInteger && n.Re.Sign > 0 && n.Re.Numerator <= maxDegree)
                    degree += (int)n.Re.Numerator;
                else if (f.Contains(t)) return null;
                else rest.Add(f);
            }
            if (degree > maxDegree) return null;
            parts[degree].Add(Ex.Mul(rest.ToArray()));
        }
        return parts.Select(list => Ex.Add(list.ToArray())).ToArray();
    }

    /// <summary>
    /// <c>e = c0 (1 - l1 t)(1 - l2 t)</c> for a quadratic e with c0 != 0, c2 != 0 and an exact square root R of the
    /// discriminant: <c>l1 + l2 = -c1/c0</c> and <c>l1 l2 = c2/c0</c>, so <c>l = (-c1 +- R)/(2 c0)</c>, R^2 = c1^2 - 4 c0 c2.
    /// </summary>
    public static bool TryLinearFactors(Expr e, Symbol t, out Expr c0, out Expr l1, out Expr l2)
    {
        c0 = l1 = l2 = Ex.Zero;
        if (Coefficients(e, t, 2) is not [var a, var b, var c] || a.IsZero || c.IsZero) return false;
        var discriminant = Ex.Sub(Ex.Mul(b, b), Ex.Mul(Ex.Num(4), a, c));
        if (!TrySquareRoot(discriminant, out var root)) return false;
        var twice = Ex.Mul(Ex.Num(2), a);
        c0 = a;
        l1 = Ex.Div(Ex.Add(Ex.Neg(b), root), twice);
        l2 = Ex.Div(Ex.Sub(Ex.Neg(b), root), twice);
        return true;
    }

    /// <summary>
    /// An exact square root of a polynomial in the parameters with real rational coefficients (integer exponents), by
    /// the multivariate analogue of long division: the leading monomial (lexicographic in the canonical order of the
    /// bases) of R is the root of D's, and each next term of R is the leading term of D - R^2 over 2 lead(R).
    /// </summary>
    public static bool TrySquareRoot(Expr d, out Expr root)
    {
        root = Ex.Zero;
        if (d.IsZero) return true;
        var terms = d is Sum s ? s.Args.ToArray() : [d];
        if (!TryLeading(d, out var lead, out _)) return false;
        if (!TryMonomialRoot(lead, out var first)) return false;
        var r = new List<Expr> { first };
        if (!TryLeading(first, out _, out var rootLead)) return false;
        // Each step fixes one term of R below its leading one; R has at most as many terms as D.
        for (int step = 0; step <= terms.Length + 1; step++)
        {
            var current = Ex.Add(r.ToArray());
            var remainder = Ex.Sub(d, Ex.Mul(current, current));
            if (remainder.IsZero) { root = current; return true; }
            if (!TryLeading(remainder, out var next, out _)) return false;
            var term = Ex.Div(next, Ex.Mul(Ex.Num(2), first));
            // Progress: the new term must sort below R's leading monomial, or the remainder is not a square's.
            if (!TryLeading(term, out _, out var termMonomial) || Compare(termMonomial, rootLead) >= 0) return false;
            r.Add(term);
        }
        return false;
    }

    /// <summary>c m with c a real rational square and every exponent of m even: sqrt(c) m^(1/2).</summary>
    private static bool TryMonomialRoot(Expr term, out Expr root)
    {
        root = Ex.Zero;
        var (c, rest) = Ex.SplitCoefficient(term);
        if (!c.IsReal || c.Re.Sign <= 0) return false;
        var rc = Ex.Pow(Ex.Num(c.Re), Ex.Half);
        if (rc is not Number) return false;
        if (!TryExponents(rest, out var exponents)) return false;
        var factors = new List<Expr> { rc };
        foreach (var (b, k) in exponents)
        {
            if (!k.IsInteger || !k.Numerator.IsEven) return false;
            factors.Add(Ex.Pow(b, Ex.Num(k / 2)));
        }
        root = Ex.Mul(factors.ToArray());
        return true;
    }

    /// <summary>The leading term of a polynomial in the lexicographic order of its monomials' exponents.</summary>
    private static bool TryLeading(Expr e, out Expr lead, out Dictionary<Expr, Rational> monomial)
    {
        lead = Ex.Zero;
        monomial = [];
        bool found = false;
        foreach (var term in e is Sum s ? s.Args.ToArray() : [e])
        {
            var (c, rest) = Ex.SplitCoefficient(term);
            if (!c.IsReal || !TryExponents(rest, out var exponents)) return false;
            if (!found || Compare(exponents, monomial) > 0) { lead = term; monomial = exponents; found = true; }
        }
        return found;
    }

    /// <summary>A product of powers of atoms with rational exponents, as base -> exponent.</summary>
    private static bool TryExponents(Expr monomial, out Dictionary<Expr, Rational> exponents)
    {
        exponents = [];
        if (monomial.IsOne) return true;
        foreach (var f in monomial is Product p ? p.Args.ToArray() : [monomial])
        {
            var (b, e) = ExprComparer.SplitPower(f);
            if (b is Number || b is Sum || e is not Number { IsReal: true } n) return false;
            exponents[b] = exponents.TryGetValue(b, out var k) ? k + n.Re : n.Re;
        }
        return true;
    }

    /// <summary>Lexicographic order: bases in the canonical order, the larger exponent first (a monomial order).</summary>
    private static int Compare(Dictionary<Expr, Rational> a, Dictionary<Expr, Rational> b)
    {
        var bases = a.Keys.Concat(b.Keys).Distinct().ToList();
        bases.Sort(ExprComparer.Instance);
        foreach (var x in bases)
        {
            var ka = a.TryGetValue(x, out var va) ? va : Rational.Zero;
            var kb = b.TryGetValue(x, out var vb) ? vb : Rational.Zero;
            int c = ka.CompareTo(kb);
            if (c != 0) return c;
        }
        return 0;
    }
}
