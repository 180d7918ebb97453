using System.Text;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;

namespace SeriesCompiler.Emit.CSharp;

/// <summary>
/// Writes a set of expressions as straight-line C# after common-subexpression elimination: every node used
/// more than once (a shared power, log or polygamma) is computed once into a local <c>double</c>, in
/// dependency order; everything else is inlined. Integer powers use <c>RuleMath.PowInt</c>, the operation
/// the tree interpreter uses, so generated values agree with the symbolic coefficients to the last ulps.
/// </summary>
public sealed class StraightLineWriter
{
    private const string MathType = CSharpForm.MathType;
    private const string RuleMath = CSharpForm.RuleMath;

    private readonly Func<Symbol, string> _symbol;
    private readonly string _prefix;
    private readonly Dictionary<Expr, int> _uses = new();
    private readonly Dictionary<Expr, string> _temps = new();
    private readonly StringBuilder _code = new();
    private readonly string _indent;
    private int _next;

    private readonly Func<Symbol, (Rational Lower, Rational Upper)?> _interval;

    /// <param name="symbol">The C# expression for a parameter or variable symbol.</param>
    /// <param name="prefix">Prefix of the locals this block declares (distinct per block of one method).</param>
    /// <param name="interval">The finite interval a parameter is constrained to, if any: polynomials in it are written
    /// around the nearest of five points of the interval (<see cref="Runtime.Rules.RuleMath.CenteredPolynomial"/>).</param>
    public StraightLineWriter(Func<Symbol, string> symbol, string prefix, string indent, Func<Symbol, (Rational Lower, Rational Upper)?>? interval = null)
    {
        _symbol = symbol;
        _prefix = prefix;
        _indent = indent;
        _interval = interval ?? (_ => null);
    }

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

    /// <summary>Writes <c>target = value;</c> for each output, each with its formula as a comment.</summary>
    public string Write(IReadOnlyList<(string Target, Expr Value, string Comment)> outputs)
    {
        foreach (var o in outputs) Count(o.Value);
        foreach (var o in outputs)
        {
            var code = Code(o.Value);
            if (o.Comment.Length > 0) _code.Append(_indent).Append("// ").Append(CSharpNames.Comment(o.Comment)).Append('\n');
            _code.Append(_indent).Append(o.Target).Append(" = ").Append(code).Append(";\n");
        }
        return _code.ToString();
    }

    // ------------------------------------------------------------------ running error bounds

    /// <summary>The unit roundoff of doubles, 2^-53.</summary>
    private const string Unit = "1.1102230246251565E-16";

    private readonly Dictionary<Expr, (string Value, string Error)> _bounds = new();

    /// <summary>
    /// Writes <c>target = bound;</c> for each output: a running error bound (to first order in the unit roundoff u) on
    /// |computed - exact| for the value that <see cref="Write"/> computes from the same expression. It recomputes every
    /// node in the same operation order as <see cref="Write"/>, each with an absolute error e: a sum of k terms adds
    /// (k - 1) u sum |t_i|, a product |a| e_b + |b| e_a + u |ab|, x^n adds |n x^(n-1)| e_x, a function |f'(x)| e_x plus its
    /// own rounding. The bound is what tells a well-conditioned coefficient from one that cancels (a polynomial in p
    /// whose terms are far larger than its value), so the runtime can warn instead of trusting it.
    /// </summary>
    public string WriteErrorBounds(IReadOnlyList<(string Target, Expr Value)> outputs)
    {
        foreach (var (target, value) in outputs)
        {
            var (_, error) = Bound(value);
            _code.Append(_indent).Append(target).Append(" = ").Append(error).Append(";\n");
        }
        return _code.ToString();
    }

    /// <summary>Declares a value and its error bound; <paramref name="error"/> gets the value's local to refer to.</summary>
    private (string Value, string Error) Temp(string value, Func<string, string> error)
    {
        var name = _prefix + _next++;
        var errorName = name + "_e";
        _code.Append(_indent).Append("double ").Append(name).Append(" = ").Append(value).Append(";\n");
        _code.Append(_indent).Append("double ").Append(errorName).Append(" = ").Append(error(name)).Append(";\n");
        return (name, errorName);
    }

    /// <summary><c>a * b</c> as code, leaving out a factor that is the literal 0.</summary>
    private static string Times(string a, string b) => a == "0.0" || b == "0.0" ? "0.0" : $"{a} * {b}";

    private static string Plus(params string[] terms)
    {
        var kept = terms.Where(t => t != "0.0").ToList();
        return kept.Count == 0 ? "0.0" : "(" + string.Join(" + ", kept) + ")";
    }

