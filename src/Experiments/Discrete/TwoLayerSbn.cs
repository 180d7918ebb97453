using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>What the experiment trains and measures: a model of binary data with discrete latents and an encoder.</summary>
public interface ILatentVariableModel
{
    /// <summary>The layers whose gradient comes from the discrete estimator (their variance is what is logged).</summary>
    IReadOnlyList<DenseLayer> EncoderLayers { get; }

    /// <summary>Fills every gradient (summed over the batch) and returns the batch's mean f at the estimator's samples.</summary>
    double ComputeGradient(double[] x, int batch, IDiscreteEstimator estimator, RandomSource random);

    /// <summary>One Adam step up the batch-mean ELBO; returns the mean f.</summary>
    double TrainStep(double[] x, int batch, IDiscreteEstimator estimator, RandomSource random);

    /// <summary>Means over the rows of a one-draw-per-sample ELBO and of the importance-sampling log-likelihood.</summary>
    (double Elbo, double LogLikelihood) Evaluate(double[] x, int rows, int samples, RandomSource random);
}

/// <summary>
/// The two-layer sigmoid belief network of the paper's Table 1: p(z2) p(z1 | z2) p(x | z1) and q(z1 | x) q(z2 | z1),
/// every conditional a layer of Bernoulli units with linear logits (z2 U + c, z1 W + d, x V1 + e1, z1 V2 + e2) and
/// p(z2) a learned factorised prior. f(z1, z2) = log p(x | z1) + log p(z1 | z2) + log p(z2) - log q(z1 | x) -
/// log q(z2 | z1). Estimators: the paper's Bernoulli rule and REINFORCE (the relaxation-based ones are not
/// implemented for this hierarchy). The rule for layer 2 is the one-layer rule given z1. For unit j of layer 1 the
/// rule needs E_{z2 | z1} f at z1 with unit j at 0 and at 1; both are taken at the same uniforms u2 (z2_k = [logit u2_k
/// less than the layer-2 logit]), which makes each an unbiased one-draw estimate, the flipped z2 following the rank-one
/// change of the layer-2 logits by row j of V2. Every flipped evaluation is a rank-one update: no layer is recomputed.
/// </summary>
public sealed class TwoLayerSbn : ILatentVariableModel
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
    // One row's scratch (no allocation per row).
    private readonly double[] _z1, _z2, _z2f, _lu2, _l2f, _sX, _s1, _s1f, _g;

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
        _z1 = new double[units]; _z2 = new double[units]; _z2f = new double[units]; _lu2 = new double[units];
        _l2f = new double[units]; _s1 = new double[units]; _s1f = new double[units];
        _sX = new double[pixels]; _g = new double[pixels];
    }

    private static void Logits(DenseLayer layer, ReadOnlySpan<double> input, Span<double> s)
    {
        layer.Bias.CopyTo(s);
        for (int k = 0; k < layer.In; k++)
            if (input[k] != 0) Kernels.Axpy(input[k], layer.Row(k), s);
    }

    /// <summary>
    /// f at (z1 = _z1, z2 = [l2 > logit u2]) for data x with layer-1 logits l1; leaves z2, sX and s1 set, and returns
    /// the parts (log p(x | z1), log p(z1 | z2), log p(z2), log q(z1 | x), log q(z2 | z1)).
    /// </summary>
    private (double Lx, double L1, double Lp2, double Lq1, double Lq2) Parts(ReadOnlySpan<double> x, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2)
    {
        for (int k = 0; k < Units; k++) _z2[k] = l2[k] > _lu2[k] ? 1 : 0;
        Logits(PX, _z1, _sX);
        Logits(P1, _z2, _s1);
        return (Kernels.BernoulliLogLikelihood(x, _sX), Kernels.BernoulliLogLikelihood(_z1, _s1),
            Kernels.BernoulliLogLikelihood(_z2, PriorLogits), Kernels.BernoulliLogLikelihood(_z1, l1), Kernels.BernoulliLogLikelihood(_z2, l2));
    }

    public double ComputeGradient(double[] x, int batch, IDiscreteEstimator estimator, RandomSource random)
    {
        bool rule = estimator is LocalExpectationEstimator { Samples: 1 };
        if (!rule && estimator is not ReinforceEstimator)
            throw new NotSupportedException($"{estimator.Name} is not implemented for the two-layer SBN");
        double baseline = estimator is ReinforceEstimator { Baseline: var b } ? b : double.NaN; // NaN: the first batch, see ReinforceEstimator
        _q1.ZeroGradient(); _q2.ZeroGradient(); _decoders.ZeroGradient();
        Array.Clear(_priorGradient);
        estimator.BeginBatch();
        int n = Units;
        var l1 = Q1.Forward(x, batch);
        var z1 = new double[batch * n];
        for (int i = 0; i < z1.Length; i++) z1[i] = random.NextDouble() < Kernels.Sigmoid(l1[i]) ? 1 : 0;
        var l2 = Q2.Forward(z1, batch);
        var dl1 = new double[batch * n];
        var dl2 = new double[batch * n];
        double total = 0;
        for (int r = 0; r < batch; r++)
        {
            var xr = x.AsSpan(r * Pixels, Pixels);
            var l1r = l1.AsSpan(r * n, n);
            var l2r = l2.AsSpan(r * n, n);
            z1.AsSpan(r * n, n).CopyTo(_z1);
            for (int k = 0; k < n; k++) { double u = random.NextDouble(); _lu2[k] = Math.Log(u) - Math.Log(1 - u); }
            var (lx, lz1, lp2, lq1, lq2) = Parts(xr, l1r, l2r);
            double f = lx + lz1 + lp2 - lq1 - lq2;
            total += f;
            var d1 = dl1.AsSpan(r * n, n);
            var d2 = dl2.AsSpan(r * n, n);
            if (rule) Rule(xr, l1r, l2r, f, (lx, lz1, lp2, lq1, lq2), d1, d2);
            else
                // REINFORCE: (f - b) d log q(z1, z2) / d logits, both layers.
                for (int k = 0; k < n; k++)
                {
                    double advantage = double.IsNaN(baseline) ? 0 : f - baseline;
                    d1[k] = advantage * (_z1[k] - Kernels.Sigmoid(l1r[k]));
                    d2[k] = advantage * (_z2[k] - Kernels.Sigmoid(l2r[k]));
                }
            ModelGradient(xr);
        }
        Q1.Backward(dl1);
        Q2.Backward(dl2);
        return total / batch;
    }

    /// <summary>
    /// The Bernoulli rule, d/d l_j = sigmoid'(l_j) (f(unit j = 1) - f(unit j = 0)), for both layers at one sample.
    /// Layer 2 given z1: flipping z2_k moves p(z1 | z2)'s logits by +-U_k and changes unit k's prior and posterior
    /// terms. Layer 1: flipping z1_j moves p(x | z1)'s logits by +-W_j and q(z2 | z1)'s by +-V2_j; z2 follows at the
    /// same u2, and p(z1 | z2)'s logits move by U_k for each unit k of z2 that changed.
    /// </summary>
    private void Rule(ReadOnlySpan<double> x, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, double f,
        (double Lx, double L1, double Lp2, double Lq1, double Lq2) parts, Span<double> d1, Span<double> d2)
    {
        int n = Units;
        for (int k = 0; k < n; k++)
        {
            double sign = _z2[k] == 1 ? -1 : 1;
            double flipped = f - parts.L1 + Kernels.BernoulliLogLikelihoodShifted(_z1, _s1, P1.Row(k), sign)
                + sign * PriorLogits[k] - sign * l2[k];
            double p = Kernels.Sigmoid(l2[k]);
            d2[k] = p * (1 - p) * (_z2[k] == 1 ? f - flipped : flipped - f);
        }
        for (int j = 0; j < n; j++)
        {
            double sign = _z1[j] == 1 ? -1 : 1;
            double lx = Kernels.BernoulliLogLikelihoodShifted(x, _sX, PX.Row(j), sign);
            l2.CopyTo(_l2f);
            Kernels.Axpy(sign, Q2.Row(j), _l2f);
            _s1.CopyTo(_s1f);
            double lp2 = parts.Lp2;
            for (int k = 0; k < n; k++)
            {
                _z2f[k] = _l2f[k] > _lu2[k] ? 1 : 0;
                double change = _z2f[k] - _z2[k];
                if (change != 0) { Kernels.Axpy(change, P1.Row(k), _s1f); lp2 += change * PriorLogits[k]; }
            }
            // log p(z1' | z2') with z1' = z1 but unit j flipped: the sum at z1 plus sign * s1'_j.
            double lz1 = Kernels.BernoulliLogLikelihood(_z1, _s1f) + sign * _s1f[j];
            double lq1 = parts.Lq1 + sign * l1[j];
            double lq2 = Kernels.BernoulliLogLikelihood(_z2f, _l2f);
            double flipped = lx + lz1 + lp2 - lq1 - lq2;
            double p = Kernels.Sigmoid(l1[j]);
            d1[j] = p * (1 - p) * (_z1[j] == 1 ? f - flipped : flipped - f);
        }
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

    public double TrainStep(double[] x, int batch, IDiscreteEstimator estimator, RandomSource random)
    {
        double mean = ComputeGradient(x, batch, estimator, random);
        _q1.Ascend(1.0 / batch);
        _q2.Ascend(1.0 / batch);
        _decoders.Ascend(1.0 / batch);
        for (int k = 0; k < Units; k++) _priorStep[k] = -_priorGradient[k] / batch;
        _priorAdam.Step(PriorLogits, _priorStep);
        estimator.EndBatch(mean);
        return mean;
    }

    public (double Elbo, double LogLikelihood) Evaluate(double[] x, int rows, int samples, RandomSource random)
    {
        int n = Units;
        var l1 = Q1.Forward(x, rows);
        var l2 = new double[n];
        var values = new double[samples];
        double elbo = 0, ll = 0;
        for (int r = 0; r < rows; r++)
        {
            var l1r = l1.AsSpan(r * n, n);
            for (int s = 0; s < samples; s++)
            {
                for (int j = 0; j < n; j++) _z1[j] = random.NextDouble() < Kernels.Sigmoid(l1r[j]) ? 1 : 0;
                Logits(Q2, _z1, l2);
                for (int k = 0; k < n; k++) { double u = random.NextDouble(); _lu2[k] = Math.Log(u) - Math.Log(1 - u); }
                var (lx, lz1, lp2, lq1, lq2) = Parts(x.AsSpan(r * Pixels, Pixels), l1r, l2);
                values[s] = lx + lz1 + lp2 - lq1 - lq2;
            }
            elbo += values.Average();
            ll += Kernels.LogSumExp(values) - Math.Log(samples);
        }
        return (elbo / rows, ll / rows);
    }
}
