using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>
/// A gradient estimator for the posterior logits of a discrete latent-variable model, one data point at a time.
/// Given the objective (which holds x, the prior and the posterior q), it draws what it needs and writes
/// (a) <c>y</c>, the <see cref="Configurations"/> configurations (each in the full layout: one-hot, or relaxed for
/// Gumbel-softmax) at which the model's own parameters (decoder, prior) are differentiated, each with weight 1 /
/// Configurations, and (b) an estimate of d E_q[f] / d logits (full layout). It returns f at its sample, for logging.
/// </summary>
public interface IDiscreteEstimator
{
    string Name { get; }

    /// <summary>How many configurations <see cref="Estimate"/> writes into y, one after another.</summary>
    int Configurations => 1;

    double Estimate(ElboObjective f, RandomSource random, Span<double> y, Span<double> dLogits);

    /// <summary>Called before each batch's estimates (resets what <see cref="EndBatch"/> learns from).</summary>
    void BeginBatch() { }

    /// <summary>Called after each training batch with the batch's mean f (a baseline's update).</summary>
    void EndBatch(double meanValue) { }
}

/// <summary>
/// The paper's discrete rule (Theorem 2; eqs. 17-18), the local expectation gradient: for each variable j,
/// d E f / d l_jm = E_{z_-j} sum_k (d pi_jk / d l_jm) f(z_-j, k) = E pi_jm (f(z_-j, m) - sum_k pi_jk f(z_-j, k)); for a
/// Bernoulli unit this is sigmoid'(l_j) (f(z_-j, 1) - f(z_-j, 0)). The f(z_-j, k) come from rank-one updates of the
/// decoder. <see cref="Samples"/> draws of z_-j are averaged (the paper's S).
/// </summary>
public sealed class LocalExpectationEstimator(int samples = 1, string name = "rule") : IDiscreteEstimator
{
    public int Samples { get; } = samples;
    public string Name => Samples == 1 ? name : $"{name} S={Samples}";

    // One configuration per sample: the decoder's gradient is the mean of its gradients at the samples (not its
    // gradient at their mean, which a nonlinear likelihood would bias).
    public int Configurations => Samples;

    private int[] _state = [];
    private double[] _values = [];

    public double Estimate(ElboObjective f, RandomSource random, Span<double> y, Span<double> dLogits)
    {
        var space = f.Space;
        if (_state.Length != space.Variables) { _state = new int[space.Variables]; _values = new double[space.FullSize]; }
        dLogits.Clear();
        y.Clear();
        double total = 0;
        for (int s = 0; s < Samples; s++)
        {
            f.Sample(random, _state);
            total += Gradient(f, _state, _values, dLogits, 1.0 / Samples);
            for (int j = 0; j < space.Variables; j++) y[s * space.FullSize + j * space.Classes + _state[j]] = 1;
        }
        return total / Samples;
    }

    /// <summary>The rule at one configuration z, scaled by <paramref name="weight"/> and added into dLogits; returns f(z).</summary>
    public static double Gradient(ElboObjective f, ReadOnlySpan<int> state, Span<double> values, Span<double> dLogits, double weight = 1.0)
    {
        int K = f.Space.Classes;
        double value = f.Neighbours(state, values);
        for (int j = 0; j < f.Space.Variables; j++)
        {
            double mean = 0;
            for (int k = 0; k < K; k++) mean += f.Probability(j, k) * values[j * K + k];
            for (int m = 0; m < K; m++) dLogits[j * K + m] += weight * f.Probability(j, m) * (values[j * K + m] - mean);
        }
        return value;
    }
}

/// <summary>
/// REINFORCE (Williams, 1992): (f(z) - b) d log q(z) / d l, with b an exponential moving average of past batches'
/// mean f (decay <see cref="Decay"/>), so b does not depend on the current draw and the estimate stays unbiased.
/// </summary>
public sealed class ReinforceEstimator(double decay = 0.9) : IDiscreteEstimator
{
    public double Decay { get; } = decay;
    public double Baseline { get; set; } = double.NaN;
    public string Name => "reinforce";