    private static string Abs(string x) => $"{MathType}.Abs({x})";

    private (string Value, string Error) Bound(Expr e)
    {
        if (_bounds.TryGetValue(e, out var known)) return known;
        (string, string) result;
        switch (e)
        {
            case Number n:
            {
                var literal = NumberCode(n);
                result = (literal, IsExactDouble(n.Re) ? "0.0" : $"({Unit} * {Abs(literal)})");
                break;
            }
            case Symbol s when s == Ex.Pi || s == Ex.EulerGamma:
            {
                var literal = Inline(s);
                result = (literal, $"({Unit} * {literal})");
                break;
            }
            case Symbol s:
                result = (_symbol(s), "0.0");
                break;
            case Sum sum:
                result = SumBound(sum);
                break;
            case Product product:
                result = ProductBound(product);
                break;
            case Power power:
                result = PowerBound(power);
                break;
            case Call call:
                result = CallBound(call);
                break;
            default:
                throw new InvalidOperationException($"cannot emit {e}");
        }
        _bounds[e] = result;
        return result;
    }

    private (string, string) SumBound(Sum s)
    {
        if (FactoredPolynomial(s) is { } factored)
        {
            // Q(x) * prod (x - r)^m: each x - r is one rounding (x is a parameter, exact), (x - r)^m then carries
            // m + 2 ceil(log2 m) roundings relative to its value, and every product one more.
            var (q, qError) = factored.Quotient.IsOne ? ("1.0", "0.0") : Bound(factored.Quotient);
            var (value, relative) = FactorsCode(factored);
            if (factored.Quotient.IsOne) return Temp(value, v => $"({relative} * {Unit} * {Abs(v)})");
            var (f, fe) = Temp(value, v => $"({relative} * {Unit} * {Abs(v)})");
            return Temp($"({q} * {f})", v => Plus(Times(Abs(q), fe), Times(Abs(f), qError), $"{Unit} * {Abs(v)}"));
        }
        if (CenteredPolynomialCode(s, error: false) is { } centered)
            return Temp(centered, _ => CenteredPolynomialCode(s, error: true)!);
        var values = new StringBuilder("(");
        var errors = new List<string>();
        var sizes = new List<string>();
        for (int i = 0; i < s.Args.Length; i++)
        {
            var term = s.Args[i];
            var (c, _) = Ex.SplitCoefficient(term);
            bool negative = c.IsReal && c.Re.Sign < 0;
            var (v, err) = Bound(negative ? Ex.Neg(term) : term);
            if (i > 0) values.Append(negative ? " - " : " + ");
            else if (negative) values.Append('-');
            values.Append(v);
            if (err != "0.0") errors.Add(err);
            sizes.Add(Abs(v));
        }
        values.Append(')');
        // Left to right, the j-th addition rounds the partial sum s_j: u sum_{j>=2} |s_j|, where the last s_j is the value
        // itself and the others are at most sum |t_i|. (For two terms that is u |value|: p - 1 near p = 1 is no worse than p.)
        int k = s.Args.Length;
        string inner = k > 2 ? $"{(k - 2).ToString(System.Globalization.CultureInfo.InvariantCulture)}.0 * {Unit} * ({string.Join(" + ", sizes)})" : "0.0";
        return Temp(values.ToString(), v => Plus([.. errors, inner, $"{Unit} * {Abs(v)}"]));
    }

    private (string, string) ProductBound(Product p)
    {
        // Mirrors ProductCode: ((n1 * n2) * n3 ...) / ((d1 * d2) ...), left to right.
        var numerator = new List<(string, string)>();
        var denominator = new List<(string, string)>();
        foreach (var f in p.Args)
        {
            if (f is Power { Exponent: Number { IsReal: true } e } pw && e.Re.IsInteger && e.Re.Sign < 0)
                denominator.Add(-e.Re.Numerator <= int.MaxValue ? IntegerPowerBound(pw.Base, (int)-e.Re.Numerator) : Bound(Ex.Pow(pw.Base, Ex.Num(-e.Re))));
            else numerator.Add(Bound(f));
        }
        var (nv, ne) = numerator.Count == 0 ? ("1.0", "0.0") : Chain(numerator);
        if (denominator.Count == 0) return (nv, ne);
        var (dv, de) = Chain(denominator);
        return Temp($"({nv} / ({dv}))", v => Plus(de == "0.0" && ne == "0.0" ? "0.0" : $"{Plus(ne, Times(Abs(v), de))} / {Abs(dv)}", $"{Unit} * {Abs(v)}"));
    }

