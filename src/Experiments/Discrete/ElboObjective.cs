using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>
/// The discrete latent space: <see cref="Variables"/> independent variables with <see cref="Classes"/> classes each.
/// A Bernoulli unit is the two-class case with the class-0 logit pinned at 0 (so softmax(0, l) = (1 - sigmoid(l),
/// sigmoid(l))), and feeds the decoder its class-1 indicator only; a categorical variable feeds its one-hot code.
/// </summary>
public sealed record LatentSpace(int Variables, int Classes, bool Binary)
{
    public static LatentSpace Bernoulli(int units) => new(units, 2, true);
    public static LatentSpace Categorical(int variables, int classes) => new(variables, classes, false);

    /// <summary>Logits per data point in the full (variable, class) layout.</summary>
    public int FullSize => Variables * Classes;

    /// <summary>How many logits the encoder outputs: one per Bernoulli unit, K per categorical variable.</summary>
    public int EncoderOutputs => Binary ? Variables : FullSize;

    /// <summary>The decoder's input dimension.</summary>
    public int DecoderInputs => Binary ? Variables : FullSize;

    /// <summary>The decoder input row that class k of variable j switches on, or -1 (a Bernoulli unit's 0).</summary>
    public int Input(int j, int k) => Binary ? (k == 1 ? j : -1) : j * Classes + k;

    /// <summary>Encoder outputs to full logits.</summary>
    public void Expand(ReadOnlySpan<double> encoderLogits, Span<double> full)
    {
        if (!Binary) { encoderLogits.CopyTo(full); return; }
        for (int j = 0; j < Variables; j++) { full[2 * j] = 0; full[2 * j + 1] = encoderLogits[j]; }
    }

    /// <summary>Gradient in the full layout to the encoder's outputs (a Bernoulli logit is the class-1 logit).</summary>
    public void Contract(ReadOnlySpan<double> fullGradient, Span<double> encoderGradient)
    {
        if (!Binary) { fullGradient.CopyTo(encoderGradient); return; }
        for (int j = 0; j < Variables; j++) encoderGradient[j] = fullGradient[2 * j + 1];
    }
}

/// <summary>
/// The ELBO integrand for one data point x of a model with a linear decoder p(x | z) = Bernoulli(sigmoid(z W + c)),
/// a factorised prior p(z) and a factorised posterior q(z | x) with the given logits:
/// f(z) = log p(x | z) + log p(z) - log q(z | x), so that ELBO = E_q f. It evaluates f at a configuration, at all its
/// single-variable changes (the rank-one updates of the discrete rule: changing variable j from class a to class b
/// moves the decoder's pre-activation by W[b] - W[a], so each costs O(D) rather than a new forward pass), and at a
/// relaxed configuration with its gradient (for Gumbel-softmax).
/// </summary>
public sealed class ElboObjective
{
    public LatentSpace Space { get; }
    private readonly DenseLayer _decoder;
    private readonly double[] _x;
    private readonly double[] _logPrior;
    private readonly double[] _logQ;
    private readonly double[] _s;
    private readonly double[] _tmp;
    private readonly double[] _u;
    private readonly double[] _g;

    public ElboObjective(LatentSpace space, DenseLayer decoder)
    {
        Space = space;
        _decoder = decoder;
        int d = decoder.Out;
        _x = new double[d]; _s = new double[d]; _tmp = new double[d]; _g = new double[d];
        _u = new double[space.DecoderInputs];
        _logPrior = new double[space.FullSize];
        _logQ = new double[space.FullSize];
    }

    public ReadOnlySpan<double> LogQ => _logQ;
    public ReadOnlySpan<double> LogPrior => _logPrior;
    public ReadOnlySpan<double> X => _x;

    /// <summary>Sets the data point and the full prior and posterior logits.</summary>
    public void Set(ReadOnlySpan<double> x, ReadOnlySpan<double> priorLogits, ReadOnlySpan<double> posteriorLogits)
    {
        x.CopyTo(_x);
        Kernels.LogSoftmaxGroups(priorLogits, Space.Classes, _logPrior);
        Kernels.LogSoftmaxGroups(posteriorLogits, Space.Classes, _logQ);
    }

    public double Probability(int j, int k) => Math.Exp(_logQ[j * Space.Classes + k]);

    /// <summary>Draws z ~ q.</summary>
    public void Sample(RandomSource random, Span<int> state)
    {
        int K = Space.Classes;
        for (int j = 0; j < Space.Variables; j++)
        {
            double u = random.NextDouble(), c = 0;
            int k = 0;
            for (; k < K - 1; k++) { c += Math.Exp(_logQ[j * K + k]); if (u < c) break; }
            state[j] = k;
        }
    }

    private void PreActivation(ReadOnlySpan<int> state, Span<double> s)
    {
        _decoder.Bias.CopyTo(s);
        for (int j = 0; j < Space.Variables; j++)
        {
            int m = Space.Input(j, state[j]);
            if (m >= 0) Kernels.Axpy(1, _decoder.Row(m), s);
        }
    }

