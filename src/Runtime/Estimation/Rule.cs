using System.Collections.Immutable;
using SeriesCompiler.Runtime.Rules;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>The points of a finite support for given parameter values (one copy's theta).</summary>
public delegate double[] SupportPoints(ReadOnlySpan<double> theta);

/// <summary>
/// A rule that knows its finite support as a function of its parameters (Binomial's <c>{0 .. n}</c>): generated
/// classes implement it in plain code, so the runtime needs no reflection and no symbolic evaluation to find it.
/// </summary>
public interface IFiniteSupport
{
    /// <summary>The support's points at theta (one copy), or null when the support is not a finite set.</summary>
    double[]? FiniteSupport(ReadOnlySpan<double> theta);
}

/// <summary>
/// A distribution ready for the estimators: a generated rule (<see cref="IDistributionRule"/>), or a derived
/// distribution (<see cref="IDerivedRule"/>: Beta, Dirichlet) with the rules of its latent components, plus what the
/// declaration says about its support. Load one with <c>Rules.Load("gamma")</c> / <c>Rules.Compile("my.dist")</c>
/// (SeriesCompiler.Emit.Loading), or wrap a build-time generated class with <see cref="From(IDistributionRule, SupportPoints?)"/>.
/// </summary>
/// <remarks>
/// Parameter vectors <c>theta</c> hold every declared parameter in declaration order (a family's vector parameter as
/// K consecutive slots). Gradients hold the differentiable ones: for a generated rule those of
/// <see cref="IDistributionRule.Differentiable"/>, for a derived distribution every slot.
/// </remarks>
public sealed class Rule
{
    private readonly SupportPoints? _supportPoints;
    private readonly ImmutableArray<bool> _vectorParameters;

    private Rule(string name, IDistributionRule? direct, IDerivedRule? derived, ImmutableArray<IDistributionRule> latentRules,
        SupportKind support, SupportPoints? supportPoints, ImmutableArray<bool> vectorParameters)
    {
        Name = name;
        Direct = direct;
        Derived = derived;
        LatentRules = latentRules;
        Support = support;
        _supportPoints = supportPoints;
        _vectorParameters = vectorParameters;
    }

    /// <summary>The distribution's declared name.</summary>
    public string Name { get; }

    /// <summary>The generated rule, for a distribution declared by its characteristic function.</summary>
    public IDistributionRule? Direct { get; }

    /// <summary>The derived rule, for a distribution declared through <c>latent</c>/<c>value</c>.</summary>
    public IDerivedRule? Derived { get; }

    /// <summary>For a derived distribution, the rule of each of <see cref="IDerivedRule.Latents"/>, in order.</summary>
    public ImmutableArray<IDistributionRule> LatentRules { get; }

    public bool IsDerived => Derived is not null;

    /// <summary>The support as declared.</summary>
    public SupportKind Support { get; }

    public IReadOnlyList<ParameterInfo> Parameters => Direct?.Parameters ?? Derived!.Parameters;

    /// <summary>Whether the support is a set of integers (Theorem 2 and the shift rules apply instead of derivatives).</summary>
    public bool IsDiscrete => Support is SupportKind.FiniteSet or SupportKind.IntegerRange or SupportKind.Naturals or SupportKind.Integers;

    /// <summary>The highest truncation order the rule (or every latent rule) was compiled to.</summary>
    public int Order => Direct?.Order ?? LatentRules.Min(r => r.Order);

    /// <summary>Wraps a generated rule. <paramref name="supportPoints"/> gives a finite support that depends on the parameters (Binomial's <c>{0 .. n}</c>).</summary>
    public static Rule From(IDistributionRule rule, SupportPoints? supportPoints = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        supportPoints ??= FixedPoints(rule);
        return new Rule(rule.Name, rule, null, [], rule.Support, supportPoints, []);
    }

    /// <summary>
    /// Wraps a derived rule with the rules of its latents (one per <see cref="IDerivedRule.Latents"/> entry).
    /// <paramref name="vectorParameters"/> marks a family's vector parameters (default: every parameter of a family).
    /// </summary>
    public static Rule From(IDerivedRule rule, IReadOnlyList<IDistributionRule> latentRules, SupportKind support = SupportKind.Real,
        IReadOnlyList<bool>? vectorParameters = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(latentRules);
        if (latentRules.Count != rule.Latents.Count)
            throw new ArgumentException($"{rule.Name} has {rule.Latents.Count} latents; got {latentRules.Count} rules.", nameof(latentRules));
        for (int i = 0; i < latentRules.Count; i++)
        {
            if (latentRules[i].Dimension != 1)
                throw new ArgumentException($"latent '{rule.Latents[i].Name}' ~ {latentRules[i].Name} has {latentRules[i].Dimension} variables; latents must be univariate.", nameof(latentRules));
            if (latentRules[i].Parameters.Count != rule.Latents[i].ArgumentCount)
                throw new ArgumentException($"latent '{rule.Latents[i].Name}' passes {rule.Latents[i].ArgumentCount} arguments to {latentRules[i].Name}, which takes {latentRules[i].Parameters.Count}.", nameof(latentRules));
        }
        var vectors = vectorParameters?.ToImmutableArray() ?? rule.Parameters.Select(_ => rule.IsFamily).ToImmutableArray();
        return new Rule(rule.Name, null, rule, [.. latentRules], support, null, vectors);
    }

    private static SupportPoints? FixedPoints(IDistributionRule rule)
    {
        // Generated classes carry their finite support as code of the parameters (constant or not).
        if (rule is not IFiniteSupport finite || rule.Support is not (SupportKind.FiniteSet or SupportKind.IntegerRange)) return null;
        return theta => finite.FiniteSupport(theta) ?? throw new InvalidOperationException($"{rule.Name} declares a finite support but gave no points");
    }

    // ------------------------------------------------------------------ shapes

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the parameter and its bound when theta (one copy) is invalid.</summary>
    public void Validate(ReadOnlySpan<double> theta)
    {
        if (Direct is not null) Direct.Validate(theta);
        else Derived!.Validate(theta);
    }

    /// <summary>Number of variables of z for one copy: the rule's dimension, a family's size K.</summary>
    public int VariableCount(ReadOnlySpan<double> theta) => Direct?.Dimension ?? (Derived!.IsFamily ? Derived.FamilySize(theta) : 1);

    /// <summary>Length of one copy's gradient.</summary>
    public int GradientLength(ReadOnlySpan<double> theta) => Direct?.Differentiable.Count ?? Derived!.GradientLength(theta);

    /// <summary>Whether the gradient is taken in parameter <paramref name="parameter"/>.</summary>
    public bool IsDifferentiable(int parameter) => Direct is null || Direct.Differentiable.Contains(parameter);

    /// <summary>
    /// The parameter that each gradient slot of one copy belongs to, with the component index for a family's vector
    /// parameter (-1 for a scalar).
    /// </summary>
    public IReadOnlyList<(string Parameter, int Component)> GradientSlots(ReadOnlySpan<double> theta)
    {
        var slots = new List<(string, int)>();
        if (Direct is not null)
        {
            foreach (int p in Direct.Differentiable) slots.Add((Direct.Parameters[p].Name, -1));
            return slots;
        }
        int k = Derived!.FamilySize(theta);
        for (int p = 0; p < Derived.Parameters.Count; p++)
        {
            if (_vectorParameters.Length > p && _vectorParameters[p])
                for (int j = 0; j < k; j++) slots.Add((Derived.Parameters[p].Name, j));
            else
                slots.Add((Derived.Parameters[p].Name, -1));
        }
        return slots;
    }

    /// <summary>The points of a finite support at theta (one copy), or null when the support is not finite or not known.</summary>
    public double[]? FiniteSupport(ReadOnlySpan<double> theta) => _supportPoints?.Invoke(theta);

    public override string ToString() => Name;
}
