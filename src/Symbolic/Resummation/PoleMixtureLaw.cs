using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;

namespace SeriesCompiler.Symbolic.Resummation;

/// <summary>
/// U = Scale * X / K, the mixture over the poles of a meromorphic factor (<see cref="PoleExpansions"/>): K on 1, 2, 3, ...
/// (or the odd integers) with P(K = k) = k^-ZetaPower / (sum over the lattice), X ~ Gamma(Shape, 1) or Laplace(0, 1),
/// independent. Given K = k, E[e^{tU}] is the kernel's MGF at Scale t / k: one pole term of the expansion.
/// </summary>
public sealed record PoleMixtureLaw(Expr Scale, PoleKernel Kernel, int Shape, int ZetaPower, bool OddOnly) : AuxiliaryLaw
{
    /// <summary>Degree of the moment series <see cref="Mgf"/> returns; above every order the resummation check reads.</summary>
    public const int MomentOrder = Resummer.CheckOrder + 2;

    /// <summary>
    /// E[e^{tU}] as its moment series to <see cref="MomentOrder"/>: sum_n t^n Scale^n E[X^n] E[K^-n] / n!, with
    /// E[X^n] = Shape (Shape + 1) ... (Shape + n - 1) (Gamma) or n! for even n and 0 for odd n (Laplace), and
    /// E[K^-n] = zeta(ZetaPower + n) / zeta(ZetaPower) over the lattice. This comes from the law itself, not from the
    /// pole expansion, so comparing it with the series of dK/dtheta checks the expansion. (A closed form would be the
    /// function being expanded; the series is exact to every order the check reads.)
    /// </summary>
    public override Expr Mgf(Symbol t)
    {
        var terms = new List<Expr>();
        var normaliser = PoleComponent.LatticeZeta(ZetaPower, OddOnly);
        for (int n = 0; n <= MomentOrder; n++)
        {
            var moment = KernelMoment(n);
            if (moment.IsZero) continue;
            var inverseIndex = Ex.Div(PoleComponent.LatticeZeta(ZetaPower + n, OddOnly), normaliser);
            terms.Add(Ex.Mul(Ex.Num(moment / Rational.Factorial(n)), inverseIndex, Ex.Pow(Scale, n), Ex.Pow(t, n)));
        }
        return Ex.Add(terms.ToArray());
    }

    /// <summary>E[X^n]: rising factorial of the shape (Gamma), n! for even n and 0 for odd n (Laplace).</summary>
    private Rational KernelMoment(int n)
    {
        if (Kernel == PoleKernel.Laplace) return n % 2 == 0 ? Rational.Factorial(n) : Rational.Zero;
        Rational m = Rational.One;
        for (int i = 0; i < n; i++) m *= Shape + i;
        return m;
    }

    public override string Describe()
    {
        string x = Kernel == PoleKernel.Laplace ? "Laplace(0,1)" : Shape == 1 ? "Exp(1)" : $"Gamma({Shape})";
        string k = OddOnly ? $"K odd, P(K=k) ~ k^-{ZetaPower}" : $"K ~ Zeta({ZetaPower})";
        return $"({Scale})*{x}/K, {k}";
    }
}