    private int[] _state = [];

    public double Estimate(ElboObjective f, RandomSource random, Span<double> y, Span<double> dLogits)
    {
        var space = f.Space;
        if (_state.Length != space.Variables) _state = new int[space.Variables];
        f.Sample(random, _state);
        double value = f.Value(_state);
        // Before any baseline exists (the first batch) the estimate is 0: that batch only sets the baseline, rather than
        // pushing every logit by f itself (hundreds of nats) in Adam's first, full-size step.
        double advantage = double.IsNaN(Baseline) ? 0 : value - Baseline;
        int K = space.Classes;
        y.Clear();
        for (int j = 0; j < space.Variables; j++)
        {
            y[j * K + _state[j]] = 1;
            for (int m = 0; m < K; m++) dLogits[j * K + m] = advantage * ((_state[j] == m ? 1 : 0) - f.Probability(j, m));
        }
        return value;
    }

    public void EndBatch(double meanValue) => Baseline = double.IsNaN(Baseline) ? meanValue : Decay * Baseline + (1 - Decay) * meanValue;
}

/// <summary>
/// Gumbel-softmax / Concrete (Jang et al., 2016; Maddison et al., 2016) at temperature tau: y_j = softmax((l_j + g_j) /
/// tau) with Gumbel noise g. Relaxed: the decoder sees y and the gradient is the pathwise derivative of the relaxed
/// objective (biased for the discrete ELBO). Straight-through: the forward pass uses the hard argmax, the backward
/// pass the relaxed Jacobian. For a Bernoulli unit (logits (0, l)) this is the binary Concrete relaxation.
/// </summary>
public sealed class GumbelSoftmaxEstimator(double temperature = 0.5, bool straightThrough = true) : IDiscreteEstimator
{
    public double Temperature { get; } = temperature;
    public bool StraightThrough { get; } = straightThrough;
    public string Name => StraightThrough ? "gumbel-st" : "gumbel-relaxed";

    private double[] _soft = [];
    private double[] _used = [];
    private double[] _dy = [];

    public double Estimate(ElboObjective f, RandomSource random, Span<double> y, Span<double> dLogits)
    {
        var space = f.Space;
        int K = space.Classes, n = space.FullSize;
        if (_soft.Length != n) { _soft = new double[n]; _used = new double[n]; _dy = new double[n]; }
        var logQ = f.LogQ;
        for (int j = 0; j < space.Variables; j++)
        {
            double max = double.NegativeInfinity;
            int arg = 0;
            for (int k = 0; k < K; k++)
            {
                double a = (logQ[j * K + k] - Math.Log(-Math.Log(random.NextDouble()))) / Temperature;
                _soft[j * K + k] = a;
                if (a > max) { max = a; arg = k; }
            }
            double sum = 0;
            for (int k = 0; k < K; k++) sum += _soft[j * K + k] = Math.Exp(_soft[j * K + k] - max);
            for (int k = 0; k < K; k++)
            {
                _soft[j * K + k] /= sum;
                _used[j * K + k] = StraightThrough ? (k == arg ? 1 : 0) : _soft[j * K + k];
            }
        }
        double value = f.ValueAndGradient(_used, _dy);
        for (int j = 0; j < space.Variables; j++)
        {
            double dot = 0;
            for (int k = 0; k < K; k++) dot += _soft[j * K + k] * _dy[j * K + k];
            for (int m = 0; m < K; m++)
            {
                int i = j * K + m;
                // Through the (relaxed) sample, then the explicit -sum_k y_k log q_k(l) term.
                dLogits[i] = _soft[i] * (_dy[i] - dot) / Temperature - (_used[i] - f.Probability(j, m));
            }
        }
        _used.AsSpan().CopyTo(y);
        return value;
    }
}
