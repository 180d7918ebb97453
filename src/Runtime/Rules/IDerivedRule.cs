using System.Numerics;

namespace SeriesCompiler.Runtime.Rules;

/// <summary>A latent component of a derived distribution: <c>latent NAME ~ DIST(ARGS)</c>.</summary>
public sealed record LatentInfo(string Name, string Distribution, int ArgumentCount, bool IsIndexed);

/// <summary>
/// A distribution built from latent components and a transform <c>value</c> (Beta from two gammas, a Dirichlet
/// family from K gammas). It has no rule of its own: the runtime applies each latent's rule, with the chain
/// rule through the latent's arguments, and pushes Taylor jets through <see cref="Value{T}"/>.
/// Parameter vectors hold scalars as one slot and a family's vector parameters as K slots each, in
/// declaration order.
/// </summary>
public interface IDerivedRule
{
    string Name { get; }
    IReadOnlyList<ParameterInfo> Parameters { get; }
    IReadOnlyList<LatentInfo> Latents { get; }

    /// <summary>Whether this is a family NAME[K]; then K follows from the length of theta.</summary>
    bool IsFamily { get; }

    /// <summary>Family size for a parameter vector (1 for a plain derived distribution).</summary>
    int FamilySize(ReadOnlySpan<double> theta);

    /// <summary>Number of slots of theta that gradients are taken in (all of them: latents' arguments are differentiable).</summary>
    int GradientLength(ReadOnlySpan<double> theta);

    void Validate(ReadOnlySpan<double> theta);

    /// <summary>
    /// The arguments of latent <paramref name="latent"/> (for family index <paramref name="index"/>) and their
    /// derivatives in the slots of theta: <c>jacobian[q * theta.Length + s]</c> = d argument_q / d theta_s.
    /// </summary>
    void LatentArguments(ReadOnlySpan<double> theta, int latent, int index, Span<double> arguments, Span<double> jacobian);

    /// <summary>
    /// z = value(latents), written once for any number type with the four operations: doubles for sampling,
    /// Taylor jets for derivatives. Latents are ordered as declared (a family's K components consecutively).
    /// </summary>
    void Value<T>(ReadOnlySpan<T> latents, Span<T> value)
        where T : IAdditionOperators<T, T, T>, ISubtractionOperators<T, T, T>, IMultiplyOperators<T, T, T>,
                  IDivisionOperators<T, T, T>, IUnaryNegationOperators<T, T>,
                  IAdditionOperators<T, double, T>, IMultiplyOperators<T, double, T>;
}
