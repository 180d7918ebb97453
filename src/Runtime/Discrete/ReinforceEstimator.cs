using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// REINFORCE (Williams, 1992), the score-function estimator with a baseline: <c>(f(z) - b) d log q(z) / d l</c>, where
/// <c>d log q(z) / d l_jm = 1[z_j = m] - pi_jm</c> and b is an exponential moving average of past batches' mean f
/// (decay <see cref="Decay"/>, updated by <see cref="EndBatch"/>). b does not depend on the current draw, so the estimate
/// stays unbiased.
/// </summary>
public sealed class ReinforceEstimator : IDiscreteGradientEstimator
{
    private readonly Workspace _ws = new();

    /// <param name="decay">Weight of the old baseline in the moving average, in [0, 1).</param>
    public ReinforceEstimator(double decay = 0.9)
    {
        if (!(decay >= 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, $"decay must lie in [0, 1) (got {decay})");
        Decay = decay;
    }

    public double Decay { get; }

    /// <summary>
    /// The baseline b. NaN (the start) makes the estimate 0: the first batch only sets b, rather than pushing every
    /// logit by f itself (possibly hundreds of nats) in an optimiser's first step. Set it to 0 for the plain estimator.
    /// </summary>
    public double Baseline { get; set; } = double.NaN;

    public string Name => "reinforce";

    public double Estimate(IDiscreteObjective f, ReadOnlySpan<double> logits, RandomSource random, Span<double> configurations, Span<double> gradient)
    {
        _ws.Prepare(f, logits, 1, configurations, gradient);
        var layer = _ws.Layer;
        layer.Draw(_ws.LogQ, random, _ws.State);
        double value = f.Value(_ws.State);
        double advantage = double.IsNaN(Baseline) ? 0 : value - Baseline;
        Accumulate(layer, _ws.LogQ, _ws.State, advantage, gradient);
        layer.OneHot(_ws.State, configurations);
        return value;
    }

    /// <summary><c>gradient = advantage * d log q(z) / d l</c> (overwritten): the score of a layer times f(z) - b.</summary>
    public static void Accumulate(DiscreteLayer layer, ReadOnlySpan<double> logQ, ReadOnlySpan<int> state, double advantage, Span<double> gradient)
    {
        int K = layer.Classes;
        for (int j = 0; j < layer.Variables; j++)
            for (int m = 0; m < K; m++) gradient[j * K + m] = advantage * ((state[j] == m ? 1 : 0) - Math.Exp(logQ[j * K + m]));
    }

    public void EndBatch(double meanValue) => Baseline = double.IsNaN(Baseline) ? meanValue : Decay * Baseline + (1 - Decay) * meanValue;
}
