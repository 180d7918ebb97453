using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Symbolic.Levy;

/// <summary>
/// The near-zero proposal of a Lévy generator rule: U = T X with T = V1 - V2 (density 1 - |t| on (-1, 1)) and
/// X = V3^(1/(2 - Alpha)) (density (2 - Alpha) x^(1 - Alpha) on (0, 1)), V1, V2, V3 ~ U(0, 1). Then
/// <c>INT_0^1 [f(z+x) + f(z-x) - 2 f(z)] x^(-1-Alpha) dx = E[f''(z + T X)] / (2 - Alpha)</c> (docs/exact-rules.md).
/// </summary>
public sealed record LevyNearLaw(Rational Alpha) : AuxiliaryLaw
{
    /// <summary>
    /// U is bounded, so E[e^{tU}] is its moment series, here to <see cref="Resummer.CheckOrder"/> + 2:
    /// E[U^n] = E[T^n] E[X^n] with E[T^n] = 2/((n+1)(n+2)) for even n (0 for odd n) and E[X^n] = (2-Alpha)/(n+2-Alpha).
    /// </summary>
    public override Expr Mgf(Symbol t)
    {
        var terms = new List<Expr>();
        for (int n = 0; n <= Resummer.CheckOrder + 2; n += 2)
        {
            var moment = new Rational(2, (n + 1) * (n + 2)) * ((2 - Alpha) / (n + 2 - Alpha));
            terms.Add(Ex.Mul(Ex.Num(moment / Rational.Factorial(n)), Ex.Pow(t, n)));
        }
        return Ex.Add(terms.ToArray());
    }

    public override string Describe() => $"(V1 - V2)*V3^({1 / (2 - Alpha)})";
}

/// <summary>
/// The tail proposal of a Lévy generator rule: U = S Y with S = ±1 with probability 1/2 each and Y = V^(-1/Alpha),
/// V ~ U(0, 1) (Pareto: density Alpha y^(-1-Alpha) on (1, inf)). Then
/// <c>INT_1^inf [f(z+y) + f(z-y) - 2 f(z)] y^(-1-Alpha) dy = (2/Alpha) E[f(z + S Y) - f(z)]</c>.
/// </summary>
public sealed record LevyTailLaw(Rational Alpha) : AuxiliaryLaw
{
    /// <summary>U has the tail y^-Alpha: E[e^{tU}] is infinite for every real t != 0, so there is no series to compare.</summary>
    public override Expr Mgf(Symbol t) =>
        throw new NotAnalyticException($"S*Pareto({Alpha}) has tails y^-{Alpha}: its moment generating function is infinite for every t != 0");

    public override string Describe() => $"±V^(-{1 / Alpha})";
}
