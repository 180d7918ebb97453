using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Calculus;

/// <summary>Symbolic differentiation: the whole table in one switch, one rule per node kind.</summary>
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

    /// <summary>F'(u) for a call F(u): the chain rule supplies the u'.</summary>
    private static Expr Outer(Call c)
    {
        var u = c.Arg;
        return c.Function switch
        {
            Function.Exp => c,                                                       // exp' = exp
            Function.Log => Ex.Pow(u, Ex.MinusOne),                                  // log' = 1/u
            Function.Sin => Ex.Cos(u),                                               // sin' = cos
            Function.Cos => Ex.Neg(Ex.Sin(u)),                                       // cos' = -sin
            Function.Tan => Ex.Add(Ex.One, Ex.Pow(c, 2)),                            // tan' = 1 + tan^2
            Function.Sinh => Ex.Cosh(u),                                             // sinh' = cosh
            Function.Cosh => Ex.Sinh(u),                                             // cosh' = sinh
            Function.Tanh => Ex.Sub(Ex.One, Ex.Pow(c, 2)),                           // tanh' = 1 - tanh^2
            Function.Atan => Ex.Pow(Ex.Add(Ex.One, Ex.Pow(u, 2)), Ex.MinusOne),      // atan' = 1/(1 + u^2)
            Function.LogGamma => Ex.Polygamma(0, u),                                 // lgamma' = psi
            Function.Polygamma => Ex.Polygamma(Ex.IntegerValue(c.Args[0]) + 1, u),   // psi^(m)' = psi^(m+1)
            Function.Abs => Ex.Sign(u),                                              // |u|' = sign(u), almost everywhere
            Function.Sign => Ex.Zero,                                                // sign' = 0, almost everywhere
            Function.Zeta => Ex.Zero,                                                // a constant
            _ => throw new InvalidOperationException($"no derivative rule for {c.Function}"),
        };
    }
}
