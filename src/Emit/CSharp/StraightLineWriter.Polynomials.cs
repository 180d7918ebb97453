using System.Text;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;

namespace SeriesCompiler.Emit.CSharp;

// Stable forms of polynomials in one bounded parameter: centred Taylor forms and factored rational roots.
public sealed partial class StraightLineWriter
{
    private const int Centers = 5;

    /// <summary>
    /// A polynomial of degree 2 or more in one parameter with a finite interval, as a call of RuleMath.CenteredPolynomial
    /// (or its error bound) with the exact Taylor coefficients around lower + j (upper - lower)/4, j = 0..4; else null.
    /// </summary>
    private string? CenteredPolynomialCode(Sum s, bool error)
    {
        if (Univariate(s, out var cofactor) is not var (x, coefficients) || coefficients.Count < 3) return null;
        if (_interval(x) is not var (lower, upper)) return null;
        var step = (upper - lower) / new Rational(Centers - 1, 1);
        var blocks = new List<string>();
        for (int j = 0; j < Centers; j++)
        {
            var center = lower + step * new Rational(j, 1);
            blocks.AddRange(Shift(coefficients, center).Select(c => CSharpNames.Double(c.ToDouble())));
        }
        string method = error ? "CenteredPolynomialError" : "CenteredPolynomial";
        string call = $"{RuleMath}.{method}({_symbol(x)}, {CSharpNames.Double(lower.ToDouble())}, {CSharpNames.Double(step.ToDouble())}, {Centers}, [{string.Join(", ", blocks)}])";
        if (cofactor is null) return call;
        // A common factor free of x (Binomial's n): exact in the bounds only when it is a parameter, as it is there.
        if (error && cofactor is not Symbol) return null;
        string factor = Code(cofactor);
        return error ? $"({Abs(factor)} * {call} + {Unit} * {Abs(factor + " * " + RuleMath + ".CenteredPolynomial(" + call[(call.IndexOf('(') + 1)..])})" : $"({factor} * {call})";
    }

    // Taylor coefficients of P(c + d) in d: Q_k = sum_{j >= k} C(j, k) P_j c^(j-k), exactly.
    private static List<Rational> Shift(List<Rational> p, Rational c)
    {
        var q = new List<Rational>(p.Count);
        for (int k = 0; k < p.Count; k++)
        {
            var sum = Rational.Zero;
            System.Numerics.BigInteger binomial = 1; // C(j, k) for j = k
            var power = Rational.One;                // c^(j-k)
            for (int j = k; j < p.Count; j++)
            {
                if (!p[j].IsZero) sum += p[j] * new Rational(binomial, 1) * power;
                binomial = binomial * (j + 1) / (j + 1 - k);
                power *= c;
            }
            q.Add(sum);
        }
        return q;
    }

    // Candidate rational roots: the bounds that constraints such as p in (0, 1) and rho in (-1, 1) approach.
    private static readonly Rational[] RootCandidates = [Rational.One, Rational.MinusOne, new(2, 1), new(-2, 1), Rational.Half, -Rational.Half];

    /// <summary>
    /// A polynomial in one parameter with a rational root r of multiplicity m, written as <c>Q(x) (x - r)^m</c>. The
    /// canonical form expands powers of sums, so a denominator <c>(p - 1)^n</c> arrives as
    /// <c>-1 + n p - ... + p^n</c>, which cancels catastrophically as p approaches 1 (at p = 0.99 and n = 8 it has no
    /// correct digit). <c>x - r</c> is exact in doubles near r (Sterbenz), so the factored form keeps full relative
    /// accuracy there. Null when the sum is not such a polynomial or has none of the candidate roots.
    /// </summary>
    private string? FactoredPolynomialCode(Sum s)
    {
        if (FactoredPolynomial(s) is not { } factored) return null;
        var (factors, _) = FactorsCode(factored);
        return factored.Quotient.IsOne ? factors : $"({Code(factored.Quotient)} * {factors})";
    }

    private sealed record Factored(Symbol Variable, Expr Quotient, List<(Rational Root, int Multiplicity)> Factors);

    /// <summary>The code of prod (x - r)^m, and how many roundings it carries relative to its value.</summary>
    private (string Code, string Roundings) FactorsCode(Factored factored)
    {
        string variable = _symbol(factored.Variable);
        var parts = new List<string>();
        int roundings = factored.Factors.Count - 1;
        foreach (var (root, m) in factored.Factors)
        {
            string linear = $"({variable} {(root.Sign > 0 ? "-" : "+")} {CSharpNames.Double(Math.Abs(root.ToDouble()))})";
            parts.Add(m == 1 ? linear : m == 2 ? $"({linear} * {linear})" : $"{RuleMath}.PowInt({linear}, {m.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            roundings += m + (m == 1 ? 0 : 2 * (int)Math.Ceiling(Math.Log2(m)));
        }
        string code = parts.Count == 1 ? parts[0] : "(" + string.Join(" * ", parts) + ")";
        return (code, roundings.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".0");
    }

    private readonly Dictionary<Sum, Factored?> _factored = new();

    // Cached per node: a sum that is not a common subexpression is coded once per use (denominators of many terms).
    private Factored? FactoredPolynomial(Sum s)
    {
        if (!_factored.TryGetValue(s, out var factored)) _factored[s] = factored = Factor(s);
        return factored;
    }

    /// <summary>A sum that is a polynomial in one parameter: the parameter and the coefficients by degree; else null.</summary>
    private static (Symbol X, List<Rational> Coefficients)? Univariate(Sum s) => Univariate(s, out var cofactor) is { } u && cofactor is null ? u : null;

    /// <summary>As <see cref="Univariate(Sum)"/>, allowing one factor free of x common to every term (n in n p - n p^2).</summary>
    private static (Symbol X, List<Rational> Coefficients)? Univariate(Sum s, out Expr? cofactor)
    {
        cofactor = null;
        // The common factor: the first term's non-numeric factors other than powers of a parameter, when it is a parameter.
        if (s.Args[0] is Product first)
        {
            var candidates = first.Args.Where(a => a is Symbol { Kind: SymbolKind.Parameter }).ToList();
            foreach (var candidate in candidates)
            {
                if (!s.Args.All(t => t is Product p && p.Args.Contains(candidate))) continue;
                var reduced = s.Args.Select(t => Ex.Mul(t, Ex.Pow(candidate, -1))).ToArray();
                if (Ex.Add(reduced) is Sum inner && Univariate(inner) is { } u && u.X != candidate)
                {
                    cofactor = candidate;
                    return u;
                }
            }
        }
        Symbol? x = null;
        var coefficients = new List<Rational>();
        foreach (var term in s.Args)
        {
            var (c, rest) = Ex.SplitCoefficient(term);
            if (!c.IsReal) return null;
            int degree;
            if (rest.IsOne) degree = 0;
            else if (rest is Symbol { Kind: SymbolKind.Parameter } sym && (x is null || sym == x)) { x = sym; degree = 1; }
            else if (rest is Power { Base: Symbol { Kind: SymbolKind.Parameter } b, Exponent: Number { IsReal: true } e } && (x is null || b == x)
                     && e.Re.IsInteger && e.Re.Sign > 0 && e.Re.Numerator <= 4096) { x = b; degree = (int)e.Re.Numerator; }
            else return null;
            while (coefficients.Count <= degree) coefficients.Add(Rational.Zero);
            coefficients[degree] += c.Re;
        }
        return x is null ? null : (x, coefficients);
    }

    private static Factored? Factor(Sum s)
    {
        if (Univariate(s) is not var (x, coefficients)) return null;
        if (coefficients.Count < 3) return null; // degree 2 at least: x - r itself is already exact
        var factors = new List<(Rational Root, int Multiplicity)>();
        foreach (var r in RootCandidates)
        {
            int m = 0;
            while (coefficients.Count > 1 && Evaluate(coefficients, r).IsZero)
            {
                coefficients = DivideByRoot(coefficients, r);
                m++;
            }
            if (m > 0) factors.Add((r, m));
        }
        if (factors.Count == 0) return null;
        var quotient = Ex.Add([.. coefficients.Select((c, k) => Ex.Mul(Ex.Num(c), Ex.Pow(x, k)))]);
        return new Factored(x, quotient, factors);
    }

    private static Rational Evaluate(List<Rational> coefficients, Rational x)
    {
        var sum = Rational.Zero;
        for (int k = coefficients.Count - 1; k >= 0; k--) sum = sum * x + coefficients[k];
        return sum;
    }

    // Synthetic division by (x - r) of a polynomial with P(r) = 0.
    private static List<Rational> DivideByRoot(List<Rational> coefficients, Rational r)
    {
        var quotient = new Rational[coefficients.Count - 1];
        var carry = Rational.Zero;
        for (int k = coefficients.Count - 1; k >= 1; k--)
        {
            carry = carry * r + coefficients[k];
            quotient[k - 1] = carry;
        }
        return [.. quotient];
    }
}
