using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// Gumbel-softmax / Concrete (Jang et al., 2016; Maddison et al., 2016) at temperature tau: <c>y_j = softmax((l_j +
/// g_j) / tau)</c> with Gumbel noise <c>g = -log(-log u)</c>, and the pathwise derivative
/// <c>d f(y) / d l_jm = y_jm (df/dy_jm - sum_k y_jk df/dy_jk) / tau</c>. Relaxed: f is evaluated at y, an unbiased
/// estimate of the relaxed objective's gradient (biased for the discrete one). Straight-through: f is evaluated at the
/// hard argmax (a sample of q, by the Gumbel-max trick) and differentiated as if at y (biased). For two classes with
/// logits (0, l) it is the binary Concrete relaxation. f must be an <see cref="IRelaxedDiscreteObjective"/>.
/// </summary>
public sealed class GumbelSoftmaxEstimator : IDiscreteGradientEstimator
{
    private readonly Workspace _ws = new();

    /// <param name="temperature">tau &gt; 0.</param>
    /// <param name="straightThrough">Hard forward pass, relaxed backward pass.</param>
    public GumbelSoftmaxEstimator(double temperature = 0.5, bool straightThrough = true)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"the temperature must be positive and finite (got {temperature})");
        Temperature = temperature;
        StraightThrough = straightThrough;
    }

    public double Temperature { get; }
    public bool StraightThrough { get; }
    public string Name => StraightThrough ? "gumbel-st" : "gumbel-relaxed";

    public double Estimate(IDiscreteObjective f, ReadOnlySpan<double> logits, RandomSource random, Span<double> configurations, Span<double> gradient)
    {
        var relaxed = f as IRelaxedDiscreteObjective
            ?? throw new NotSupportedException($"{Name} differentiates f at relaxed configurations: the objective must implement {nameof(IRelaxedDiscreteObjective)}");
        _ws.Prepare(f, logits, 1, configurations, gradient);
        var layer = _ws.Layer;
        int K = layer.Classes;
        double[] soft = _ws.A, used = _ws.B, dy = _ws.C, logQ = _ws.LogQ;
        for (int j = 0; j < layer.Variables; j++)
        {
            double max = double.NegativeInfinity;
            int arg = 0;
            for (int k = 0; k < K; k++)
            {
                // log-probabilities differ from the logits by a constant per variable, which softmax and argmax ignore.
                double a = (logQ[j * K + k] - Math.Log(-Math.Log(random.NextDouble()))) / Temperature;
                soft[j * K + k] = a;
                if (a > max) { max = a; arg = k; }
            }
            double sum = 0;
            for (int k = 0; k < K; k++) sum += soft[j * K + k] = Math.Exp(soft[j * K + k] - max);
            for (int k = 0; k < K; k++)
            {
                soft[j * K + k] /= sum;
                used[j * K + k] = StraightThrough ? (k == arg ? 1 : 0) : soft[j * K + k];
            }
        }
        double value = relaxed.ValueAndGradient(used, dy);
        bool logQTerm = relaxed.SubtractsLogQ;
        for (int j = 0; j < layer.Variables; j++)
        {
            double dot = 0, mass = 0;
            for (int k = 0; k < K; k++) { dot += soft[j * K + k] * dy[j * K + k]; mass += used[j * K + k]; }
            for (int m = 0; m < K; m++)
            {
                int i = j * K + m;
                // Through the (relaxed) sample: the softmax Jacobian over tau.
                gradient[i] = soft[i] * (dy[i] - dot) / Temperature;
                // The explicit -sum_k y_k log q_k(l): d/dl_m = -(y_m - q_m sum_k y_k).
                if (logQTerm) gradient[i] -= used[i] - Math.Exp(logQ[i]) * mass;
            }
        }
        used.AsSpan().CopyTo(configurations);
        return value;
    }
}
