using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Training;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>What the experiment trains and measures: a model of binary data with discrete latents and an encoder.</summary>
public interface ILatentVariableModel
{
    /// <summary>The layers whose gradient comes from the discrete estimator (their variance is what is logged).</summary>
    IReadOnlyList<DenseLayer> EncoderLayers { get; }

    /// <summary>Fills every gradient (summed over the batch) and returns the batch's mean f at the estimator's samples.</summary>
    double ComputeGradient(double[] x, int batch, IDiscreteGradientEstimator estimator, RandomSource random);

    /// <summary>One Adam step up the batch-mean ELBO; returns the mean f.</summary>
    double TrainStep(double[] x, int batch, IDiscreteGradientEstimator estimator, RandomSource random);

    /// <summary>Means over the rows of a one-draw-per-sample ELBO and of the importance-sampling log-likelihood.</summary>
    (double Elbo, double LogLikelihood) Evaluate(double[] x, int rows, int samples, RandomSource random);
}

/// <summary>
/// The two-layer sigmoid belief network of the paper's Table 1: p(z2) p(z1 | z2) p(x | z1) and q(z1 | x) q(z2 | z1),
/// every conditional a layer of Bernoulli units with linear logits (z2 U + c, z1 W + d, x V1 + e1, z1 V2 + e2) and
/// p(z2) a learned factorised prior. f(z1, z2) = log p(x | z1) + log p(z1 | z2) + log p(z2) - log q(z1 | x) -
/// log q(z2 | z1). The model only defines its layers, f (with its rank-one flipped evaluations and relaxed
/// derivatives, <see cref="ITwoLayerBernoulliModel"/>) and its own parameters' gradients; every estimator (the paper's
/// rule, REINFORCE, Gumbel-softmax, REBAR/RELAX) and every draw from q is the runtime's
/// <see cref="TwoLayerBernoulliEstimator"/>.
/// </summary>
public sealed class TwoLayerSbn : ILatentVariableModel, ITwoLayerBernoulliModel
{
    public int Units { get; }
    public int Pixels { get; }
    public DenseLayer Q1 { get; }
    public DenseLayer Q2 { get; }
    public DenseLayer P1 { get; }
    public DenseLayer PX { get; }
    public double[] PriorLogits { get; }
    public IReadOnlyList<DenseLayer> EncoderLayers => [Q1, Q2];

    private readonly DenseStack _q1, _q2, _decoders;
    private readonly double[] _priorGradient, _priorStep;
    private readonly Adam _priorAdam;
    // One row's state at the last Value (z1, z2, the decoders' logits, f's parts) and scratch (no allocation per row).
    private readonly double[] _z1, _z2, _sX, _s1, _s1f, _g, _l2, _rowL1;
    private double[] _data = [];
    private double _f;
    private (double Lx, double L1, double Lp2, double Lq1, double Lq2) _parts;
    private int _row;
    // The runtime estimator for the hierarchy, made for the one-layer estimator it was last called with.
    private TwoLayerBernoulliEstimator? _chain;
    // The batch's gradients to the logits and the configurations the runtime returns (grown, then reused).
    private double[] _dl1 = [], _dl2 = [], _c1 = [], _c2 = [];

    public TwoLayerSbn(int units, int pixels, double learningRate, RandomSource random, ReadOnlySpan<double> pixelMeans = default)
    {
        Units = units; Pixels = pixels;
        Q1 = new DenseLayer(pixels, units, Activation.Identity, random) { NeedsInputGradient = false };
        Q2 = new DenseLayer(units, units, Activation.Identity, random) { NeedsInputGradient = false };
        P1 = new DenseLayer(units, units, Activation.Identity, random);
        PX = new DenseLayer(units, pixels, Activation.Identity, random);
        if (!pixelMeans.IsEmpty)
            for (int i = 0; i < pixels; i++)
            {
                double p = Math.Clamp(pixelMeans[i], 1e-3, 1 - 1e-3);
                PX.Bias[i] = Math.Log(p / (1 - p)); // start the decoder at the data's marginals
            }
        _q1 = new DenseStack([Q1], learningRate);
        _q2 = new DenseStack([Q2], learningRate);
        _decoders = new DenseStack([P1, PX], learningRate); // only for Adam: the two are not chained
        PriorLogits = new double[units];
        _priorGradient = new double[units];
        _priorStep = new double[units];
        _priorAdam = new Adam(units, learningRate);
        _z1 = new double[units]; _z2 = new double[units]; _s1 = new double[units]; _s1f = new double[units]; _l2 = new double[units];
        _sX = new double[pixels]; _g = new double[pixels]; _rowL1 = new double[units];
    }

