namespace SeriesCompiler.Runtime.Rules;

/// <summary>A primitive draw of a <c>sample</c> statement that the SIMD lane samplers produce.</summary>
public enum LaneDraw
{
    /// <summary><c>uniform()</c>: U(0, 1).</summary>
    Uniform,

    /// <summary><c>normal()</c>: N(0, 1).</summary>
    Normal,

    /// <summary><c>exponential()</c>: Exp(1).</summary>
    Exponential,

    /// <summary><c>gamma(k)</c>: Gamma(k, 1); its one argument is the shape.</summary>
    Gamma,
}

/// <summary>
/// A rule whose <c>sample</c> statement is a function of primitive draws that the lane samplers make
/// (<see cref="LaneDraw"/>), with arguments that depend on the parameters only. The batched core draws the primitives for a
/// whole block in SIMD lanes and then maps them to z here, one call per block and copy (no call per sample). Emitted from
/// the declaration's <c>sample</c> statement; <see cref="IDistributionRule.Sample"/> stays for scalar callers.
/// </summary>
public interface ILaneSampledRule
{
    /// <summary>Whether every draw is a lane primitive (otherwise the members below throw).</summary>
    bool HasLaneDraws { get; }

    /// <summary>The draws of one sample, in the order <see cref="IDistributionRule.Sample"/> makes them.</summary>
    ReadOnlySpan<LaneDraw> LaneDraws { get; }

    /// <summary>Each draw's argument at theta (the gamma shape; 0 for a draw without one): <c>arguments[i]</c>.</summary>
    void DrawArguments(ReadOnlySpan<double> theta, Span<double> arguments);

    /// <summary>z from the draws of <paramref name="count"/> samples: draw i of sample s at <c>draws[i * stride + s]</c>,
    /// coordinate j of z at <c>z[j * stride + s]</c>.</summary>
    void SampleFromDraws(ReadOnlySpan<double> theta, ReadOnlySpan<double> draws, int count, int stride, Span<double> z);

    /// <summary>
    /// z and dz/dtheta from the draws and, for each gamma draw i, its shape derivative dg/dk at
    /// <c>shapeDerivatives[i * stride + s]</c> (other draws' rows are not read): dz_j/dtheta_p at
    /// <c>dz[(j * Differentiable.Count + p) * stride + s]</c>.
    /// </summary>
    void SamplePathwiseFromDraws(ReadOnlySpan<double> theta, ReadOnlySpan<double> draws, ReadOnlySpan<double> shapeDerivatives, int count, int stride, Span<double> z, Span<double> dz);
}

/// <summary>
/// <see cref="ILaneSampledRule"/>'s per-copy members for many copies at once (a training step's d copies), each the one-copy
/// member's code looped over copies (the same bits), with no interface call per copy. Thetas copy-major as in
/// <see cref="ICopyBatchedRule"/>; copy c's draw arguments at <c>arguments[c * D ..]</c> (D draws a sample), its draws
/// from <c>draws[c * D * stride ..]</c> and its z at <c>z[c * Dimension * stride ..]</c>, each laid out as the one-copy
/// member lays them out. Only for rules with <see cref="ILaneSampledRule.HasLaneDraws"/> (otherwise they throw).
/// </summary>
public interface ILaneCopyBatchedRule
{
    /// <summary><see cref="ILaneSampledRule.DrawArguments"/> of each copy.</summary>
    void DrawArgumentsOfCopies(ReadOnlySpan<double> thetas, int copies, Span<double> arguments);

    /// <summary><see cref="ILaneSampledRule.SampleFromDraws"/> of each copy.</summary>
    void SampleFromDrawsOfCopies(ReadOnlySpan<double> thetas, int copies, ReadOnlySpan<double> draws, int count, int stride, Span<double> z);
}

/// <summary>A resummed rule's auxiliary shift law in the form the lane samplers draw.</summary>
public enum LaneShift
{
    /// <summary>U = 0.</summary>
    Zero,

    /// <summary>U = a (a constant shift).</summary>
    Constant,

    /// <summary>U = scale Gamma(a, 1) (a = 1: an exponential).</summary>
    Gamma,

    /// <summary>U = scale U(0, 1) Exp(1).</summary>
    UniformTimesExponential,

    /// <summary>U = scale Laplace(0, 1) (the law of scale E1 - scale E2).</summary>
    Laplace,
}

/// <summary>
/// The resummed rules' shifts in lane form, emitted beside <see cref="IResummedRule.SampleShift"/> where a term's law is
/// one the lane samplers draw; the batched core then draws every shift of a block in SIMD lanes too.
/// </summary>
public interface ILaneShiftedRule
{
    /// <summary>The law of term <paramref name="term"/> of parameter p at theta, or false when it is not a lane law.</summary>
    bool TryLaneShift(ReadOnlySpan<double> theta, int p, int term, out LaneShift law, out double a, out double scale);
}
