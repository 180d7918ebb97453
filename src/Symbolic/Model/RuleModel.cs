using ParameterInfo = SeriesCompiler.Runtime.Rules.ParameterInfo;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Symbolic.Model;

/// <summary>
/// The coefficient of <c>t^Index</c> in K(t) (<c>kappa_n / n!</c>) and its derivative in each differentiable parameter.
/// The series stage computes both exactly in its polynomial ring; the canonical expressions are built from them when
/// first read (<c>check</c> validates the coefficients without printing them, so it never reads them). Equality is by
/// value (index, value, derivatives).
/// </summary>
public sealed record CoefficientSpec
{
    private readonly Lazy<Expr> _value;
    private readonly Lazy<EquatableArray<Expr>> _derivatives;

    public CoefficientSpec(EquatableArray<int> Index, Expr Value, EquatableArray<Expr> Derivatives)
    {
        this.Index = Index;
        _value = new Lazy<Expr>(Value);
        _derivatives = new Lazy<EquatableArray<Expr>>(Derivatives);
    }

    /// <summary>A coefficient whose expressions are built on first read (from the series engine's exact polynomials).</summary>
    internal CoefficientSpec(EquatableArray<int> index, Func<Expr> value, Func<EquatableArray<Expr>> derivatives)
    {
        Index = index;
        _value = new Lazy<Expr>(value);
        _derivatives = new Lazy<EquatableArray<Expr>>(derivatives);
    }

    public EquatableArray<int> Index { get; }
    public Expr Value => _value.Value;
    public EquatableArray<Expr> Derivatives => _derivatives.Value;
    public int Degree => Index.Sum();

    public void Deconstruct(out EquatableArray<int> Index, out Expr Value, out EquatableArray<Expr> Derivatives) =>
        (Index, Value, Derivatives) = (this.Index, this.Value, this.Derivatives);

    public bool Equals(CoefficientSpec? other) =>
        other is not null && (ReferenceEquals(this, other) || (Index.Equals(other.Index) && Value.Equals(other.Value) && Derivatives.Equals(other.Derivatives)));

    public override int GetHashCode() => HashCode.Combine(Index, Value, Derivatives);
}

/// <summary>A latent component of a derived distribution: its own rule, written in the derived distribution's parameters.</summary>
public sealed record ComponentSpec(string Name, string Distribution, EquatableArray<Expr> Arguments, bool IsIndexed, EquatableArray<CoefficientSpec> Coefficients);

/// <summary>
/// A parameter and its constraint. <see cref="IsInteger"/> marks a fixed hyper-parameter (never differentiated);
/// <see cref="VectorSize"/> names the family size of a vector parameter (<c>alpha[K]</c>).
/// </summary>
public sealed record ParameterModel(
    string Name, Symbol Symbol, bool IsInteger, string? VectorSize,
    Rational? Lower, bool LowerInclusive, Rational? Upper, bool UpperInclusive, string ConstraintText)
{
    public bool IsDifferentiable => !IsInteger;

    /// <summary>The symbol to differentiate in: a vector parameter <c>alpha[K]</c> of a family appears as <c>alpha[j]</c>.</summary>
    public Symbol DifferentiationSymbol => VectorSize is null ? Symbol : Ex.Sym(Name + "[j]", SymbolKind.Parameter);

    /// <summary>
    /// The parameter as the generated class describes it to the runtime (bounds as their nearest doubles): the emitter
    /// writes this, and the command line checks <c>--at</c> values with its <see cref="ParameterInfo.Satisfies"/>.
    /// </summary>
    public ParameterInfo Info => new(Name, Lower?.ToDouble(), LowerInclusive, Upper?.ToDouble(), UpperInclusive, IsInteger, ConstraintText);
}

