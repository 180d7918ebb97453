using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// The paper's rule for discrete units (Theorem 2; eqs. 17-18), a local expectation gradient. For each variable j,
/// <c>d E f / d l_jm = E_{z_-j} sum_k (d pi_jk / d l_jm) f(z_-j, k) = E[ pi_jm (f(z_-j, m) - sum_k pi_jk f(z_-j, k)) ]</c>
/// (the softmax Jacobian <c>d pi_jk / d l_jm = pi_jk (1[k = m] - pi_jm)</c>); for a Bernoulli unit this is
/// <c>sigmoid'(l_j) E[f(z_-j, 1) - f(z_-j, 0)]</c>. The <c>f(z_-j, k)</c> come from the objective's batched flipped
/// evaluations (<see cref="IDiscreteObjective.EvaluateFlipped"/>). <see cref="Samples"/> draws of z are averaged (the
/// paper's S); each is also a configuration for f's own parameters.
/// </summary>
public sealed class LocalExpectationEstimator : IDiscreteGradientEstimator
{
    private readonly string _name;
    private readonly Workspace _ws = new();

    /// <param name="samples">Draws of z per estimate (S at least 1).</param>
    /// <param name="name">The name for S = 1; S &gt; 1 appends " S=S".</param>
    public LocalExpectationEstimator(int samples = 1, string name = "rule")
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples must be at least 1 (got {samples})");
        Samples = samples;
        _name = name;
    }

    public int Samples { get; }
    public string Name => Samples == 1 ? _name : $"{_name} S={Samples}";

    // One configuration per sample: f's parameters get the mean of their gradients at the samples (not the gradient at
    // the samples' mean, which a nonlinear f would bias).
    public int Configurations => Samples;

    public double Estimate(IDiscreteObjective f, ReadOnlySpan<double> logits, RandomSource random, Span<double> configurations, Span<double> gradient)
    {
        _ws.Prepare(f, logits, Samples, configurations, gradient);
        var layer = _ws.Layer;
        gradient.Clear();
        configurations.Clear();
        double total = 0;
        for (int s = 0; s < Samples; s++)
        {
            layer.Draw(_ws.LogQ, random, _ws.State);
            total += Accumulate(f, _ws.LogQ, _ws.State, _ws.Values, gradient, 1.0 / Samples);
            for (int j = 0; j < layer.Variables; j++) configurations[s * layer.FullSize + j * layer.Classes + _ws.State[j]] = 1;
        }
        return total / Samples;
    }

    /// <summary>
    /// The rule at one configuration z, times <paramref name="weight"/>, added into <paramref name="gradient"/>; returns
    /// f(z). Averaged over z ~ q (weight q(z) over every configuration) it is the exact gradient.
    /// </summary>
    /// <param name="logQ">The log-probabilities (<see cref="DiscreteLayer.LogProbabilities"/>).</param>
    /// <param name="values">Scratch for the flipped evaluations (full layout).</param>
    public static double Accumulate(IDiscreteObjective f, ReadOnlySpan<double> logQ, ReadOnlySpan<int> state, Span<double> values, Span<double> gradient, double weight = 1.0)
    {
        var layer = f.Layer;
        int K = layer.Classes;
        double value = f.EvaluateFlipped(state, values);
        for (int j = 0; j < layer.Variables; j++)
        {
            double mean = 0; // sum_k pi_jk f(z_-j, k)
            for (int k = 0; k < K; k++) mean += Math.Exp(logQ[j * K + k]) * values[j * K + k];
            for (int m = 0; m < K; m++) gradient[j * K + m] += weight * Math.Exp(logQ[j * K + m]) * (values[j * K + m] - mean);
        }
        return value;
    }
}
