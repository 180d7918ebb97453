using SeriesCompiler.Runtime.Discrete;
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

    /// <summary>The runtime's view of the latent layer (the estimators' full layout is this one).</summary>
    public DiscreteLayer Layer => new(Variables, Classes);

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
/// The ELBO integrand for one data point x of a model with decoder p(x | z) = Bernoulli(sigmoid(g(z))), g a stack of
/// dense layers whose last is linear (one layer: the linear decoder of the sigmoid belief networks; tanh hidden
/// layers: the VAEs' nonlinear decoder), a factorised prior p(z) and a factorised posterior q(z | x) with the given
/// logits: f(z) = log p(x | z) + log p(z) - log q(z | x), so that ELBO = E_q f. It evaluates f at a configuration, at
/// all its single-variable changes (the flipped evaluations of the discrete rule: changing variable j from class a to
/// class b moves the first layer's pre-activation by W[b] - W[a]; with a linear decoder that is the output, so each
/// costs O(D) rather than a new forward pass, and otherwise the remaining layers are recomputed for blocks of
/// neighbours at once), and at a relaxed configuration with its gradient (for Gumbel-softmax, REBAR and RELAX).
/// </summary>
public sealed class ElboObjective : IRelaxedDiscreteObjective
{
    public LatentSpace Space { get; }
    public DiscreteLayer Layer { get; }

    /// <summary>f = log p(x, z) - log q(z | x): the relaxed estimators also differentiate the -log q term in the logits.</summary>
    public bool SubtractsLogQ => true;

    private readonly IReadOnlyList<DenseLayer> _layers;
    private readonly DenseLayer _first;
    private readonly bool _linear;
    private readonly double[] _x;
    private readonly double[] _logPrior;
    private readonly double[] _logQ;
    private readonly double[] _h0;      // the first layer's pre-activation at the current configuration
    private readonly double[] _tmp;
    private readonly double[] _u;
    private readonly double[][] _out;   // per layer: its output (after the activation) for one row
    private readonly double[][] _delta; // per layer: d f / d its output
    private readonly double[] _dz;
    private readonly double[][] _block; // per layer: outputs of a block of neighbours (nonlinear decoders)
    private readonly int[] _blockJ;
    private readonly int[] _blockK;
    private const int BlockRows = 16;   // neighbours pushed together through a weight row while it is in cache
    private const int ColumnTile = 128;

    public ElboObjective(LatentSpace space, DenseLayer decoder) : this(space, [decoder]) { }

