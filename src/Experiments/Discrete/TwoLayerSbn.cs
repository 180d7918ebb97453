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
/// log q(z2 | z1). Estimators: the paper's Bernoulli rule, REINFORCE, Gumbel-softmax (relaxed and straight-through)
/// and REBAR/RELAX, each written out for the hierarchy below. The rule for layer 2 is the one-layer rule given z1. For unit j of layer 1 the
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
    // The relaxations' scratch: one row's (v1, v2), y2, df/dv, and REBAR's uniforms and sample.
    private readonly double[] _v1, _v2, _y2, _dv1, _dv2, _u, _v;
    private readonly int[] _b;
    private readonly FirstLayer _layer1;
    private readonly SecondLayer _layer2;
    private RebarEstimator? _layer2Rebar, _layer2Owner;
    // The runtime's view of one row's two layers for the rule and REINFORCE: full-layout log-probabilities, the drawn
    // states, the flipped values and the full-layout gradient.
    private readonly DiscreteLayer _layer;
    private readonly double[] _full, _logQ1, _logQ2, _flipValues, _gradFull;
    private readonly int[] _state1, _state2;
    private readonly RuleRow _row;

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
        _v1 = new double[units]; _v2 = new double[units]; _y2 = new double[units]; _dv1 = new double[units]; _dv2 = new double[units];
        _u = new double[units]; _v = new double[units]; _b = new int[units];
        _layer1 = new FirstLayer(this);
        _layer2 = new SecondLayer(this);
        _layer = DiscreteLayer.Bernoulli(units);
        _full = new double[2 * units]; _logQ1 = new double[2 * units]; _logQ2 = new double[2 * units];
        _flipValues = new double[2 * units]; _gradFull = new double[2 * units];
        _state1 = new int[units]; _state2 = new int[units];
        _row = new RuleRow(this);
    }

    // Full-layout log-probabilities of Bernoulli logits l: (log sigmoid(-l_k), log sigmoid(l_k)) per unit.
    private void LogQ(ReadOnlySpan<double> l, Span<double> logQ)
    {
        for (int k = 0; k < Units; k++) { _full[2 * k] = 0; _full[2 * k + 1] = l[k]; }
        _layer.LogProbabilities(_full, logQ);
    }

    // A full-layout gradient to the class-1 logits (the layers' only logits).
    private void Contract(Span<double> d)
    {
        for (int k = 0; k < Units; k++) d[k] = _gradFull[2 * k + 1];
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

    public double ComputeGradient(double[] x, int batch, IDiscreteGradientEstimator estimator, RandomSource random)
    {
        _q1.ZeroGradient(); _q2.ZeroGradient(); _decoders.ZeroGradient();
        Array.Clear(_priorGradient);
        estimator.BeginBatch();
        return estimator switch
        {
            LocalExpectationEstimator { Samples: 1 } or ReinforceEstimator => RuleOrReinforce(x, batch, estimator, random),
            GumbelSoftmaxEstimator gumbel => GumbelSoftmax(x, batch, gumbel.Temperature, gumbel.StraightThrough, random),
            RebarEstimator rebar => Rebar(x, batch, rebar, random),
            _ => throw new NotSupportedException($"{estimator.Name} is not implemented for the two-layer SBN"),
        };
    }

    private double RuleOrReinforce(double[] x, int batch, IDiscreteGradientEstimator estimator, RandomSource random)
    {
        bool rule = estimator is LocalExpectationEstimator;
        double baseline = estimator is ReinforceEstimator { Baseline: var b } ? b : double.NaN; // NaN: the first batch, see ReinforceEstimator
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
            for (int k = 0; k < n; k++) _lu2[k] = Kernels.Logit(random.NextDouble());
            var (lx, lz1, lp2, lq1, lq2) = Parts(xr, l1r, l2r);
            double f = lx + lz1 + lp2 - lq1 - lq2;
            total += f;
            var d1 = dl1.AsSpan(r * n, n);
            var d2 = dl2.AsSpan(r * n, n);
            LogQ(l1r, _logQ1);
            LogQ(l2r, _logQ2);
            for (int k = 0; k < n; k++) { _state1[k] = (int)_z1[k]; _state2[k] = (int)_z2[k]; }
            if (rule)
            {
                // The runtime's Theorem 2 per layer, at this row's flipped evaluations (RuleRow).
                _row.Set(xr, l1r, l2r, f, (lx, lz1, lp2, lq1, lq2));
                _row.Level = 2;
                Array.Clear(_gradFull);
                LocalExpectationEstimator.Accumulate(_row, _logQ2, _state2, _flipValues, _gradFull);
                Contract(d2);
                _row.Level = 1;
                Array.Clear(_gradFull);
                LocalExpectationEstimator.Accumulate(_row, _logQ1, _state1, _flipValues, _gradFull);
                Contract(d1);
            }
            else
            {
                // REINFORCE: (f - b) d log q(z1, z2) / d logits, both layers (NaN b: the first batch, see ReinforceEstimator).
                double advantage = double.IsNaN(baseline) ? 0 : f - baseline;
                ReinforceEstimator.Accumulate(_layer, _logQ1, _state1, advantage, _gradFull);
                Contract(d1);
                ReinforceEstimator.Accumulate(_layer, _logQ2, _state2, advantage, _gradFull);
                Contract(d2);
            }
            ModelGradient(xr);
        }
        Q1.Backward(dl1);
        Q2.Backward(dl2);
        return total / batch;
    }

    /// <summary>
    /// Gumbel-softmax for the hierarchy (binary Concrete per unit): z = l + logit(u), y = sigmoid(z / tau). Relaxed: q(z2 |
    /// z1)'s logits are computed from y1 and f is evaluated at (y1, y2), every term's gradient taken by the chain rule
    /// (through y2 into l2 = Q2(y1), on into y1 and l1). Straight-through: the forward pass uses b = H(z) in both
    /// layers (so l2 = Q2(b1)), the backward pass the same chain with d b / d z replaced by d y / d z. Returns mean f
    /// at the configuration used.
    /// </summary>
    private double GumbelSoftmax(double[] x, int batch, double tau, bool straightThrough, RandomSource random)
    {
        int n = Units;
        var l1 = Q1.Forward(x, batch);
        var y1 = new double[batch * n];
        var v1 = new double[batch * n];
        for (int i = 0; i < y1.Length; i++)
        {
            double z = l1[i] + Kernels.Logit(random.NextDouble());
            y1[i] = Kernels.Sigmoid(z / tau);
            v1[i] = straightThrough ? (z > 0 ? 1 : 0) : y1[i];
        }
        var l2 = Q2.Forward(v1, batch);
        var dl1 = new double[batch * n];
        var dl2 = new double[batch * n];
        double total = 0;
        for (int r = 0; r < batch; r++)
        {
            var xr = x.AsSpan(r * Pixels, Pixels);
            var l1r = l1.AsSpan(r * n, n);
            var l2r = l2.AsSpan(r * n, n);
            for (int k = 0; k < n; k++)
            {
                double z = l2r[k] + Kernels.Logit(random.NextDouble());
                _y2[k] = Kernels.Sigmoid(z / tau);
                _v2[k] = straightThrough ? (z > 0 ? 1 : 0) : _y2[k];
            }
            var d1 = dl1.AsSpan(r * n, n);
            total += ChainedParts(xr, l1r, l2r, v1.AsSpan(r * n, n), _v2, _y2, tau, d1, dl2.AsSpan(r * n, n));
            var y1r = y1.AsSpan(r * n, n);
            for (int j = 0; j < n; j++) d1[j] = d1[j] * y1r[j] * (1 - y1r[j]) / tau - (_z1[j] - Kernels.Sigmoid(l1r[j])); // via y1, then -log q(v1 | l1)'s own l1
            ModelGradient(xr);
        }
        Q1.Backward(dl1);
        Q2.Backward(dl2);
        return total / batch;
    }

    /// <summary>
    /// f at (v1, v2) given l2 (computed from v1 by the caller) and its derivative through layer 2: d2 = df/dl2 with v2
    /// moving as y2 = sigmoid((l2 + noise) / tau) does (d v2 / d z2 = y2 (1 - y2) / tau, the straight-through Jacobian
    /// when v2 is hard) plus -log q(v2 | l2)'s own dependence, and dv1 = df/dv1 including the path v1 -> l2 = Q2(v1).
    /// </summary>
    private double ChainedParts(ReadOnlySpan<double> x, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, ReadOnlySpan<double> v1,
        ReadOnlySpan<double> v2, ReadOnlySpan<double> y2, double tau, Span<double> dv1, Span<double> d2)
    {
        int n = Units;
        double f = RelaxedParts(x, l1, l2, v1, v2, dv1, _dv2);
        for (int k = 0; k < n; k++) d2[k] = _dv2[k] * y2[k] * (1 - y2[k]) / tau - (v2[k] - Kernels.Sigmoid(l2[k]));
        for (int j = 0; j < n; j++) dv1[j] += Kernels.Dot(Q2.Row(j), d2);
        return f;
    }

    /// <summary>
    /// REBAR / RELAX on the hierarchy, one estimator per layer (the given one for layer 1, a sibling with its own eta,
    /// temperature and network for layer 2), from d E f = E[f d log q(b1)] + E_b1[d E_{b2 | b1} f]:
    /// layer 2, given b1 (so l2 = Q2(b1) is fixed): the one-layer estimator for E_{b2 | b1} f with the control variate
    /// f(b1, sigmoid(z2 / lambda)); layer 1: the estimator for E_b1 with the control variate c1(z1) = f(y1, y2) at
    /// y1 = sigmoid(z1 / lambda) and y2 = sigmoid((Q2(y1) + logit u2) / lambda), u2 the uniforms that drew b2. c1 is
    /// continuous in z1 (a control variate through the hard b1 would not be: its pathwise derivative would miss the
    /// jump) and its noise u2 is independent of layer 1's, so E_u1 c1(z1) = E_b1 E_v1 c1(z~1) holds at every u2 and
    /// both parts are unbiased. Q2's gradient is layer 2's logit gradient backpropagated through l2 = Q2(b1).
    /// </summary>
    private double Rebar(double[] x, int batch, RebarEstimator rebar, RandomSource random)
    {
        if (_layer2Rebar is null || _layer2Owner != rebar) { _layer2Rebar = rebar.Sibling(); _layer2Owner = rebar; }
        var rebar2 = _layer2Rebar;
        rebar2.BeginBatch();
        int n = Units;
        var l1 = Q1.Forward(x, batch);
        var u1 = new double[batch * n];
        var b1 = new double[batch * n];
        for (int i = 0; i < u1.Length; i++)
        {
            u1[i] = random.NextDouble();
            b1[i] = l1[i] + Kernels.Logit(u1[i]) > 0 ? 1 : 0; // as RebarEstimator draws b
        }
        var l2 = Q2.Forward(b1, batch);
        var dl1 = new double[batch * n];
        var dl2 = new double[batch * n];
        _layer1.Data = x; _layer1.L1 = l1; _layer1.B1 = b1;
        _layer2.Data = x; _layer2.L1 = l1; _layer2.L2 = l2; _layer2.B1 = b1;
        double total = 0;
        for (int r = 0; r < batch; r++)
        {
            _layer1.Row = _layer2.Row = r;
            for (int k = 0; k < n; k++) { _u[k] = random.NextDouble(); _v[k] = random.NextDouble(); }
            double f = rebar2.EstimateBinary(_layer2, _u, _v, _b, dl2.AsSpan(r * n, n));
            for (int k = 0; k < n; k++) { _v2[k] = _b[k]; _lu2[k] = Kernels.Logit(_u[k]); }
            _layer1.SampleValue = f;
            for (int j = 0; j < n; j++) _v[j] = random.NextDouble();
            rebar.EstimateBinary(_layer1, u1.AsSpan(r * n, n), _v, _b, dl1.AsSpan(r * n, n));
            for (int j = 0; j < n; j++)
                if (_b[j] != b1[r * n + j]) throw new InvalidOperationException("REBAR's layer-1 sample differs from the one q(z2 | z1) was computed at");
            total += f;
            var xr = x.AsSpan(r * Pixels, Pixels);
            SetModelLogits(b1.AsSpan(r * n, n), _v2); // the relaxed evaluations moved them
            ModelGradient(xr);
        }
        Q1.Backward(dl1);
        Q2.Backward(dl2);
        return total / batch;
    }

    // _z1 = v1, _z2 = v2 and the model's logits there: p(x | z1)'s in _sX, p(z1 | z2)'s in _s1.
    private void SetModelLogits(ReadOnlySpan<double> v1, ReadOnlySpan<double> v2)
    {
        v1.CopyTo(_z1); v2.CopyTo(_z2);
        Logits(PX, _z1, _sX);
        Logits(P1, _z2, _s1);
    }

    /// <summary>
    /// f at (z1, z2) = (v1, v2), binary or relaxed in [0, 1], with the posterior logits l1, l2 held fixed:
    /// log p(x | v1) + log p(v1 | v2) + log p(v2) - log q(v1 | l1) - log q(v2 | l2), each a Bernoulli log-likelihood
    /// sum_i v_i s_i - softplus(s_i). Leaves _z1 = v1, _z2 = v2 and the model's logits _sX, _s1 set (for
    /// <see cref="ModelGradient"/>), and if dv1 is not empty writes df/dv1_j = sum_i (x_i - sigmoid(sX_i)) V1_ji + s1_j -
    /// l1_j and df/dv2_k = sum_i (v1_i - sigmoid(s1_i)) U_ki + prior_k - l2_k.
    /// </summary>
    private double RelaxedParts(ReadOnlySpan<double> x, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, ReadOnlySpan<double> v1,
        ReadOnlySpan<double> v2, Span<double> dv1, Span<double> dv2)
    {
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

    /// <summary>Layer 2 of the batch's row <see cref="Row"/> given its b1: f(b1, y2) at the logits l2 = Q2(b1).</summary>
    private sealed class SecondLayer(TwoLayerSbn model) : IBinaryRelaxation
    {
        public double[] Data { get; set; } = [];
        public double[] L1 { get; set; } = [];
        public double[] L2 { get; set; } = [];
        public double[] B1 { get; set; } = [];
        public int Row { get; set; }
        private readonly double[] _v2 = new double[model.Units], _dv1 = new double[model.Units];

        public int Units => model.Units;
        public bool SubtractsLogQ => true; // f holds -log q(z2 | z1)
        public double Logit(int k) => L2[Row * model.Units + k];

        public double Value(ReadOnlySpan<int> b)
        {
            for (int k = 0; k < Units; k++) _v2[k] = b[k];
            return Parts(_v2, [], []);
        }

        public double ValueAndGradient(ReadOnlySpan<double> y, double temperature, Span<double> dy) => Parts(y, _dv1, dy);

        private double Parts(ReadOnlySpan<double> v2, Span<double> dv1, Span<double> dv2)
        {
            int n = model.Units;
            return model.RelaxedParts(Data.AsSpan(Row * model.Pixels, model.Pixels), L1.AsSpan(Row * n, n), L2.AsSpan(Row * n, n),
                B1.AsSpan(Row * n, n), v2, dv1, dv2);
        }
    }

    /// <summary>
    /// Layer 1 of the batch's row <see cref="Row"/>: at binary b1 the sample's f (layer 2 already drew b2 there); relaxed,
    /// f(y1, y2) with l2 = Q2(y1) and y2 = sigmoid((l2 + logit u2) / lambda) at layer 2's uniforms, differentiated
    /// through both.
    /// </summary>
    private sealed class FirstLayer(TwoLayerSbn model) : IBinaryRelaxation
    {
        public double[] Data { get; set; } = [];
        public double[] L1 { get; set; } = [];
        public double[] B1 { get; set; } = [];
        public int Row { get; set; }
        public double SampleValue { get; set; }
        private readonly double[] _l2 = new double[model.Units], _y2 = new double[model.Units], _d2 = new double[model.Units];

        public int Units => model.Units;
        public bool SubtractsLogQ => true; // f holds -log q(z1 | x)
        public double Logit(int j) => L1[Row * model.Units + j];

        public double Value(ReadOnlySpan<int> b)
        {
            for (int j = 0; j < Units; j++)
                if (b[j] != B1[Row * Units + j]) throw new InvalidOperationException("layer 1 is evaluated only at its drawn sample");
            return SampleValue;
        }

        public double ValueAndGradient(ReadOnlySpan<double> y, double temperature, Span<double> dy)
        {
            int n = model.Units;
            Logits(model.Q2, y, _l2);
            for (int k = 0; k < n; k++) _y2[k] = Kernels.Sigmoid((_l2[k] + model._lu2[k]) / temperature);
            return model.ChainedParts(Data.AsSpan(Row * model.Pixels, model.Pixels), L1.AsSpan(Row * n, n), _l2, y, _y2, _y2, temperature, dy, _d2);
        }
    }

    /// <summary>
    /// One row's flipped evaluations for the rule, layer by layer (<see cref="Level"/>), as the runtime's
    /// <see cref="IDiscreteObjective"/>: values[2 j + k] = f with unit j of that layer set to k, the other at the drawn
    /// state. Layer 2 given z1: flipping z2_k moves p(z1 | z2)'s logits by +-U_k and changes unit k's prior and
    /// posterior terms. Layer 1: flipping z1_j moves p(x | z1)'s logits by +-W_j and q(z2 | z1)'s by +-V2_j; z2 follows
    /// at the same u2, and p(z1 | z2)'s logits move by U_k for each unit k of z2 that changed. Every flipped evaluation
    /// is a rank-one update: no layer is recomputed.
    /// </summary>
    private sealed class RuleRow(TwoLayerSbn model) : IDiscreteObjective
    {
        private double[] _x = [], _l1 = [], _l2 = [];
        private double _f;
        private (double Lx, double L1, double Lp2, double Lq1, double Lq2) _parts;

        public int Level { get; set; }
        public DiscreteLayer Layer => model._layer;

        public void Set(ReadOnlySpan<double> x, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, double f, (double, double, double, double, double) parts)
        {
            if (_x.Length != x.Length) _x = new double[x.Length];
            if (_l1.Length != l1.Length) { _l1 = new double[l1.Length]; _l2 = new double[l2.Length]; }
            x.CopyTo(_x); l1.CopyTo(_l1); l2.CopyTo(_l2);
            _f = f;
            _parts = parts;
        }

        public double Value(ReadOnlySpan<int> state)
        {
            var drawn = Level == 1 ? model._state1 : model._state2;
            if (!state.SequenceEqual(drawn)) throw new InvalidOperationException("the two-layer rule evaluates f only at the drawn sample and its flips");
            return _f;
        }

        public double EvaluateFlipped(ReadOnlySpan<int> state, Span<double> values)
        {
            double f = Value(state);
            for (int j = 0; j < model.Units; j++)
            {
                values[2 * j + state[j]] = f;
                values[2 * j + 1 - state[j]] = Level == 2 ? model.FlipLayer2(j, f, _parts, _l2) : model.FlipLayer1(j, _x, _l1, _l2, _parts);
            }
            return f;
        }
    }

    // f with z2_k flipped (z1 fixed).
    private double FlipLayer2(int k, double f, (double Lx, double L1, double Lp2, double Lq1, double Lq2) parts, ReadOnlySpan<double> l2)
    {
        double sign = _z2[k] == 1 ? -1 : 1;
        return f - parts.L1 + Kernels.BernoulliLogLikelihoodShifted(_z1, _s1, P1.Row(k), sign) + sign * PriorLogits[k] - sign * l2[k];
    }

    // f with z1_j flipped, z2 following at the same uniforms.
    private double FlipLayer1(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2,
        (double Lx, double L1, double Lp2, double Lq1, double Lq2) parts)
    {
        int n = Units;
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
        return lx + lz1 + lp2 - lq1 - lq2;
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
        estimator.EndBatch(mean);
        if (estimator == _layer2Owner) _layer2Rebar!.EndBatch(mean); // layer 2's own control variate
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
                for (int k = 0; k < n; k++) _lu2[k] = Kernels.Logit(random.NextDouble());
                var (lx, lz1, lp2, lq1, lq2) = Parts(x.AsSpan(r * Pixels, Pixels), l1r, l2);
                values[s] = lx + lz1 + lp2 - lq1 - lq2;
            }
            elbo += values.Average();
            ll += Kernels.LogSumExp(values) - Math.Log(samples);
        }
        return (elbo / rows, ll / rows);
    }
}