/// <summary>
/// A constraint on several parameters together: <c>Left Operator Right</c> as written (<see cref="Text"/>);
/// <see cref="Involved"/> are the positions in <see cref="RuleModel.Parameters"/> of the parameters it names.
/// </summary>
public sealed record JointConstraintModel(Expr Left, string Operator, Expr Right, string Text, EquatableArray<int> Involved);

/// <summary>
/// The support: its kind and dimension, and for an interval its ends, for a finite set its points, for an integer range
/// {LO .. HI} its two ends, each an exact expression of the parameters (Binomial's {0 .. n}).
/// </summary>
public sealed record SupportModel(SupportKind Kind, int Dimension, EquatableArray<Expr> Bounds)
{
    public bool IsFinite => Kind is SupportKind.FiniteSet or SupportKind.IntegerRange;
}

/// <summary>A primitive draw of the sampling program (<c>gamma(k)</c>), standing in the sample as the opaque <see cref="Symbol"/>.</summary>
public sealed record DrawModel(Symbol Symbol, string Kind, EquatableArray<Expr> Arguments);

/// <summary>
/// dg/dk of gamma draw number <see cref="Draw"/> (implicit reparameterisation), standing in the pathwise derivatives as
/// <see cref="Symbol"/>: the runtime supplies its value per sample.
/// </summary>
public sealed record ShapeDerivative(int Draw, Symbol Symbol);

/// <summary>
/// The pathwise derivative of the sample: <c>Dz[j * P + p] = d z_j / d theta_p</c> through the parameters and through the
/// gamma draws that depend on them (dg/dtheta = dg/dk dk/dtheta), written with the draws' and dg/dk's symbols.
/// </summary>
public sealed record PathwiseModel(EquatableArray<ShapeDerivative> ShapeDerivatives, EquatableArray<Expr> Dz);

/// <summary>
/// The sampler: the draws in order (a draw's arguments may name earlier draws) and z as expressions of parameters and
/// draws; <see cref="Pathwise"/> is null when a draw that is not a gamma draw depends on the parameters.
/// </summary>
public sealed record SamplerModel(EquatableArray<DrawModel> Draws, EquatableArray<Expr> Sample, PathwiseModel? Pathwise);

/// <summary>The log density log p(z) in the variable <see cref="Variable"/>, and the score d/dtheta_p log p(z) per differentiable parameter.</summary>
public sealed record DensityModel(Symbol Variable, Expr LogDensity, EquatableArray<Expr> Score);

/// <summary>
/// A latent of a derived distribution, <c>latent NAME ~ DIST(ARGS)</c>, with the Jacobian of its arguments:
/// <c>Jacobian[q][p] = d ARGS[q] / d theta_p</c> for every parameter p of the derived distribution (its differentiation symbol).
/// </summary>
public sealed record LatentModel(string Name, Symbol Symbol, string Distribution, EquatableArray<Expr> Arguments, bool IsIndexed,
    EquatableArray<EquatableArray<Expr>> Jacobian);

/// <summary>What a derived distribution (latent/value) is built from: its latents and the transform.</summary>
public sealed record DerivedModel(EquatableArray<LatentModel> Latents, Expr? Value);