    private (string, string) Chain(List<(string Value, string Error)> factors)
    {
        var (v, e) = factors[0];
        for (int i = 1; i < factors.Count; i++)
        {
            var (fv, fe) = factors[i];
            var (pv, pe) = (v, e);
            (v, e) = Temp($"({pv} * {fv})", x => Plus(Times(Abs(pv), fe), Times(Abs(fv), pe), $"{Unit} * {Abs(x)}"));
        }
        return (v, e);
    }

    /// <summary>b^k as IntegerPowerCode writes it (b itself for k = 1), with its bound; the base is never expanded.</summary>
    private (string, string) IntegerPowerBound(Expr baseExpression, int k)
    {
        if (k == 1) return Bound(baseExpression);
        var (b, be) = Bound(baseExpression);
        string ks = k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string code = IntegerPowerCode(b, k);
        // Binary powering: at most 2 ceil(log2 |k|) products, and one division for k < 0.
        int roundings = 2 * (int)Math.Ceiling(Math.Log2(Math.Abs(k))) + (k < 0 ? 1 : 0);
        string own = roundings == 0 ? "0.0" : $"{roundings.ToString(System.Globalization.CultureInfo.InvariantCulture)}.0 * {Unit}";
        return Temp(code, v => Plus(be == "0.0" ? "0.0" : k > 0
            ? $"{ks}.0 * {RuleMath}.PowInt({Abs(b)}, {(k - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}) * {be}"
            : $"{RuleMath}.ErrorRatio({Abs(ks + ".0 * " + v)} * {be}, {Abs(b)})", Times(own, Abs(v))));
    }

    private (string, string) PowerBound(Power p)
    {
        if (p.Exponent is Number { IsReal: true } n && n.Re.IsInteger && System.Numerics.BigInteger.Abs(n.Re.Numerator) <= int.MaxValue)
            return IntegerPowerBound(p.Base, (int)n.Re.Numerator);
        var (b, be) = Bound(p.Base);
        string code;
        if (p.Exponent is Number { IsReal: true } h && (h.Re == Rational.Half || h.Re == -Rational.Half))
        {
            bool inverse = h.Re.Sign < 0;
            code = inverse ? $"(1.0 / {MathType}.Sqrt({b}))" : $"{MathType}.Sqrt({b})";
            // d sqrt(b) = e_b / (2 sqrt b); d b^-1/2 = e_b / (2 b sqrt b).
            return Temp(code, v => Plus(be == "0.0" ? "0.0" : $"{RuleMath}.ErrorRatio(0.5 * {Abs(v)} * {be}, {Abs(b)})", $"{(inverse ? 2 : 1)}.0 * {Unit} * {Abs(v)}"));
        }
        else
        {
            var (x, xe) = Bound(p.Exponent);
            code = $"{MathType}.Pow({b}, {x})";
            return Temp(code, v => $"({Abs(v)} * ({RuleMath}.ErrorRatio({Abs(x)} * {be}, {Abs(b)}) + {Abs($"{MathType}.Log({Abs(b)})")} * {xe}) + 4.0 * {Unit} * {Abs(v)})");
        }
    }

    private (string, string) CallBound(Call c)
    {
        var csharp = FunctionRegistry.Node(c.Function).CSharp;
        if (csharp.Constant is { } constant)
        {
            // A constant node (zeta): its double, correct to one unit roundoff.
            var literal = CSharpNames.Double(constant(c.Args));
            return (literal, $"({Unit} * {literal})");
        }
        var (x, xe) = Bound(c.Arg);
        // |f'(x)| e_x, then the function's own rounding (both from its registry entry): about one ulp for the
        // System.Math functions, more for lgamma, which is accurate in absolute rather than relative terms near its zeros.
        return Temp(csharp.Code(c.Args, x), v => Plus(Times(csharp.Slope(c.Args, x, v, Abs), xe), csharp.Rounding(Abs(v), Unit)));
    }

    /// <summary>Whether a rational is exactly a double (a dyadic rational with at most 53 significant bits, in range).</summary>
    private static bool IsExactDouble(Rational r)
    {
        if (r.IsZero) return true;
        if (!r.Denominator.IsPowerOfTwo) return false;
        var n = System.Numerics.BigInteger.Abs(r.Numerator);
        long bits = (long)n.GetBitLength() - (long)System.Numerics.BigInteger.TrailingZeroCount(n);
        if (bits > 53) return false;
        double d = r.ToDouble();
        return double.IsNormal(d);
    }

    // ------------------------------------------------------------------ common subexpressions

