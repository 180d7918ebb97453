using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Functions;

/// <summary>The law of X in a pole term's shift <c>U = Scale * X / K</c>.</summary>
public enum PoleKernel
{
    /// <summary>X ~ Gamma(Shape, 1): E[e^{sX}] = (1 - s)^-Shape, one pole of order Shape at s = 1.</summary>
    Gamma,
    /// <summary>X ~ Laplace(0, 1): E[e^{sX}] = 1/(1 - s^2), the symmetric pair of simple poles at s = +-1.</summary>
    Laplace,
}

/// <summary>
/// One sum over poles, <c>Weight x^Power E_K[ E[e^{x Scale X / K}] ]</c>: K is drawn on 1, 2, 3, ... (or the odd
/// integers) with P(K = k) proportional to k^-ZetaPower; Weight is the sum of the (positive) weights, so a residue sum
/// sum_k w k^-ZetaPower g(x/k) becomes Weight E[g(x/K)].
/// </summary>
public sealed record PoleComponent(Expr Weight, int Power, Expr Scale, PoleKernel Kernel, int Shape, int ZetaPower, bool OddOnly)
{
    /// <summary>sum of k^-s over the component's lattice: zeta(s), or (1 - 2^-s) zeta(s) over the odd integers.</summary>
    public static Expr LatticeZeta(int s, bool oddOnly) =>
        oddOnly ? Ex.Mul(Ex.Num(1 - Rational.One / ((Rational)2).Pow(s)), Ex.Zeta(s)) : Ex.Zeta(s);
}

/// <summary>
/// The Mittag-Leffler (pole) expansion of one meromorphic function F near x = 0, written so that each pole term is a
/// moment generating function of the resummation catalogue: <c>x^Lead F(x) = Constant + sum of components</c>. A
/// function whose poles lie off the real t axis (tanh of a real multiple of t) has no such form: <see cref="Refusal"/>.
/// </summary>
public sealed record PoleExpansion(string Name, int Lead, Expr Constant, ImmutableArray<PoleComponent> Components, string Derivation, string? Refusal = null)
{
    public bool Equals(PoleExpansion? other) => other is not null && Name == other.Name;
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// The pole table the resummation pass reads (<c>PoleResummer</c>): digamma and polygamma at 1 + x, and the
/// trigonometric quotients cot, tan, csc of a real multiple of t; sec and the hyperbolic forms are listed with the
/// reason they give no rule. Each entry's derivation is in its comment and in <see cref="PoleExpansion.Derivation"/>.
/// </summary>
public static class PoleExpansions
{
    private static readonly Expr InversePi = Ex.Pow(Ex.Pi, -1);

    /// <summary>
    /// psi(1 + x) = -gamma + sum_k x/(k (k + x)) = -gamma + x sum_k k^-2 (1 + x/k)^-1 = -gamma + zeta(2) x E[e^{-x E/K}],
    /// E ~ Exp(1), P(K = k) = k^-2/zeta(2).
    /// </summary>
    public static readonly PoleExpansion Digamma = new("digamma(1 + x)", 0, Ex.Neg(Ex.EulerGamma),
        [new PoleComponent(Ex.Zeta(2), 1, Ex.MinusOne, PoleKernel.Gamma, 1, 2, false)],
        "psi(1+x) = -gamma + sum_k x/(k(k+x)); x/(k(k+x)) = (x/k^2) (1 + x/k)^-1, the Exp(1) MGF at -x/k");

    /// <summary>
    /// psi^(m)(1 + x) = (-1)^(m+1) m! sum_k (k + x)^-(m+1) = (-1)^(m+1) m! zeta(m+1) E[(1 + x/K)^-(m+1)]: each pole of
    /// order m + 1 is the MGF of -G/K, G ~ Gamma(m + 1), P(K = k) = k^-(m+1)/zeta(m+1).
    /// </summary>
    public static PoleExpansion Polygamma(int m)
    {
        if (m == 0) return Digamma;
        var sign = m % 2 == 1 ? Rational.One : Rational.MinusOne;
        return new($"polygamma({m}, 1 + x)", 0, Ex.Zero,
            [new PoleComponent(Ex.Mul(Ex.Num(sign * Rational.Factorial(m)), Ex.Zeta(m + 1)), 0, Ex.MinusOne, PoleKernel.Gamma, m + 1, m + 1, false)],
            $"psi^({m})(1+x) = (-1)^({m}+1) {m}! sum_k (k+x)^-{m + 1}; (k+x)^-{m + 1} = k^-{m + 1} (1 + x/k)^-{m + 1}, the Gamma({m + 1}) MGF at -x/k");
    }

