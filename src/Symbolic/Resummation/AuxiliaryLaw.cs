using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Resummation;

/// <summary>
/// An auxiliary random variable U, independent of z, whose moment generating function E[e^{tU}] appears
/// as a factor of dK/dtheta: then t^j E[e^{tU}] E[e^{tz}] is the transform of f^(j)(z + U).
/// </summary>
public abstract record AuxiliaryLaw
{
    /// <summary>E[e^{tU}] in closed form, used to verify a rewriting against the series it replaces.</summary>
    public abstract Expr Mgf(Symbol t);

    /// <summary>How people read it: <c>Laplace(0, b)</c>, <c>mu*V*E</c>.</summary>
    public abstract string Describe();

    /// <summary>Whether U takes integer values only (a lattice shift: no derivative of f is needed).</summary>
    public virtual bool IsLattice => false;
}

/// <summary>U = 0.</summary>
public sealed record ZeroLaw : AuxiliaryLaw
{
    public static readonly ZeroLaw Instance = new();
    public override Expr Mgf(Symbol t) => Ex.One;
    public override string Describe() => "0";
    public override bool IsLattice => true;
}

/// <summary>U = c, a constant shift: E[e^{tU}] = e^{ct}.</summary>
public sealed record ShiftLaw(Expr Shift) : AuxiliaryLaw
{
    public override Expr Mgf(Symbol t) => Ex.Exp(Ex.Mul(Shift, t));
    public override string Describe() => Shift.ToString();
    public override bool IsLattice => Shift is Number { IsReal: true } n && n.Re.IsInteger;
}

/// <summary>U = Scale * G, G ~ Gamma(Shape, 1) (Scale may be negative): E[e^{tU}] = (1 - Scale t)^-Shape.</summary>
public sealed record GammaLaw(Expr Shape, Expr Scale) : AuxiliaryLaw
{
    public override Expr Mgf(Symbol t) => Ex.Pow(Ex.Sub(Ex.One, Ex.Mul(Scale, t)), Ex.Neg(Shape));
    public override string Describe() => Shape.IsOne ? $"({Scale})*Exp(1)" : $"({Scale})*Gamma({Shape})";
}

/// <summary>
/// U = Scale * V * E with V ~ U(0, 1), E ~ Exp(1): E[e^{tU}] = E_V[1/(1 - Scale V t)] = -log(1 - Scale t)/(Scale t),
/// the uniform mixture that turns a logarithm into a moment generating function.
/// </summary>
public sealed record UniformExponentialLaw(Expr Scale) : AuxiliaryLaw
{
    public override Expr Mgf(Symbol t) =>
        Ex.Div(Ex.Neg(Ex.Log(Ex.Sub(Ex.One, Ex.Mul(Scale, t)))), Ex.Mul(Scale, t));
    public override string Describe() => $"({Scale})*U(0,1)*Exp(1)";
}

/// <summary>M ~ Logarithmic(q) on 1, 2, ...: P(M = m) = -q^m / (m log(1 - q)); E[e^{tM}] = log(1 - q e^t) / log(1 - q).</summary>
public sealed record LogarithmicLaw(Expr Q) : AuxiliaryLaw
{
    public override Expr Mgf(Symbol t) =>
        Ex.Div(Ex.Log(Ex.Sub(Ex.One, Ex.Mul(Q, Ex.Exp(t)))), Ex.Log(Ex.Sub(Ex.One, Q)));
    public override string Describe() => $"Logarithmic({Q})";
    public override bool IsLattice => true;
}

/// <summary>G ~ Geometric(q) on 0, 1, ...: P(G = g) = (1 - q) q^g; E[e^{tG}] = (1 - q) / (1 - q e^t).</summary>
public sealed record GeometricLaw(Expr Q) : AuxiliaryLaw
{
    public override Expr Mgf(Symbol t) =>
        Ex.Div(Ex.Sub(Ex.One, Q), Ex.Sub(Ex.One, Ex.Mul(Q, Ex.Exp(t))));
    public override string Describe() => $"Geometric({Q})";
    public override bool IsLattice => true;
}

/// <summary>U = U_1 + U_2 + ..., independent: the product of the generating functions (Laplace = b E1 - b E2).</summary>
public sealed record SumLaw(ImmutableArray<AuxiliaryLaw> Parts) : AuxiliaryLaw
{
    public override Expr Mgf(Symbol t) => Ex.Mul(Parts.Select(p => p.Mgf(t)).ToArray());
    public override string Describe() => IsLaplace(out var b) ? $"Laplace(0, {b})" : string.Join(" + ", Parts.Select(p => p.Describe()));
    public override bool IsLattice => Parts.All(p => p.IsLattice);

    public bool Equals(SumLaw? other) => other is not null && Parts.SequenceEqual(other.Parts);
    public override int GetHashCode() => Parts.Aggregate(17, (h, p) => h * 31 + p.GetHashCode());

    /// <summary>b*Exp(1) - b*Exp(1) independent is Laplace(0, b).</summary>
    public bool IsLaplace(out Expr scale)
    {
        scale = Ex.Zero;
        if (Parts is [GammaLaw { Shape: Number s1 } a, GammaLaw { Shape: Number s2 } b] && s1.IsOne && s2.IsOne && a.Scale.Equals(Ex.Neg(b.Scale)))
        {
            scale = a.Scale is Product { Args: [Number { Re.Sign: < 0 }, ..] } ? b.Scale : a.Scale;
            return true;
        }
        return false;
    }
}

/// <summary>One term of a resummed rule: <c>Coefficient(theta) * E[ f^(Derivative)(z + U) ]</c>, U ~ Law.</summary>
public sealed record ResummedTerm(Expr Coefficient, int Derivative, AuxiliaryLaw Law)
{
    public override string ToString()
    {
        string f = Derivative switch { 0 => "f", 1 => "f'", 2 => "f''", _ => $"f^({Derivative})" };
        string arg = Law is ZeroLaw ? "z" : $"z + {Law.Describe()}";
        return $"{Coefficient} * E[{f}({arg})]";
    }
}

/// <summary>The whole series of one parameter, summed: dL/dtheta_p = sum of the terms, exactly.</summary>
public sealed record ResummedRule(string Parameter, ImmutableArray<ResummedTerm> Terms)
{
    public bool Equals(ResummedRule? other) => other is not null && Parameter == other.Parameter && Terms.SequenceEqual(other.Terms);
    public override int GetHashCode() => HashCode.Combine(Parameter, Terms.Length);
    /// <summary>Reads as the user would write it: C * E[f(z + U) - f(z)] when the series is a lattice shift rule.</summary>
    public override string ToString()
    {
        if (Terms is [var a, var b] && a.Derivative == 0 && b.Derivative == 0 && (a.Law is ZeroLaw || b.Law is ZeroLaw))
        {
            var (zero, shifted) = a.Law is ZeroLaw ? (a, b) : (b, a);
            if (Ex.Add(zero.Coefficient, shifted.Coefficient).IsZero)
                return $"{shifted.Coefficient} * E[f(z + {shifted.Law.Describe()}) - f(z)]";
        }
        return string.Join(" + ", Terms.Select(t => t.ToString()));
    }
}
