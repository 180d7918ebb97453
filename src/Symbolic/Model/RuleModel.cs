using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Model;

/// <summary>The limits a derivation works within, each with its reason.</summary>
public static class DerivationLimits
{
    /// <summary>Default truncation order of the Fourier rule (cli.md).</summary>
    public const int DefaultOrder = 8;

    /// <summary>
    /// Highest truncation order. Exact coefficients of order n are polynomials of degree n whose rational
    /// constants grow like n!; beyond 64 the derivation costs seconds and the double-precision evaluation of
    /// such coefficients loses every digit for typical parameter values, so a higher order is refused.
    /// </summary>
    public const int MaxOrder = 64;
}

/// <summary>The coefficient of <c>t^Index</c> in K(t) (<c>kappa_n / n!</c>) and its derivative in each differentiable parameter.</summary>
public sealed record CoefficientSpec(ImmutableArray<int> Index, Expr Value, ImmutableArray<Expr> Derivatives)
{
    public int Degree => Index.Sum();
}

/// <summary>A latent component of a derived distribution: its own rule, written in the derived distribution's parameters.</summary>
public sealed record ComponentSpec(string Name, string Distribution, ImmutableArray<Expr> Arguments, bool IsIndexed, ImmutableArray<CoefficientSpec> Coefficients);

/// <summary>
/// The derived rule of one distribution: parameters, variables, and the exact coefficients
/// <c>c_n</c> and <c>a_{n,p} = d c_n / d theta_p</c> for every multi-index with <c>1 &lt;= |n| &lt;= Order</c>
/// in graded lexicographic order. A derived distribution (latent/value) has no coefficients of its own
/// but one <see cref="ComponentSpec"/> per latent.
/// </summary>
public sealed record RuleModel(
    string Name,
    BoundDistribution Declaration,
    ImmutableArray<BoundParameter> Parameters,
    ImmutableArray<BoundParameter> Differentiable,
    ImmutableArray<string> Variables,
    int Order,
    ImmutableArray<CoefficientSpec> Coefficients,
    ImmutableArray<ComponentSpec> Components)
{
    /// <summary>
    /// Per differentiable parameter (same order as <see cref="Differentiable"/>): the exact resummed rule, or
    /// why the truncated series stays. Empty for derived and multivariate distributions.
    /// </summary>
    public ImmutableArray<Resummation.ResummationOutcome> Resummation { get; init; } = [];

    /// <summary>K(tau) = log E[exp(tau z)] in closed form (variable <see cref="Series.ClosedFormCgf.Tau"/>), or null.</summary>
    public Expr? ClosedFormCgf { get; init; }

    /// <summary>Where K(tau) is finite: exact bounds in the parameters, or unknown with the reason.</summary>
    public Series.CgfDomain CgfDomain { get; init; } = Series.CgfDomain.Unknown("there is no closed-form K(tau)");

    /// <summary>
    /// The stable parts <c>-c(theta)|w|^alpha</c> of the characteristic exponent (src/Symbolic/Levy): empty for a law
    /// with a Taylor series. When not empty, <see cref="Coefficients"/> are those of the analytic part only, and the
    /// parameters of these parts are differentiated by Lévy generator rules (in <see cref="Resummation"/>), never by a series.
    /// </summary>
    public ImmutableArray<Levy.LevyTerm> Levy { get; init; } = [];

    /// <summary>Whether the law has no Taylor series at w = 0 (a stable part); its rules are generator rules.</summary>
    public bool HasLevyPart => !Levy.IsEmpty;

    public bool IsDerived => Components.Length > 0;

    /// <summary>Symbols to differentiate in: a vector parameter <c>alpha[K]</c> of a family appears as <c>alpha[j]</c>.</summary>
    public static Symbol DifferentiationSymbol(BoundParameter p) =>
        p.VectorSize is null ? p.Symbol : Ex.Sym(p.Name + "[j]", SymbolKind.Parameter);
}