    public ElboObjective(LatentSpace space, IReadOnlyList<DenseLayer> decoder)
    {
        if (decoder[^1].Activation != Activation.Identity || decoder[0].In != space.DecoderInputs)
            throw new ArgumentException("the decoder must take the latent inputs and end in a linear layer (the logits)");
        Space = space;
        Layer = space.Layer;
        _layers = decoder;
        _first = decoder[0];
        _linear = decoder.Count == 1;
        int d = decoder[^1].Out;
        _x = new double[d];
        _h0 = new double[_first.Out];
        _tmp = new double[_first.Out];
        _u = new double[space.DecoderInputs];
        _logPrior = new double[space.FullSize];
        _logQ = new double[space.FullSize];
        _out = decoder.Select(l => new double[l.Out]).ToArray();
        _delta = decoder.Select(l => new double[l.Out]).ToArray();
        _dz = new double[decoder.Max(l => Math.Max(l.Out, l.In))];
        _block = decoder.Select(l => new double[BlockRows * l.Out]).ToArray();
        _blockJ = new int[BlockRows];
        _blockK = new int[BlockRows];
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

    /// <summary>Draws z ~ q (the runtime layer's inverse-CDF draw).</summary>
    public void Draw(RandomSource random, Span<int> state) => Layer.Draw(_logQ, random, state);

    private void PreActivation(ReadOnlySpan<int> state, Span<double> s)
    {
        _first.Bias.CopyTo(s);
        for (int j = 0; j < Space.Variables; j++)
        {
            int m = Space.Input(j, state[j]);
            if (m >= 0) Kernels.Axpy(1, _first.Row(m), s);
        }
    }

    private double PriorMinusPosterior(int j, int k) => _logPrior[j * Space.Classes + k] - _logQ[j * Space.Classes + k];

    /// <summary>log p(x | z) from the first layer's pre-activation h (one row).</summary>
    private double LogLikelihoodFrom(ReadOnlySpan<double> h)
    {
        if (_linear) return Kernels.BernoulliLogLikelihood(_x, h);
        h.CopyTo(_out[0]);
        Activate(_layers[0].Activation, _out[0]);
        for (int l = 1; l < _layers.Count; l++) Affine(_layers[l], _out[l - 1], _out[l]);
        return Kernels.BernoulliLogLikelihood(_x, _out[^1]);
    }

    // out = act(in W + b) for one row.
    private static void Affine(DenseLayer layer, ReadOnlySpan<double> input, Span<double> output)
    {
        layer.Bias.CopyTo(output);
        for (int k = 0; k < layer.In; k++)
            if (input[k] != 0) Kernels.Axpy(input[k], layer.Row(k), output);
        Activate(layer.Activation, output);
    }

    private static void Activate(Activation activation, Span<double> y)
    {
        switch (activation)
        {
            case Activation.Identity: break;
            case Activation.Tanh: for (int i = 0; i < y.Length; i++) y[i] = Math.Tanh(y[i]); break;
            case Activation.Sigmoid: for (int i = 0; i < y.Length; i++) y[i] = Kernels.Sigmoid(y[i]); break;
            default: throw new NotSupportedException($"{activation} in a decoder's hidden layer");
        }
    }

    /// <summary>f(z) = log p(x, z) - log q(z | x).</summary>
    public double Value(ReadOnlySpan<int> state)
    {
        PreActivation(state, _h0);
        double f = LogLikelihoodFrom(_h0);
        for (int j = 0; j < Space.Variables; j++) f += PriorMinusPosterior(j, state[j]);
        return f;
    }

    /// <summary>
    /// values[j K + k] = f(z with variable j set to class k), for every j and k (the current class gives f(z) itself):
    /// rank-one updates of the first layer's pre-activation, then (nonlinear decoder) the other layers recomputed for
    /// blocks of neighbours. Returns f(z).
    /// </summary>
    public double EvaluateFlipped(ReadOnlySpan<int> state, Span<double> values)
    {
        double f = Value(state); // leaves _h0 at z
        double terms = 0;        // every variable's log p - log q term
        for (int j = 0; j < Space.Variables; j++) terms += PriorMinusPosterior(j, state[j]);
        int K = Space.Classes, rows = 0;
        for (int j = 0; j < Space.Variables; j++)
        {
            int a = Space.Input(j, state[j]);
            for (int k = 0; k < K; k++)
            {
                if (k == state[j]) { values[j * K + k] = f; continue; }
                values[j * K + k] = terms - PriorMinusPosterior(j, state[j]) + PriorMinusPosterior(j, k);
                int b = Space.Input(j, k);
                if (_linear && (a < 0 || b < 0))
                {
                    values[j * K + k] += Kernels.BernoulliLogLikelihoodShifted(_x, _h0, _first.Row(a < 0 ? b : a), a < 0 ? 1 : -1);
                    continue;
                }
                var h = _linear ? _tmp.AsSpan() : _block[0].AsSpan(rows * _first.Out, _first.Out);
                _h0.CopyTo(h);
                if (a >= 0) Kernels.Axpy(-1, _first.Row(a), h);
                if (b >= 0) Kernels.Axpy(1, _first.Row(b), h);
                if (_linear) { values[j * K + k] += Kernels.BernoulliLogLikelihood(_x, h); continue; }
                _blockJ[rows] = j; _blockK[rows] = k;
                if (++rows == BlockRows) { FlushBlock(rows, values); rows = 0; }
            }
        }
        if (rows > 0) FlushBlock(rows, values);
        return f;
    }

    // The nonlinear decoder on a block of first-layer pre-activations: each weight row is read once per block.
    private void FlushBlock(int rows, Span<double> values)
    {
        int K = Space.Classes;
        Activate(_layers[0].Activation, _block[0].AsSpan(0, rows * _first.Out));
        for (int l = 1; l < _layers.Count; l++)
        {
            var layer = _layers[l];
            var input = _block[l - 1];
            var output = _block[l].AsSpan(0, rows * layer.Out);
            int o = layer.Out;
            for (int r = 0; r < rows; r++) layer.Bias.CopyTo(output.Slice(r * o, o));
            // Column tiles: a tile of every row's output stays in L1 while the weight rows' tiles stream past once.
            for (int c = 0; c < o; c += ColumnTile)
            {
                int width = Math.Min(ColumnTile, o - c);
                for (int k = 0; k < layer.In; k++)
                {
                    var w = layer.Row(k).Slice(c, width);
                    for (int r = 0; r < rows; r++) Kernels.Axpy(input[r * layer.In + k], w, output.Slice(r * o + c, width));
                }
            }
            Activate(layer.Activation, output);
        }
        int d = _layers[^1].Out;
        for (int r = 0; r < rows; r++)
            values[_blockJ[r] * K + _blockK[r]] += Kernels.BernoulliLogLikelihood(_x, _block[^1].AsSpan(r * d, d));
    }

    /// <summary>
    /// f at a relaxed configuration y (full layout, each variable's block a point of the simplex; one-hot blocks give
    /// f(z)) and df/dy at fixed logits: the decoder sees the relaxed inputs and the prior/posterior terms are
    /// sum_k y_jk (log p_jk - log q_jk).
    /// </summary>
    public double ValueAndGradient(ReadOnlySpan<double> y, Span<double> dy) => ForwardBackward(y, dy, false, 1);

    /// <summary>
    /// Adds the gradients of f at y (one-hot or relaxed) with respect to the decoder (into its layers' Gradient) and
    /// to the full prior logits, times <paramref name="weight"/>: these parameters do not shape the sampling
    /// distribution, so every estimator backpropagates through them directly.
    /// </summary>
    public void AccumulateModelGradient(ReadOnlySpan<double> y, Span<double> priorGradient, double weight = 1)
    {
        ForwardBackward(y, [], true, weight);
        int K = Space.Classes;
        // d/d a_jk sum_k' y_jk' log softmax(a_j)_k' = y_jk - p_jk sum_k' y_jk'
        for (int j = 0; j < Space.Variables; j++)
        {
            double mass = 0;
            for (int k = 0; k < K; k++) mass += y[j * K + k];
            for (int k = 0; k < K; k++) priorGradient[j * K + k] += weight * (y[j * K + k] - Math.Exp(_logPrior[j * K + k]) * mass);
        }
    }

    // One row forward and back: the decoder input u = sum_jk y_jk e_{input(j,k)}; d log p(x|u) / d logits = x -
    // sigmoid(logits); then each layer's chain rule. Writes df/dy if dy is not empty and adds parameter gradients if asked.
    private double ForwardBackward(ReadOnlySpan<double> y, Span<double> dy, bool parameters, double weight)
    {
        Array.Clear(_u);
        int K = Space.Classes;
        for (int j = 0; j < Space.Variables; j++)
            for (int k = 0; k < K; k++)
            {
                int m = Space.Input(j, k);
                if (m >= 0) _u[m] += y[j * K + k];
            }
        for (int l = 0; l < _layers.Count; l++) Affine(_layers[l], l == 0 ? _u : _out[l - 1], _out[l]);
        var logits = _out[^1];
        double f = Kernels.BernoulliLogLikelihood(_x, logits);
        // Every gradient below is linear in this delta, so the weight scales them all.
        for (int i = 0; i < logits.Length; i++) _delta[^1][i] = weight * (_x[i] - Kernels.Sigmoid(logits[i]));
        var du = _dz.AsSpan(0, 0);
        for (int l = _layers.Count - 1; l >= 0; l--)
        {
            var layer = _layers[l];
            var output = _out[l];
            var delta = _delta[l]; // becomes d f / d pre-activation
            if (layer.Activation == Activation.Tanh) for (int i = 0; i < delta.Length; i++) delta[i] *= 1 - output[i] * output[i];
            else if (layer.Activation == Activation.Sigmoid) for (int i = 0; i < delta.Length; i++) delta[i] *= output[i] * (1 - output[i]);
            ReadOnlySpan<double> input = l == 0 ? _u : _out[l - 1];
            if (parameters)
            {
                var grad = layer.Gradient.AsSpan();
                Kernels.Axpy(1, delta, grad.Slice(layer.In * layer.Out, layer.Out));
                for (int k = 0; k < layer.In; k++)
                    if (input[k] != 0) Kernels.Axpy(input[k], delta, grad.Slice(k * layer.Out, layer.Out));
            }
            if (l > 0)
                for (int k = 0; k < layer.In; k++) _delta[l - 1][k] = Kernels.Dot(delta, layer.Row(k));
            else if (!dy.IsEmpty)
            {
                du = _dz.AsSpan(0, layer.In);
                for (int k = 0; k < layer.In; k++) du[k] = Kernels.Dot(delta, layer.Row(k));
            }
        }
        for (int j = 0; j < Space.Variables; j++)
            for (int k = 0; k < K; k++)
            {
                int idx = j * K + k, m = Space.Input(j, k);
                double t = PriorMinusPosterior(j, k);
                f += y[idx] * t;
                if (!dy.IsEmpty) dy[idx] = t + (m >= 0 ? du[m] : 0);
            }
        return f;
    }
}
