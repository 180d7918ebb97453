using System.Text;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;

namespace SeriesCompiler.Emit.CSharp;

// Running error bounds of the code Write produces, node by node in the same operation order.
public sealed partial class StraightLineWriter
{
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
}
