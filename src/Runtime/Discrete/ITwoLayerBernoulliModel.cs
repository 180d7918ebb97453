namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// What a model with a two-layer hierarchy of Bernoulli units, <c>q(z1 | x) q(z2 | z1)</c>, gives
/// <see cref="TwoLayerBernoulliEstimator"/>: the layer-2 logits as a linear function of z1, <c>l2 = z1 W + c</c> (so
/// flipping unit j of z1 moves them by <c>+-W_j</c>, a rank-one change), and f, the integrand of <c>E_q f</c>, with its
/// relaxed derivatives. f may include <c>-log q(z1 | l1) - log q(z2 | l2)</c> (an ELBO integrand); the estimators add
/// that term's own dependence on the logits where they need it.
/// </summary>
/// <remarks>
/// <para>The model keeps its own data: <c>row</c> is the data point's index in the block whose layer-1 logits were
/// given to <see cref="TwoLayerBernoulliEstimator.Estimate"/>. Spans over units are laid out one value per unit
/// (z_j in {0, 1}, or a relaxed y_j in [0, 1]); blocks are row-major.</para>
/// <para><see cref="FlipLayer2"/> and <see cref="FlipLayer1"/> are called right after <see cref="Value"/> of the same
/// row and configuration, so a model may keep what Value computed (its decoder's pre-activations) and update it by
/// rank one rather than recompute it.</para>
/// </remarks>
public interface ITwoLayerBernoulliModel
{
    /// <summary>Units of layer 1 (z1).</summary>
    int Units1 { get; }

    /// <summary>Units of layer 2 (z2).</summary>
    int Units2 { get; }

    /// <summary>
    /// Whether f includes <c>-log q(z1 | l1) - log q(z2 | l2)</c> (see <see cref="IRelaxedDiscreteObjective.SubtractsLogQ"/>):
    /// the relaxed estimators then add that term's explicit derivative in the logits, <c>-(v - sigmoid(l))</c> per unit.
    /// </summary>
    bool SubtractsLogQ { get; }

    /// <summary>The layer-2 logits <c>l2 = z1 W + c</c> for a block of <paramref name="rows"/> rows of z1 (binary or relaxed).</summary>
    void Layer2Logits(ReadOnlySpan<double> z1, int rows, Span<double> logits2);

    /// <summary>
    /// The rank-one changes: row j of <paramref name="flipped"/> (Units2 entries) is <c>l2 + s_j W_j</c>, the layer-2
    /// logits with unit j of the binary z1 flipped (<c>s_j = 1 - 2 z1_j</c>), for every j.
    /// </summary>
    void Layer2FlipLogits(ReadOnlySpan<double> z1, ReadOnlySpan<double> logits2, Span<double> flipped);

    /// <summary>Back through the layer-2 logits: <c>dz1_j += W_j . dl2</c> for every j (the transposed map).</summary>
    void Layer2Backward(ReadOnlySpan<double> dl2, Span<double> dz1);

    /// <summary>f at the binary configuration (z1, z2) of data point <paramref name="row"/>, q's logits l1 and l2 held fixed.</summary>
    double Value(int row, ReadOnlySpan<double> logits1, ReadOnlySpan<double> logits2, ReadOnlySpan<double> z1, ReadOnlySpan<double> z2);

    /// <summary>At the last <see cref="Value"/>'s point: <c>values[k] = f</c> with unit k of z2 flipped (z1, l1, l2 fixed).</summary>
    void FlipLayer2(Span<double> values);

    /// <summary>
    /// At the last <see cref="Value"/>'s point: <c>values[j] = f</c> with unit j of z1 flipped, layer 2's logits at
    /// row j of <paramref name="flippedLogits2"/> and its configuration at row j of <paramref name="flippedZ2"/>
    /// (Units1 x Units2 each).
    /// </summary>
    void FlipLayer1(ReadOnlySpan<double> flippedLogits2, ReadOnlySpan<double> flippedZ2, Span<double> values);

    /// <summary>
    /// f at (v1, v2) in [0, 1], binary or relaxed, at fixed logits; when <paramref name="dv1"/> and
    /// <paramref name="dv2"/> are not empty, also <c>df/dv1</c> (overwritten; at fixed l2, the estimators add the path
    /// through <c>l2 = v1 W + c</c>) and <c>df/dv2</c>.
    /// </summary>
    double RelaxedValue(int row, ReadOnlySpan<double> logits1, ReadOnlySpan<double> logits2, ReadOnlySpan<double> v1, ReadOnlySpan<double> v2,
        Span<double> dv1, Span<double> dv2);
}