    /// <summary>
    /// x cot x = 1 - sum_k 2x^2/(k^2 pi^2 - x^2) = 1 - (2 x^2/pi^2) sum_k k^-2 / (1 - (x/(pi k))^2)
    /// = 1 - (x^2/3) E[e^{x L/(pi K)}], L ~ Laplace(0, 1), P(K = k) = 6/(pi^2 k^2) (2 zeta(2)/pi^2 = 1/3).
    /// </summary>
    public static readonly PoleExpansion Cot = new("cot(x)", 1, Ex.One,
        [new PoleComponent(Ex.Mul(Ex.Num(-2), Ex.Pow(Ex.Pi, -2), Ex.Zeta(2)), 2, InversePi, PoleKernel.Laplace, 1, 2, false)],
        "x cot x = 1 - sum_k 2x^2/(k^2 pi^2 - x^2); each pair of poles +-k pi is (2x^2/(pi k)^2) times the Laplace(0,1) MGF at x/(pi k)");

    /// <summary>
    /// tan x = sum_k 2x/(((k - 1/2) pi)^2 - x^2) = (8x/pi^2) sum_{j odd} j^-2 / (1 - (2x/(pi j))^2) = x E[e^{2x L/(pi J)}],
    /// L ~ Laplace(0, 1), J odd with P(J = j) = 8/(pi^2 j^2) (sum over odd j of j^-2 is pi^2/8).
    /// </summary>
    public static readonly PoleExpansion Tan = new("tan(x)", 0, Ex.Zero,
        [new PoleComponent(Ex.Mul(Ex.Num(8), Ex.Pow(Ex.Pi, -2), PoleComponent.LatticeZeta(2, true)), 1, Ex.Mul(Ex.Num(2), InversePi), PoleKernel.Laplace, 1, 2, true)],
        "tan x = sum_k 2x/(((k-1/2)pi)^2 - x^2); the poles +-(j pi/2), j odd, pair into (8x/(pi j)^2) times the Laplace(0,1) MGF at 2x/(pi j)");

    /// <summary>
    /// x csc x = 1 + sum_k (-1)^(k+1) 2x^2/(k^2 pi^2 - x^2): the signs alternate, so odd and even k are two mixtures of
    /// opposite sign, each with positive weights: + (2x^2/pi^2) sum_{j odd} j^-2/(1 - (x/(pi j))^2) = (x^2/4) E[e^{x L/(pi J)}]
    /// and - (2x^2/pi^2) sum_m (2m)^-2/(1 - (x/(2 pi m))^2) = -(x^2/12) E[e^{x L/(2 pi K)}].
    /// </summary>
    public static readonly PoleExpansion Csc = new("csc(x)", 1, Ex.One,
        [
            new PoleComponent(Ex.Mul(Ex.Num(2), Ex.Pow(Ex.Pi, -2), PoleComponent.LatticeZeta(2, true)), 2, InversePi, PoleKernel.Laplace, 1, 2, true),
            new PoleComponent(Ex.Mul(Ex.Num(-2, 4), Ex.Pow(Ex.Pi, -2), Ex.Zeta(2)), 2, Ex.Mul(Ex.Half, InversePi), PoleKernel.Laplace, 1, 2, false),
        ],
        "x csc x = 1 + sum_k (-1)^(k+1) 2x^2/(k^2 pi^2 - x^2); odd k and even k = 2m are two Laplace mixtures of opposite sign");

    /// <summary>sec x = sum_k (-1)^(k+1) (2k-1) pi/(((k-1/2) pi)^2 - x^2): weights ~ 1/j with alternating signs sum only conditionally.</summary>
    public static readonly PoleExpansion Sec = new("sec(x)", 0, Ex.One, [],
        "sec x = sum_k (-1)^(k+1) (2k-1) pi/(((k-1/2)pi)^2 - x^2)",
        "the pole expansion of sec(x) has weights of size 1/j with alternating signs, which sum only conditionally: no mixture of auxiliary laws");

    /// <summary>tanh, coth, sech, csch of a real multiple of t: poles at imaginary t, and 1/(1 + c^2 t^2) is no moment generating function.</summary>
    public static PoleExpansion Hyperbolic(string name) => new(name, 0, Ex.Zero, [], $"{name} has its poles on the imaginary axis",
        $"the poles of {name} lie on the imaginary t axis: each pole pair gives 1/(1 + c^2 t^2), which is the moment generating function of no real law");

    /// <summary>Every entry, for the documentation and the tests.</summary>
    public static ImmutableArray<PoleExpansion> All { get; } = [Digamma, Polygamma(1), Cot, Tan, Csc, Sec, Hyperbolic("tanh(x)")];
}