    // ITwoLayerBernoulliModel: q(z2 | z1)'s logits are Q2's, f holds -log q.
    int ITwoLayerBernoulliModel.Units1 => Units;
    int ITwoLayerBernoulliModel.Units2 => Units;
    bool ITwoLayerBernoulliModel.SubtractsLogQ => true;

    void ITwoLayerBernoulliModel.Layer2Logits(ReadOnlySpan<double> z1, int rows, Span<double> logits2)
    {
        for (int r = 0; r < rows; r++) Logits(Q2, z1.Slice(r * Units, Units), logits2.Slice(r * Units, Units));
    }

    void ITwoLayerBernoulliModel.Layer2FlipLogits(ReadOnlySpan<double> z1, ReadOnlySpan<double> logits2, Span<double> flipped)
    {
        int n = Units;
        for (int j = 0; j < n; j++)
        {
            var row = flipped.Slice(j * n, n);
            logits2.CopyTo(row);
            Kernels.Axpy(z1[j] == 1 ? -1 : 1, Q2.Row(j), row); // unit j of z1 flips: l2 moves by -+ row j of V2
        }
    }

    void ITwoLayerBernoulliModel.Layer2Backward(ReadOnlySpan<double> dl2, Span<double> dz1)
    {
        for (int j = 0; j < Units; j++) dz1[j] += Kernels.Dot(Q2.Row(j), dl2);
    }

    private static void Logits(DenseLayer layer, ReadOnlySpan<double> input, Span<double> s)
    {
        layer.Bias.CopyTo(s);
        for (int k = 0; k < layer.In; k++)
            if (input[k] != 0) Kernels.Axpy(input[k], layer.Row(k), s);
    }

    private ReadOnlySpan<double> Row(int row) => _data.AsSpan(row * Pixels, Pixels);

    /// <summary>
    /// f at binary (z1, z2) for data row <paramref name="row"/>: log p(x | z1) + log p(z1 | z2) + log p(z2) - log q(z1 |
    /// x) - log q(z2 | z1). Keeps z1, z2, the decoders' logits and the parts for the flips.
    /// </summary>
    public double Value(int row, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, ReadOnlySpan<double> z1, ReadOnlySpan<double> z2)
    {
        var x = Row(row);
        SetModelLogits(z1, z2);
        _parts = (Kernels.BernoulliLogLikelihood(x, _sX), Kernels.BernoulliLogLikelihood(_z1, _s1),
            Kernels.BernoulliLogLikelihood(_z2, PriorLogits), Kernels.BernoulliLogLikelihood(_z1, l1), Kernels.BernoulliLogLikelihood(_z2, l2));
        var (lx, lz1, lp2, lq1, lq2) = _parts;
        _f = lx + lz1 + lp2 - lq1 - lq2;
        _row = row;
        l1.CopyTo(_rowL1);
        l2.CopyTo(_l2);
        return _f;
    }

    // f with z2_k flipped (z1 fixed): p(z1 | z2)'s logits move by +-U_k, and unit k's prior and posterior terms change.
    void ITwoLayerBernoulliModel.FlipLayer2(Span<double> values)
    {
        for (int k = 0; k < Units; k++)
        {
            double sign = _z2[k] == 1 ? -1 : 1;
            values[k] = _f - _parts.L1 + Kernels.BernoulliLogLikelihoodShifted(_z1, _s1, P1.Row(k), sign) + sign * PriorLogits[k] - sign * _l2[k];
        }
    }

