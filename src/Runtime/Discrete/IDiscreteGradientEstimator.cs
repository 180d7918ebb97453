using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// An estimator of <c>d/dl E_{z ~ q_l}[f(z)]</c> for a layer of Bernoulli or categorical units with logits l
/// (<see cref="DiscreteLayer"/>): the rule of Theorem 2 (<see cref="LocalExpectationEstimator"/>),
/// <see cref="ReinforceEstimator"/>, <see cref="GumbelSoftmaxEstimator"/> and <see cref="RebarEstimator"/> (REBAR and RELAX).
/// </summary>
/// <remarks>
/// <para>One call estimates the gradient for one f (one data point of a model). It also returns the configurations at
/// which the caller should differentiate f's own parameters (a decoder, a prior): those do not shape q, so their
/// gradient is the mean of f's gradients at these configurations.</para>
/// <para>An estimator keeps scratch buffers (no allocation once warm, for a fixed layer) and, for REINFORCE and
/// REBAR/RELAX, state learned across batches: call <see cref="BeginBatch"/> before a batch's estimates and
/// <see cref="EndBatch"/> after them. Use one instance from one thread at a time.</para>
/// <example>
/// <code>
/// var layer = DiscreteLayer.Bernoulli(3);
/// var f = DiscreteObjective.FromRelaxed(layer, (y, dy) =>
/// {
///     double s = y[1] + y[3] + y[5] - 1.5;            // units on, minus 1.5 (class 1 of unit j is y[2j + 1])
///     if (!dy.IsEmpty) { dy.Clear(); dy[1] = dy[3] = dy[5] = 2 * s; }
///     return s * s;
/// });
/// double[] logits = [0, 0.3, 0, -1.0, 0, 2.0];        // (0, l_j) per unit
/// var rule = new LocalExpectationEstimator(samples: 4);
/// var gradient = new double[layer.FullSize];
/// var configurations = new double[rule.Configurations * layer.FullSize];
/// rule.Estimate(f, logits, new RandomSource(1), configurations, gradient);
/// </code>
/// </example>
/// </remarks>
public interface IDiscreteGradientEstimator
{
    /// <summary>A short name (rule, reinforce, gumbel-st, gumbel-relaxed, rebar, relax).</summary>
    string Name { get; }

    /// <summary>How many configurations <see cref="Estimate"/> writes, one after another, each with weight 1 / Configurations.</summary>
    int Configurations => 1;

    /// <summary>
    /// One estimate of <c>d E_q f / d logits</c> into <paramref name="gradient"/> (full layout, overwritten).
    /// <paramref name="configurations"/> receives <see cref="Configurations"/> configurations in the full layout (one-hot,
    /// or relaxed for relaxed Gumbel-softmax). Returns f at the estimator's sample (the mean over its samples), for logging.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match the layer, or a logit is not finite.</exception>
    /// <exception cref="NotSupportedException">The estimator needs what f does not give (a relaxation, Bernoulli units).</exception>
    double Estimate(IDiscreteObjective f, ReadOnlySpan<double> logits, RandomSource random, Span<double> configurations, Span<double> gradient);

    /// <summary>Called before each batch's estimates (resets what <see cref="EndBatch"/> learns from).</summary>
    void BeginBatch() { }

    /// <summary>Called after each batch with the batch's mean f (REINFORCE's baseline; REBAR/RELAX tune their control variate).</summary>
    void EndBatch(double meanValue) { }
}
