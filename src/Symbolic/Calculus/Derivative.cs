using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;

namespace SeriesCompiler.Symbolic.Calculus;

/// <summary>Symbolic differentiation: one rule per node kind in one switch; a call's outer derivative is its registry entry's.</summary>
public static class Derivative
{
    public static Expr Of(Expr e, Symbol x)
    {
        var memo = new Dictionary<Expr, Expr>();
        return D(e, x, memo);
    }

    private static Expr D(Expr e, Symbol x, Dictionary<Expr, Expr> memo)
    {
        if (!e.Contains(x)) return Ex.Zero;
        if (memo.TryGetValue(e, out var known)) return known;
        Expr result;
        switch (e)
        {
            // dx/dx = 1
            case Symbol: result = Ex.One; break;

            // (u + v)' = u' + v'
            case Sum s:
            {
                var terms = new Expr[s.Args.Length];
                for (int i = 0; i < terms.Length; i++) terms[i] = D(s.Args[i], x, memo);
                result = Ex.Add(terms);
                break;
            }

            // (u v w)' = u' v w + u v' w + u v w'
            case Product p:
            {
                var terms = new List<Expr>();
                for (int i = 0; i < p.Args.Length; i++)
                {
                    var di = D(p.Args[i], x, memo);
                    if (di.IsZero) continue;
                    var factors = p.Args.ToArray();
                    factors[i] = di;
                    terms.Add(Ex.Mul(factors));
                }
                result = Ex.Add(terms.ToArray());
                break;
            }

            case Power p when !p.Exponent.Contains(x):
                // (u^c)' = c u^(c-1) u'
                result = Ex.Mul(p.Exponent, Ex.Pow(p.Base, Ex.Sub(p.Exponent, Ex.One)), D(p.Base, x, memo));
                break;

            case Power p:
                // (u^v)' = u^v (v' log u + v u'/u)
                result = Ex.Mul(p, Ex.Add(
                    Ex.Mul(D(p.Exponent, x, memo), Ex.Log(p.Base)),
                    Ex.Mul(p.Exponent, D(p.Base, x, memo), Ex.Pow(p.Base, Ex.MinusOne))));
                break;

            case Call c:
                result = Ex.Mul(Outer(c), D(c.Arg, x, memo));
                break;

            default:
                result = Ex.Zero;
                break;
        }
        memo[e] = result;
        return result;
    }

    /// <summary>F'(u) for a call F(u), from the function's registry entry (one rule per function there); the chain rule supplies the u'.</summary>
    private static Expr Outer(Call c) => FunctionRegistry.Node(c.Function).Derivative(c);
}