    // f with z1_j flipped and z2 at the runtime's z2' (drawn at the same uniforms from l2'): p(x | z1)'s logits move by
    // +-W_j, p(z1 | z2)'s by U_k for each unit k of z2 that changed. Every flipped evaluation is a rank-one update.
    void ITwoLayerBernoulliModel.FlipLayer1(ReadOnlySpan<double> flippedLogits2, ReadOnlySpan<double> flippedZ2, Span<double> values)
    {
        int n = Units;
        var x = Row(_row);
        var l1 = _rowL1;
        for (int j = 0; j < n; j++)
        {
            var l2f = flippedLogits2.Slice(j * n, n);
            var z2f = flippedZ2.Slice(j * n, n);
            double sign = _z1[j] == 1 ? -1 : 1;
            double lx = Kernels.BernoulliLogLikelihoodShifted(x, _sX, PX.Row(j), sign);
            _s1.CopyTo(_s1f);
            double lp2 = _parts.Lp2;
            for (int k = 0; k < n; k++)
            {
                double change = z2f[k] - _z2[k];
                if (change != 0) { Kernels.Axpy(change, P1.Row(k), _s1f); lp2 += change * PriorLogits[k]; }
            }
            // log p(z1' | z2') with z1' = z1 but unit j flipped: the sum at z1 plus sign * s1'_j.
            double lz1 = Kernels.BernoulliLogLikelihood(_z1, _s1f) + sign * _s1f[j];
            double lq1 = _parts.Lq1 + sign * l1[j];
            double lq2 = Kernels.BernoulliLogLikelihood(z2f, l2f);
            values[j] = lx + lz1 + lp2 - lq1 - lq2;
        }
    }

    /// <summary>
    /// f at (z1, z2) = (v1, v2), binary or relaxed in [0, 1], with the posterior logits l1, l2 held fixed, each term a
    /// Bernoulli log-likelihood sum_i v_i s_i - softplus(s_i); if dv1 is not empty writes df/dv1_j = sum_i (x_i -
    /// sigmoid(sX_i)) V1_ji + s1_j - l1_j and df/dv2_k = sum_i (v1_i - sigmoid(s1_i)) U_ki + prior_k - l2_k.
    /// </summary>
    public double RelaxedValue(int row, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, ReadOnlySpan<double> v1, ReadOnlySpan<double> v2,
        Span<double> dv1, Span<double> dv2)
    {
        var x = Row(row);
        SetModelLogits(v1, v2);
        double f = Kernels.BernoulliLogLikelihood(x, _sX) + Kernels.BernoulliLogLikelihood(_z1, _s1) + Kernels.BernoulliLogLikelihood(_z2, PriorLogits)
            - Kernels.BernoulliLogLikelihood(_z1, l1) - Kernels.BernoulliLogLikelihood(_z2, l2);
        if (dv1.IsEmpty) return f;
        int n = Units;
        for (int i = 0; i < Pixels; i++) _g[i] = x[i] - Kernels.Sigmoid(_sX[i]);
        for (int i = 0; i < n; i++) _s1f[i] = _z1[i] - Kernels.Sigmoid(_s1[i]);
        for (int j = 0; j < n; j++)
        {
            dv1[j] = Kernels.Dot(PX.Row(j), _g) + _s1[j] - l1[j];
            dv2[j] = Kernels.Dot(P1.Row(j), _s1f) + PriorLogits[j] - l2[j];
        }
        return f;
    }

    // _z1 = v1, _z2 = v2 and the model's logits there: p(x | z1)'s in _sX, p(z1 | z2)'s in _s1.
    private void SetModelLogits(ReadOnlySpan<double> v1, ReadOnlySpan<double> v2)
    {
        v1.CopyTo(_z1); v2.CopyTo(_z2);
        Logits(PX, _z1, _sX);
        Logits(P1, _z2, _s1);
    }

    private TwoLayerBernoulliEstimator Chain(IDiscreteGradientEstimator estimator)
    {
        if (_chain is null || _chain.Estimator != estimator) _chain = new TwoLayerBernoulliEstimator(estimator);
        return _chain;
    }

