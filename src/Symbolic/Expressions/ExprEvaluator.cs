using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>
/// The tree interpreter: evaluates an expression in doubles at given symbol values. It is the reference
/// the generated code is checked against, so it favours clarity over speed.
/// </summary>
public static class ExprEvaluator
{
    public static double Evaluate(Expr e, IReadOnlyDictionary<Symbol, double> values)
    {
        var memo = new Dictionary<Expr, double>();
        return Eval(e, values, memo);
    }

    private static double Eval(Expr e, IReadOnlyDictionary<Symbol, double> values, Dictionary<Expr, double> memo)
    {
        if (memo.TryGetValue(e, out var known)) return known;
        double result;
        switch (e)
        {
            case Number n:
                if (!n.IsReal) throw new ArgumentException($"cannot evaluate the complex constant {n} as a real number");
                result = n.Re.ToDouble();
                break;
            case Symbol s when s == Ex.Pi: result = Math.PI; break;
            case Symbol s when s == Ex.EulerGamma: result = 0.57721566490153286060651209; break;
            case Symbol s:
                if (!values.TryGetValue(s, out result)) throw new ArgumentException($"no value given for '{s.Name}'");
                break;
            case Sum s:
                result = 0;
                foreach (var a in s.Args) result += Eval(a, values, memo);
                break;
            case Product p:
                result = 1;
                foreach (var a in p.Args) result *= Eval(a, values, memo);
                break;
            case Power p:
                result = Power(Eval(p.Base, values, memo), p.Exponent, values, memo);
                break;
            case Call c:
                result = Call(c, values, memo);
                break;
            default:
                throw new ArgumentException($"cannot evaluate {e}");
        }
        memo[e] = result;
        return result;
    }

    private static double Power(double b, Expr exponent, IReadOnlyDictionary<Symbol, double> values, Dictionary<Expr, double> memo)
    {
        // Integer powers by binary powering, exactly as generated code computes them (RuleMath.PowInt).
        if (exponent is Number { IsReal: true } n && n.Re.IsInteger && System.Numerics.BigInteger.Abs(n.Re.Numerator) <= int.MaxValue)
            return SeriesCompiler.Runtime.Rules.RuleMath.PowInt(b, (int)n.Re.Numerator);
        if (exponent is Number { IsReal: true } h && h.Re == Rational.Half) return Math.Sqrt(b);
        if (exponent is Number { IsReal: true } mh && mh.Re == -Rational.Half) return 1.0 / Math.Sqrt(b);
        return Math.Pow(b, Eval(exponent, values, memo));
    }

    // The function's own double evaluator, from its registry entry, at the value of its last argument.
    private static double Call(Call c, IReadOnlyDictionary<Symbol, double> values, Dictionary<Expr, double> memo) =>
        Functions.FunctionRegistry.Node(c.Function).Evaluate(c.Args, c.Function == Function.Zeta ? 0 : Eval(c.Arg, values, memo));
}
