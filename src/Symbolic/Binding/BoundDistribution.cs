using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Binding;

public enum CharacteristicKind { Cf, LogCf, Cgf }

public enum SupportKind { Real, Positive, Interval, FiniteSet, IntegerRange, Naturals, Integers, Simplex }

/// <summary>The support of a distribution: its kind, dimension, and for intervals and sets their bounds or elements.</summary>
public sealed record BoundSupport(SupportKind Kind, int Dimension, ImmutableArray<Expr> Bounds)
{
    public bool IsDiscrete => Kind is SupportKind.FiniteSet or SupportKind.IntegerRange or SupportKind.Naturals or SupportKind.Integers;
    public override string ToString() => Kind switch
    {
        SupportKind.Interval => $"({Bounds[0]}, {Bounds[1]})",
        SupportKind.FiniteSet => "{" + string.Join(", ", Bounds) + "}",
        SupportKind.IntegerRange => $"{{{Bounds[0]} .. {Bounds[1]}}}",
        _ => Kind.ToString().ToLowerInvariant() + (Dimension > 1 ? "^" + Dimension : ""),
    };
}

/// <summary>
/// A parameter and its constraint. <see cref="IsInteger"/> marks a fixed hyper-parameter (never differentiated);
/// <see cref="VectorSize"/> names the family size of a vector parameter (<c>alpha[K]</c>).
/// </summary>
public sealed record BoundParameter(
    string Name,
    Symbol Symbol,
    bool IsInteger,
    string? VectorSize,
    Rational? Lower,
    bool LowerInclusive,
    Rational? Upper,
    bool UpperInclusive,
    TextSpan Span)
{
    /// <summary>
    /// The declaration's joint constraints that name this parameter (<c>constraint p1 + p2 &lt; 1</c> for p1 and p2),
    /// so that whoever checks a parameter list checks them too.
    /// </summary>
    public ImmutableArray<BoundJointConstraint> JointConstraints { get; init; } = [];

    /// <summary>
    /// <c>levy(x) = DENSITY</c> (a project extension, docs/language.md): the density of a symmetric Lévy measure whose
    /// exponent INT (e^{iwx} - 1 - iwx 1{|x| &lt;= 1}) nu(dx) is added to the characteristic exponent; null when not given.
    /// </summary>
    public BoundLevyDensity? LevyDensity { get; init; }

    public bool IsDifferentiable => !IsInteger;

    /// <summary>The constraint in the language's words, e.g. <c>k > 0</c> or <c>p in (0, 1)</c>.</summary>
    public string ConstraintText
    {
        get
        {
            string integer = IsInteger ? "integer " : "";
            if (Lower is { } lo && Upper is { } hi)
                return $"{Name} in {(LowerInclusive ? "[" : "(")}{lo}, {hi}{(UpperInclusive ? "]" : ")")}";
            if (Lower is { } l) return $"{Name} {(IsInteger ? ": " + integer : "")}{(LowerInclusive ? ">=" : ">")} {l}";
            if (Upper is { } u) return $"{Name} {(UpperInclusive ? "<=" : "<")} {u}";
            return IsInteger ? $"{Name} : integer" : Name;
        }
    }
}

/// <summary>A primitive draw of a sampling program, standing in the expression as an opaque symbol.</summary>
public sealed record BoundDraw(Symbol Symbol, string Kind, ImmutableArray<Expr> Arguments);

/// <summary>A component of a derived distribution: <c>latent NAME ~ DIST(ARGS)</c>.</summary>
public sealed record BoundLatent(string Name, Symbol Symbol, string Distribution, ImmutableArray<Expr> Arguments, bool IsIndexed, TextSpan Span, TextSpan DistributionSpan);

/// <summary>One declaration after name resolution: everything the derivation and the emitter need, no syntax.</summary>
public sealed record BoundDistribution(
    string Name,
    SourceText Source,
    TextSpan NameSpan,
    string? FamilySize,
    Symbol? FamilyIndex,
    ImmutableArray<BoundParameter> Parameters,
    BoundSupport? Support,
    CharacteristicKind? CharacteristicKind,
    ImmutableArray<Symbol> FrequencyVariables,
    Expr? Characteristic,
    TextSpan CharacteristicSpan,
    Symbol? DensityVariable,
    Expr? LogDensity,
    ImmutableArray<Expr> Sample,
    ImmutableArray<BoundDraw> Draws,
    ImmutableArray<BoundLatent> Latents,
    Expr? Value)
{
    /// <summary>Constraints on several parameters together (<c>constraint p1 + p2 &lt; 1</c>), in declaration order.</summary>
    public ImmutableArray<BoundJointConstraint> JointConstraints { get; init; } = [];

    /// <summary>
    /// <c>levy(x) = DENSITY</c> (a project extension, docs/language.md): the density of a symmetric Lévy measure whose
    /// exponent INT (e^{iwx} - 1 - iwx 1{|x| &lt;= 1}) nu(dx) is added to the characteristic exponent; null when not given.
    /// </summary>
    public BoundLevyDensity? LevyDensity { get; init; }

    public bool IsDerived => Latents.Length > 0;
    public int Dimension => Support?.Dimension ?? 1;
}

/// <summary>A declared Lévy density: the variable, the density in it, and where the statement stands.</summary>
public sealed record BoundLevyDensity(Symbol Variable, Expr Density, TextSpan Span);
