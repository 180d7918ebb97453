using System.Text;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;

namespace SeriesCompiler.Emit.CSharp;

// Common-subexpression elimination and the C# of each node kind.
public sealed partial class StraightLineWriter
{
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
