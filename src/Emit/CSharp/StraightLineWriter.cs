using System.Text;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Emit.CSharp;

/// <summary>
/// Writes a set of expressions as straight-line C# after common-subexpression elimination: every node used
/// more than once (a shared power, log or polygamma) is computed once into a local <c>double</c>, in
/// dependency order; everything else is inlined. Integer powers use <c>RuleMath.PowInt</c>, the operation
/// the tree interpreter uses, so generated values agree with the symbolic coefficients to the last ulps.
/// </summary>
public sealed class StraightLineWriter
{
    private const string MathType = "global::System.Math";
    private const string Special = "global::SeriesCompiler.Runtime.Special.SpecialFunctions";
    private const string RuleMath = "global::SeriesCompiler.Runtime.Rules.RuleMath";

    private readonly Func<Symbol, string> _symbol;
    private readonly string _prefix;
    private readonly Dictionary<Expr, int> _uses = new();
    private readonly Dictionary<Expr, string> _temps = new();
    private readonly StringBuilder _code = new();
    private readonly string _indent;
    private int _next;

    /// <param name="symbol">The C# expression for a parameter or variable symbol.</param>
    /// <param name="prefix">Prefix of the locals this block declares (distinct per block of one method).</param>
    public StraightLineWriter(Func<Symbol, string> symbol, string prefix, string indent)
    {
        _symbol = symbol;
        _prefix = prefix;
        _indent = indent;
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

    private string CallCode(Call c)
    {
        switch (c.Function)
        {
            case Function.Zeta: return CSharpNames.Double(Runtime.Special.SpecialFunctions.Zeta(Ex.IntegerValue(c.Arg)));
            case Function.Polygamma: return $"{Special}.Polygamma({Ex.IntegerValue(c.Args[0])}, {Code(c.Arg)})";
        }
        var x = Code(c.Arg);
        return c.Function switch
        {
            Function.Exp => $"{MathType}.Exp({x})",
            Function.Log => $"{MathType}.Log({x})",
            Function.Sin => $"{MathType}.Sin({x})",
            Function.Cos => $"{MathType}.Cos({x})",
            Function.Tan => $"{MathType}.Tan({x})",
            Function.Sinh => $"{MathType}.Sinh({x})",
            Function.Cosh => $"{MathType}.Cosh({x})",
            Function.Tanh => $"{MathType}.Tanh({x})",
            Function.Atan => $"{MathType}.Atan({x})",
            Function.LogGamma => $"{Special}.LogGamma({x})",
            Function.Abs => $"{MathType}.Abs({x})",
            Function.Sign => $"(double){MathType}.Sign({x})",
            _ => throw new InvalidOperationException($"no C# for {c.Function}"),
        };
    }
}