    public double ComputeGradient(double[] x, int batch, IDiscreteGradientEstimator estimator, RandomSource random)
    {
        _q1.ZeroGradient(); _q2.ZeroGradient(); _decoders.ZeroGradient();
        Array.Clear(_priorGradient);
        var chain = Chain(estimator);
        chain.BeginBatch();
        int n = Units;
        var l1 = Q1.Forward(x, batch);
        if (_dl1.Length < batch * n) { _dl1 = new double[batch * n]; _dl2 = new double[batch * n]; _c1 = new double[batch * n]; _c2 = new double[batch * n]; }
        var dl1 = _dl1.AsSpan(0, batch * n);
        var dl2 = _dl2.AsSpan(0, batch * n);
        var c1 = _c1.AsSpan(0, batch * n);
        var c2 = _c2.AsSpan(0, batch * n);
        _data = x;
        double mean = chain.Estimate(this, l1.AsSpan(0, batch * n), batch, random, dl1, dl2, c1, c2);
        // The decoders and the prior at each row's configuration; the encoders by backpropagating the logit gradients.
        for (int r = 0; r < batch; r++)
        {
            SetModelLogits(c1.Slice(r * n, n), c2.Slice(r * n, n));
            ModelGradient(x.AsSpan(r * Pixels, Pixels));
        }
        Q1.Backward(_dl1);
        Q2.AccumulateGradient(c1, batch, dl2);
        return mean;
    }

    // d f / d (W, d, U, c, prior) at the current (z1, z2): each a Bernoulli log-likelihood's (target - sigmoid) times input.
    private void ModelGradient(ReadOnlySpan<double> x)
    {
        for (int i = 0; i < Pixels; i++) _g[i] = x[i] - Kernels.Sigmoid(_sX[i]);
        AddLayerGradient(PX, _z1, _g);
        for (int i = 0; i < Units; i++) _s1f[i] = _z1[i] - Kernels.Sigmoid(_s1[i]);
        AddLayerGradient(P1, _z2, _s1f);
        for (int k = 0; k < Units; k++) _priorGradient[k] += _z2[k] - Kernels.Sigmoid(PriorLogits[k]);
    }

    private static void AddLayerGradient(DenseLayer layer, ReadOnlySpan<double> input, ReadOnlySpan<double> delta)
    {
        var grad = layer.Gradient.AsSpan();
        Kernels.Axpy(1, delta, grad.Slice(layer.In * layer.Out, layer.Out));
        for (int k = 0; k < layer.In; k++)
            if (input[k] != 0) Kernels.Axpy(input[k], delta, grad.Slice(k * layer.Out, layer.Out));
    }

    public double TrainStep(double[] x, int batch, IDiscreteGradientEstimator estimator, RandomSource random)
    {
        double mean = ComputeGradient(x, batch, estimator, random);
        _q1.Ascend(1.0 / batch);
        _q2.Ascend(1.0 / batch);
        _decoders.Ascend(1.0 / batch);
        for (int k = 0; k < Units; k++) _priorStep[k] = -_priorGradient[k] / batch;
        _priorAdam.Step(PriorLogits, _priorStep);
        Chain(estimator).EndBatch(mean); // the estimator's own state and, for REBAR/RELAX, layer 2's control variate
        return mean;
    }

    public (double Elbo, double LogLikelihood) Evaluate(double[] x, int rows, int samples, RandomSource random)
    {
        int n = Units;
        var l1 = Q1.Forward(x, rows);
        var l2 = new double[n];
        var z1 = new double[n];
        var z2 = new double[n];
        var values = new double[samples];
        _data = x;
        double elbo = 0, ll = 0;
        for (int r = 0; r < rows; r++)
        {
            var l1r = l1.AsSpan(r * n, n);
            for (int s = 0; s < samples; s++) values[s] = TwoLayerBernoulliEstimator.DrawValue(this, r, l1r, random, z1, z2, l2);
            elbo += values.Average();
            ll += Kernels.LogSumExp(values) - Math.Log(samples);
        }
        return (elbo / rows, ll / rows);
    }
}