    private double PriorMinusPosterior(int j, int k) => _logPrior[j * Space.Classes + k] - _logQ[j * Space.Classes + k];

    /// <summary>f(z) = log p(x, z) - log q(z | x).</summary>
    public double Value(ReadOnlySpan<int> state)
    {
        PreActivation(state, _s);
        double f = Kernels.BernoulliLogLikelihood(_x, _s);
        for (int j = 0; j < Space.Variables; j++) f += PriorMinusPosterior(j, state[j]);
        return f;
    }

    /// <summary>
    /// values[j K + k] = f(z with variable j set to class k), for every j and k, by rank-one updates of the decoder's
    /// pre-activation (the current class gives f(z) itself). Returns f(z).
    /// </summary>
    public double Neighbours(ReadOnlySpan<int> state, Span<double> values)
    {
        double f = Value(state);
        double terms = f - LikelihoodOf(f, state); // every variable's log p - log q term
        int K = Space.Classes;
        for (int j = 0; j < Space.Variables; j++)
        {
            int a = Space.Input(j, state[j]);
            double others = terms - PriorMinusPosterior(j, state[j]);
            double likelihood;
            for (int k = 0; k < K; k++)
            {
                if (k == state[j]) { values[j * K + k] = f; continue; }
                int b = Space.Input(j, k);
                if (a < 0 || b < 0)
                    likelihood = Kernels.BernoulliLogLikelihoodShifted(_x, _s, _decoder.Row(a < 0 ? b : a), a < 0 ? 1 : -1);
                else
                {
                    _s.CopyTo(_tmp.AsSpan());
                    Kernels.Axpy(-1, _decoder.Row(a), _tmp);
                    Kernels.Axpy(1, _decoder.Row(b), _tmp);
                    likelihood = Kernels.BernoulliLogLikelihood(_x, _tmp);
                }
                values[j * K + k] = likelihood + others + PriorMinusPosterior(j, k);
            }
        }
        return f;
    }

    // The likelihood part of f(z): f minus every variable's prior/posterior term.
    private double LikelihoodOf(double f, ReadOnlySpan<int> state)
    {
        double terms = 0;
        for (int j = 0; j < Space.Variables; j++) terms += PriorMinusPosterior(j, state[j]);
        return f - terms;
    }

    /// <summary>
    /// f at a relaxed configuration y (full layout, each variable's block a point of the simplex; one-hot blocks give
    /// f(z)) and df/dy at fixed logits: the decoder sees the relaxed inputs and the prior/posterior terms are
    /// sum_k y_jk (log p_jk - log q_jk).
    /// </summary>
    public double ValueAndGradient(ReadOnlySpan<double> y, Span<double> dy)
    {
        Relaxed(y, _s);
        double f = Kernels.BernoulliLogLikelihood(_x, _s);
        for (int i = 0; i < _g.Length; i++) _g[i] = _x[i] - Kernels.Sigmoid(_s[i]);
        int K = Space.Classes;
        for (int j = 0; j < Space.Variables; j++)
            for (int k = 0; k < K; k++)
            {
                int idx = j * K + k, m = Space.Input(j, k);
                double t = PriorMinusPosterior(j, k);
                f += y[idx] * t;
                dy[idx] = t + (m >= 0 ? Kernels.Dot(_decoder.Row(m), _g) : 0);
            }
        return f;
    }

    private void Relaxed(ReadOnlySpan<double> y, Span<double> s)
    {
        Array.Clear(_u);
        for (int j = 0; j < Space.Variables; j++)
            for (int k = 0; k < Space.Classes; k++)
            {
                int m = Space.Input(j, k);
                if (m >= 0) _u[m] += y[j * Space.Classes + k];
            }
        _decoder.Bias.CopyTo(s);
        for (int m = 0; m < _u.Length; m++)
            if (_u[m] != 0) Kernels.Axpy(_u[m], _decoder.Row(m), s);
    }

    /// <summary>
    /// Adds the gradients of f at y (one-hot or relaxed) with respect to the decoder (into its Gradient) and to the
    /// full prior logits: these parameters do not shape the sampling distribution, so every estimator backpropagates
    /// through them directly.
    /// </summary>
    public void AccumulateModelGradient(ReadOnlySpan<double> y, Span<double> priorGradient)
    {
        Relaxed(y, _s);
        for (int i = 0; i < _g.Length; i++) _g[i] = _x[i] - Kernels.Sigmoid(_s[i]);
        int d = _g.Length;
        var grad = _decoder.Gradient.AsSpan();
        Kernels.Axpy(1, _g, grad.Slice(_decoder.In * d, d));
        for (int m = 0; m < _u.Length; m++)
            if (_u[m] != 0) Kernels.Axpy(_u[m], _g, grad.Slice(m * d, d));
        int K = Space.Classes;
        for (int j = 0; j < Space.Variables; j++)
        {
            double mass = 0;
            for (int k = 0; k < K; k++) mass += y[j * K + k];
            for (int k = 0; k < K; k++) priorGradient[j * K + k] += y[j * K + k] - Math.Exp(_logPrior[j * K + k]) * mass;
        }
    }
}