/// <summary>
/// The complete, immutable description of one distribution's rule that the emitter renders and the runtime consumes,
/// every quantity an exact expression: parameters and constraints, the coefficients <c>c_n</c> and
/// <c>a_{n,p} = d c_n / d theta_p</c> for every multi-index with <c>1 &lt;= |n| &lt;= Order</c> in graded lexicographic
/// order, the closed-form K(tau) with its gradient and domain, the resummed rules, the support (finite points as
/// expressions of the parameters), the sampler with its pathwise derivative, the log density with its score. A derived
/// distribution has no coefficients of its own but one <see cref="ComponentSpec"/> per latent and its
/// <see cref="Derived"/> description. It holds no binder objects and compares by value: two compilations of the same
/// declaration give equal models.
/// </summary>
public sealed record RuleModel(
    string Name,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<ParameterModel> Differentiable,
    EquatableArray<string> Variables,
    int Order,
    EquatableArray<CoefficientSpec> Coefficients,
    EquatableArray<ComponentSpec> Components)
{
    /// <summary>The declaration's file name (no folder), for the generated code's header.</summary>
    public string SourceFile { get; init; } = "";

    /// <summary>How the declaration gave the law (<c>cf</c>, <c>logcf</c> or <c>cgf</c>), in its frequency variables, as written (bound).</summary>
    public CharacteristicKind? CharacteristicKind { get; init; }
    public EquatableArray<string> FrequencyVariables { get; init; } = [];
    public Expr? Characteristic { get; init; }

    public EquatableArray<JointConstraintModel> JointConstraints { get; init; } = [];

    public SupportModel? Support { get; init; }

    /// <summary>A family <c>NAME[K]</c>: the name of its size, and its index variable <c>j</c>; null otherwise.</summary>
    public string? FamilySize { get; init; }
    public Symbol? FamilyIndex { get; init; }

    public int Dimension => Support?.Dimension ?? 1;

    /// <summary>
    /// Per differentiable parameter (same order as <see cref="Differentiable"/>): the exact resummed rule, or
    /// why the truncated series stays. Empty for derived and multivariate distributions.
    /// </summary>
    public EquatableArray<ResummationOutcome> Resummation { get; init; } = [];

    /// <summary>K(tau) = log E[exp(tau z)] in closed form (variable <see cref="ClosedFormCgf.Tau"/>), or null.</summary>
    public Expr? ClosedFormCgf { get; init; }

    /// <summary>dK(tau)/dtheta_p per differentiable parameter; null where there is no closed form or it could not be differentiated.</summary>
    public EquatableArray<Expr>? ClosedFormCgfGradient { get; init; }

    /// <summary>Where K(tau) is finite: exact bounds in the parameters, or unknown with the reason.</summary>
    public CgfDomain CgfDomain { get; init; } = CgfDomain.Unknown("there is no closed-form K(tau)");

    /// <summary>The sampling program, or null when the declaration has none.</summary>
    public SamplerModel? Sampler { get; init; }

    /// <summary>The log density and the score, or null when the declaration has no <c>logpdf</c>.</summary>
    public DensityModel? Density { get; init; }

    /// <summary>For a derived distribution, its latents and transform; null otherwise.</summary>
    public DerivedModel? Derived { get; init; }

    /// <summary>
    /// Whether the parts only code generation needs are filled in (<see cref="ClosedFormCgfGradient"/>, <see cref="Sampler"/>,
    /// <see cref="Density"/>, <see cref="Derived"/>): <see cref="Workspace.Derive(BoundDistribution, int)"/> leaves them out, <see cref="Workspace.Model"/>
    /// gives them, and the emitter renders only a complete model.
    /// </summary>
    public bool IsComplete { get; init; }

    /// <summary>
    /// The stable parts <c>-c(theta)|w|^alpha</c> of the characteristic exponent (src/Symbolic/Levy): empty for a law
    /// with a Taylor series. When not empty, <see cref="Coefficients"/> are those of the analytic part only, and the
    /// parameters of these parts are differentiated by Lévy generator rules (in <see cref="Resummation"/>), never by a series.
    /// </summary>
    public EquatableArray<Levy.LevyTerm> Levy { get; init; } = EquatableArray.Create<Levy.LevyTerm>([]);

    /// <summary>Whether the law has no Taylor series at w = 0 (a stable part); its rules are generator rules.</summary>
    public bool HasLevyPart => !Levy.IsEmpty;

    public bool IsDerived => Components.Length > 0;

    /// <summary>Symbols to differentiate in: a vector parameter <c>alpha[K]</c> of a family appears as <c>alpha[j]</c>.</summary>
    public static Symbol DifferentiationSymbol(ParameterModel p) => p.DifferentiationSymbol;
}