    private void Count(Expr e)
    {
        _uses[e] = _uses.GetValueOrDefault(e) + 1;
        if (_uses[e] > 1) return; // children were counted on the first visit
        foreach (var c in e.Children) Count(c);
    }

    private string Code(Expr e)
    {
        if (_temps.TryGetValue(e, out var temp)) return temp;
        var code = Inline(e);
        if (_uses.GetValueOrDefault(e) > 1 && e is not (Number or Symbol))
        {
            var name = _prefix + _next++;
            _code.Append(_indent).Append("double ").Append(name).Append(" = ").Append(code).Append(";\n");
            _temps[e] = name;
            return name;
        }
        return code;
    }

    private string Inline(Expr e) => e switch
    {
        Number n => NumberCode(n),
        Symbol s when s == Ex.Pi => MathType + ".PI",
        Symbol s when s == Ex.EulerGamma => CSharpNames.Double(0.57721566490153286060651209),
        Symbol s => _symbol(s),
        Sum s => SumCode(s),
        Product p => ProductCode(p),
        Power p => PowerCode(p),
        Call c => CallCode(c),
        _ => throw new InvalidOperationException($"cannot emit {e}"),
    };

    private static string NumberCode(Number n)
    {
        if (!n.IsReal) throw new InvalidOperationException($"the complex constant {n} cannot be emitted as a double");
        var literal = CSharpNames.Double(n.Re.ToDouble());
        return literal.StartsWith('-') ? "(" + literal + ")" : literal;
    }

    private string SumCode(Sum s)
    {
        if (FactoredPolynomialCode(s) is { } factored) return factored;
        if (CenteredPolynomialCode(s, error: false) is { } centered) return centered;
        var sb = new StringBuilder("(");
        for (int i = 0; i < s.Args.Length; i++)
        {
            var term = s.Args[i];
            var (c, _) = Ex.SplitCoefficient(term);
            bool negative = c.IsReal && c.Re.Sign < 0;
            if (i > 0) sb.Append(negative ? " - " : " + ");
            else if (negative) sb.Append('-');
            sb.Append(Code(negative ? Ex.Neg(term) : term));
        }
        return sb.Append(')').ToString();
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

    private string ProductCode(Product p)
    {
        var numerator = new List<string>();
        var denominator = new List<string>();
        foreach (var f in p.Args)
        {
            if (f is Power { Exponent: Number { IsReal: true } e } pw && e.Re.IsInteger && e.Re.Sign < 0)
                denominator.Add(IntegerPowerCode(Code(pw.Base), -e.Re.Numerator));
            else numerator.Add(Code(f));
        }
        var sb = new StringBuilder("(");
        sb.Append(numerator.Count == 0 ? "1.0" : string.Join(" * ", numerator));
        if (denominator.Count > 0) sb.Append(" / (").Append(string.Join(" * ", denominator)).Append(')');
        return sb.Append(')').ToString();
    }

    /// <summary>
    /// b^k from the code of b, never by expanding: the factory would multiply a sum out ((1 - p)^2 into
    /// 1 - 2p + p^2, which cancels catastrophically as p -> 1, and (1 - p + p e^t)^64 into thousands of terms).
    /// </summary>
    private string IntegerPowerCode(string b, System.Numerics.BigInteger k)
    {
        if (k.IsOne) return b;
        if (k == 2) return $"({b} * {b})";
        if (System.Numerics.BigInteger.Abs(k) <= int.MaxValue)
            return $"{RuleMath}.PowInt({b}, {k.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
        return $"{MathType}.Pow({b}, {CSharpNames.Double((double)k)})";
    }

    private string PowerCode(Power p)
    {
        var b = Code(p.Base);
        if (p.Exponent is Number { IsReal: true } n)
        {
            if (n.Re.IsInteger && System.Numerics.BigInteger.Abs(n.Re.Numerator) <= int.MaxValue)
                return IntegerPowerCode(b, n.Re.Numerator);
            if (n.Re == Rational.Half) return $"{MathType}.Sqrt({b})";
            if (n.Re == -Rational.Half) return $"(1.0 / {MathType}.Sqrt({b}))";
        }
        return $"{MathType}.Pow({b}, {Code(p.Exponent)})";
    }

    /// <summary>The C# of a call, from its registry entry: a constant's double, or the call on its argument's code.</summary>
    private string CallCode(Call c)
    {
        var csharp = FunctionRegistry.Node(c.Function).CSharp;
        return csharp.Constant is { } constant ? CSharpNames.Double(constant(c.Args)) : csharp.Code(c.Args, Code(c.Arg));
    }
}
