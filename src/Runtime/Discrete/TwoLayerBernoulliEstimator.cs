using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// Gradient estimators for a two-layer hierarchy of Bernoulli units, <c>q(z1 | x) q(z2 | z1)</c> with
/// <c>P(z1_j = 1) = sigmoid(l1_j)</c> and <c>P(z2_k = 1) = sigmoid(l2_k)</c>, <c>l2 = z1 W + c</c>
/// (<see cref="ITwoLayerBernoulliModel"/>): estimates of <c>d E f / d l1</c> and <c>d E f / d l2</c> per data point, for a
/// block of data points, by the one-layer estimator it is built from, written out for the hierarchy:
/// <list type="bullet">
/// <item>the rule of Theorem 2 (<see cref="LocalExpectationEstimator"/> with one sample): layer 2 is the one-layer rule
/// given z1; for unit j of layer 1 the rule needs <c>E_{z2 | z1} f</c> at z1 with unit j at 0 and at 1, both taken at
/// the same uniforms u2 (<c>z2_k = [logit u2_k &lt; l2_k]</c>), so each is an unbiased one-draw estimate and the
/// flipped z2 follows the rank-one change of l2 by <c>W_j</c>;</item>
/// <item>REINFORCE (<see cref="ReinforceEstimator"/>): <c>(f - b) d log q(z1, z2) / d (l1, l2)</c>;</item>
/// <item>Gumbel-softmax (<see cref="GumbelSoftmaxEstimator"/>, binary Concrete, relaxed or straight-through): l2 is
/// computed from the relaxed (or hard) v1 and f is differentiated through v2, l2 = v1 W + c, v1 and l1;</item>
/// <item>REBAR / RELAX (<see cref="RebarEstimator"/>), one estimator per layer (the given one for layer 1, its
/// <see cref="RebarEstimator.Sibling"/> for layer 2), from <c>d E f = E_b1[d E_{b2 | b1} f] + E[f d log q(b1)]</c>:
/// layer 2 given b1 uses the control variate <c>f(b1, sigmoid(z2 / lambda))</c>; layer 1 uses
/// <c>c1(z1) = f(y1, y2)</c> at <c>y1 = sigmoid(z1 / lambda)</c> and <c>y2 = sigmoid((y1 W + c + logit u2) / lambda)</c>,
/// u2 the uniforms that drew b2. c1 is continuous in z1 and its noise u2 is independent of layer 1's, so
/// <c>E_u1 c1(z1) = E_b1 E_v1 c1(z~1)</c> holds at every u2 and both parts are unbiased.</item>
/// </list>
/// The draws come from the given <see cref="RandomSource"/> in a fixed order (layer 1 for the whole block, then per
/// data point layer 2's), so a seed fixes every estimate.
/// </summary>
/// <remarks>
/// Buffers are sized on the first call for a block size and reused: once warm, <see cref="Estimate"/> allocates
/// nothing. Use one instance from one thread at a time.
/// The README's "Discrete latent variables" section has a worked example (with <see cref="TwoLayerBernoulliModel"/>).
/// </remarks>
public sealed class TwoLayerBernoulliEstimator
{
    private enum Kind { Rule, Reinforce, Gumbel, Rebar }

    private readonly Kind _kind;
    private readonly ReinforceEstimator? _reinforce;
    private readonly GumbelSoftmaxEstimator? _gumbel;
    private readonly RebarEstimator? _rebar1, _rebar2;
    private readonly FlipObjective _flips = new();
    private readonly FirstLayer _first;
    private readonly SecondLayer _second;
    private int _n1, _n2, _rows;
    // The block's layer-2 logits and layer 1's uniforms and relaxed sample; one row's scratch after them.
    private double[] _l2 = [], _u1 = [], _y1 = [];
    private double[] _lu2 = [], _z2 = [], _y2 = [], _v2 = [], _dv2 = [], _full = [], _logQ1 = [], _logQ2 = [], _values = [], _gradFull = [],
        _flipLogits = [], _flipZ2 = [], _flip1 = [], _flip2 = [], _u = [], _v = [], _l2Row = [], _y2Row = [], _d2Row = [], _dv1Scratch = [];
    private int[] _state1 = [], _state2 = [], _b = [];
    // REBAR's current row, as its two relaxations see it.
    private ITwoLayerBernoulliModel? _model;
    private int _row;
    private double[] _rowL1 = [], _rowB1 = [], _rowL2 = [], _rowV2 = [];

    /// <param name="estimator">
    /// The one-layer estimator to extend to the hierarchy: the rule (one sample), REINFORCE, Gumbel-softmax or
    /// REBAR/RELAX. REINFORCE's baseline and REBAR/RELAX's layer-1 control variate are that instance's.
    /// </param>
    /// <exception cref="NotSupportedException">Another estimator (the rule with more than one sample).</exception>
    public TwoLayerBernoulliEstimator(IDiscreteGradientEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        Estimator = estimator;
        switch (estimator)
        {
            case LocalExpectationEstimator { Samples: 1 }: _kind = Kind.Rule; break;
            case ReinforceEstimator r: _kind = Kind.Reinforce; _reinforce = r; break;
            case GumbelSoftmaxEstimator g: _kind = Kind.Gumbel; _gumbel = g; break;
            case RebarEstimator rebar: _kind = Kind.Rebar; _rebar1 = rebar; _rebar2 = rebar.Sibling(); break;
            default:
                throw new NotSupportedException($"{estimator.Name} is not implemented for a two-layer hierarchy (the rule with one sample, reinforce, gumbel-st, gumbel-relaxed, rebar and relax are)");
        }
        _first = new FirstLayer(this);
        _second = new SecondLayer(this);
    }

    /// <summary>The one-layer estimator this one extends.</summary>
    public IDiscreteGradientEstimator Estimator { get; }

    /// <summary>REBAR/RELAX's estimator for layer 2 (its own eta, temperature and network); null for the others.</summary>
    public RebarEstimator? Layer2Rebar => _rebar2;

    /// <summary>Before a batch's estimates (see <see cref="IDiscreteGradientEstimator.BeginBatch"/>).</summary>
    public void BeginBatch()
    {
        Estimator.BeginBatch();
        _rebar2?.BeginBatch();
    }

    /// <summary>After a batch, with its mean f: REINFORCE's baseline, both layers' REBAR/RELAX control variates.</summary>
    public void EndBatch(double meanValue)
    {
        Estimator.EndBatch(meanValue);
        _rebar2?.EndBatch(meanValue);
    }

    /// <summary>
    /// One estimate per data point of a block: <paramref name="gradient1"/> (rows x Units1) and
    /// <paramref name="gradient2"/> (rows x Units2) receive the estimates of <c>d f / d l1</c> and <c>d f / d l2</c>, l2
    /// taken at <paramref name="configuration1"/>; <paramref name="configuration1"/> and <paramref name="configuration2"/>
    /// receive the configuration (binary, or relaxed for relaxed Gumbel-softmax) at which the model should differentiate
    /// its own parameters (a decoder, a prior). Returns the mean f over the block.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match rows and the model's units.</exception>
    public double Estimate(ITwoLayerBernoulliModel model, ReadOnlySpan<double> logits1, int rows, RandomSource random,
        Span<double> gradient1, Span<double> gradient2, Span<double> configuration1, Span<double> configuration2)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(random);
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"rows must be at least 1 (got {rows})");
        Prepare(model, rows);
        int n1 = _n1, n2 = _n2;
        Require(logits1.Length, rows * n1, nameof(logits1));
        Require(gradient1.Length, rows * n1, nameof(gradient1));
        Require(configuration1.Length, rows * n1, nameof(configuration1));
        Require(gradient2.Length, rows * n2, nameof(gradient2));
        Require(configuration2.Length, rows * n2, nameof(configuration2));
        return _kind switch
        {
            Kind.Rule or Kind.Reinforce => RuleOrReinforce(model, logits1, rows, random, gradient1, gradient2, configuration1, configuration2),
            Kind.Gumbel => Gumbel(model, logits1, rows, random, gradient1, gradient2, configuration1, configuration2),
            _ => Rebar(model, logits1, rows, random, gradient1, gradient2, configuration1, configuration2),
        };
    }

    /// <summary>
    /// Draws (z1, z2) ~ q(z1 | l1) q(z2 | z1) for data point <paramref name="row"/> (z1 by one uniform per unit, then
    /// l2 = z1 W + c into <paramref name="logits2"/>, then z2 by one uniform per unit) and returns f there: one
    /// draw of the ELBO's integrand, for evaluating a model.
    /// </summary>
    public static double DrawValue(ITwoLayerBernoulliModel model, int row, ReadOnlySpan<double> logits1, RandomSource random,
        Span<double> z1, Span<double> z2, Span<double> logits2)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(random);
        int n1 = model.Units1, n2 = model.Units2;
        Require(logits1.Length, n1, nameof(logits1));
        Require(z1.Length, n1, nameof(z1));
        Require(z2.Length, n2, nameof(z2));
        Require(logits2.Length, n2, nameof(logits2));
        for (int j = 0; j < n1; j++) z1[j] = random.NextDouble() < DiscreteLayer.Sigmoid(logits1[j]) ? 1 : 0;
        model.Layer2Logits(z1, 1, logits2);
        // z2_k = [logit u_k < l2_k]: the logistic form of u_k < sigmoid(l2_k), as the estimators draw it.
        for (int k = 0; k < n2; k++) z2[k] = logits2[k] > DiscreteLayer.Logit(random.NextDouble()) ? 1 : 0;
        return model.Value(row, logits1, logits2, z1, z2);
    }

    private static void Require(int length, int expected, string name)
    {
        if (length != expected) throw new ArgumentException($"{name} has {length} entries; this block needs {expected}", name);
    }

    private void Prepare(ITwoLayerBernoulliModel model, int rows)
    {
        int n1 = model.Units1, n2 = model.Units2;
        if (n1 < 1 || n2 < 1) throw new ArgumentException($"the model's layers need at least one unit each (got {n1} and {n2})", nameof(model));
        if (n1 != _n1 || n2 != _n2)
        {
            _n1 = n1; _n2 = n2; _rows = 0;
            int m = Math.Max(n1, n2);
            _lu2 = new double[n2]; _z2 = new double[n2]; _y2 = new double[n2]; _v2 = new double[n2]; _dv2 = new double[n2];
            _full = new double[2 * m]; _logQ1 = new double[2 * n1]; _logQ2 = new double[2 * n2]; _values = new double[2 * m]; _gradFull = new double[2 * m];
            _flipLogits = new double[n1 * n2]; _flipZ2 = new double[n1 * n2]; _flip1 = new double[n1]; _flip2 = new double[n2];
            _u = new double[m]; _v = new double[m]; _l2Row = new double[n2]; _y2Row = new double[n2]; _d2Row = new double[n2]; _dv1Scratch = new double[n1];
            _state1 = new int[n1]; _state2 = new int[n2]; _b = new int[m];
            _rowL1 = new double[n1]; _rowB1 = new double[n1]; _rowL2 = new double[n2]; _rowV2 = new double[n2];
        }
        if (rows > _rows)
        {
            _rows = rows;
            _l2 = new double[rows * n2]; _u1 = new double[rows * n1]; _y1 = new double[rows * n1];
        }
    }

    // Full-layout log-probabilities of Bernoulli logits l: (log sigmoid(-l_k), log sigmoid(l_k)) per unit.
    private void LogQ(DiscreteLayer layer, ReadOnlySpan<double> l, Span<double> logQ)
    {
        for (int k = 0; k < l.Length; k++) { _full[2 * k] = 0; _full[2 * k + 1] = l[k]; }
        layer.LogProbabilities(_full.AsSpan(0, 2 * l.Length), logQ);
    }

    // The class-1 entries of a full-layout gradient: a Bernoulli unit's only logit.
    private void Contract(Span<double> d)
    {
        for (int k = 0; k < d.Length; k++) d[k] = _gradFull[2 * k + 1];
    }

    private double RuleOrReinforce(ITwoLayerBernoulliModel model, ReadOnlySpan<double> l1, int batch, RandomSource random,
        Span<double> dl1, Span<double> dl2, Span<double> z1, Span<double> z2Out)
    {
        bool rule = _kind == Kind.Rule;
        double baseline = _reinforce?.Baseline ?? double.NaN; // NaN: the first batch, see ReinforceEstimator
        int n1 = _n1, n2 = _n2;
        var layer1 = DiscreteLayer.Bernoulli(n1);
        var layer2 = DiscreteLayer.Bernoulli(n2);
        for (int i = 0; i < batch * n1; i++) z1[i] = random.NextDouble() < DiscreteLayer.Sigmoid(l1[i]) ? 1 : 0;
        var l2 = _l2.AsSpan(0, batch * n2);
        model.Layer2Logits(z1, batch, l2);
        double total = 0;
        for (int r = 0; r < batch; r++)
        {
            var l1r = l1.Slice(r * n1, n1);
            var l2r = l2.Slice(r * n2, n2);
            var z1r = z1.Slice(r * n1, n1);
            for (int k = 0; k < n2; k++) _lu2[k] = DiscreteLayer.Logit(random.NextDouble());
            for (int k = 0; k < n2; k++) _z2[k] = l2r[k] > _lu2[k] ? 1 : 0;
            double f = model.Value(r, l1r, l2r, z1r, _z2);
            total += f;
            var d1 = dl1.Slice(r * n1, n1);
            var d2 = dl2.Slice(r * n2, n2);
            LogQ(layer1, l1r, _logQ1);
            LogQ(layer2, l2r, _logQ2);
            for (int k = 0; k < n1; k++) _state1[k] = (int)z1r[k];
            for (int k = 0; k < n2; k++) _state2[k] = (int)_z2[k];
            if (rule)
            {
                // Layer 2 given z1: the one-layer rule at z2's flips.
                model.FlipLayer2(_flip2);
                _flips.Set(layer2, f, _flip2);
                _gradFull.AsSpan(0, 2 * n2).Clear();
                LocalExpectationEstimator.Accumulate(_flips, _logQ2, _state2, _values, _gradFull);
                Contract(d2);
                // Layer 1: unit j flipped moves l2 by +-W_j; z2 follows at the same uniforms u2.
                model.Layer2FlipLogits(z1r, l2r, _flipLogits);
                for (int j = 0; j < n1; j++)
                    for (int k = 0; k < n2; k++) _flipZ2[j * n2 + k] = _flipLogits[j * n2 + k] > _lu2[k] ? 1 : 0;
                model.FlipLayer1(_flipLogits, _flipZ2, _flip1);
                _flips.Set(layer1, f, _flip1);
                _gradFull.AsSpan(0, 2 * n1).Clear();
                LocalExpectationEstimator.Accumulate(_flips, _logQ1, _state1, _values, _gradFull);
                Contract(d1);
            }
            else
            {
                // REINFORCE: (f - b) d log q(z1, z2) / d logits, both layers (NaN b: the first batch, see ReinforceEstimator).
                double advantage = double.IsNaN(baseline) ? 0 : f - baseline;
                ReinforceEstimator.Accumulate(layer1, _logQ1, _state1, advantage, _gradFull);
                Contract(d1);
                ReinforceEstimator.Accumulate(layer2, _logQ2, _state2, advantage, _gradFull);
                Contract(d2);
            }
            _z2.CopyTo(z2Out.Slice(r * n2, n2));
        }
        return total / batch;
    }

    /// <summary>
    /// Gumbel-softmax for the hierarchy (binary Concrete per unit): z = l + logit(u), y = sigmoid(z / tau). Relaxed:
    /// l2 = y1 W + c and f is evaluated at (y1, y2), every term's gradient taken by the chain rule (through y2 into l2,
    /// on into y1 and l1). Straight-through: the forward pass uses b = H(z) in both layers (so l2 = b1 W + c), the
    /// backward pass the same chain with d b / d z replaced by d y / d z.
    /// </summary>
    private double Gumbel(ITwoLayerBernoulliModel model, ReadOnlySpan<double> l1, int batch, RandomSource random,
        Span<double> dl1, Span<double> dl2, Span<double> v1, Span<double> v2Out)
    {
        double tau = _gumbel!.Temperature;
        bool straightThrough = _gumbel.StraightThrough;
        bool logQ = model.SubtractsLogQ;
        int n1 = _n1, n2 = _n2;
        var y1 = _y1.AsSpan(0, batch * n1);
        for (int i = 0; i < batch * n1; i++)
        {
            double z = l1[i] + DiscreteLayer.Logit(random.NextDouble());
            y1[i] = DiscreteLayer.Sigmoid(z / tau);
            v1[i] = straightThrough ? (z > 0 ? 1 : 0) : y1[i];
        }
        var l2 = _l2.AsSpan(0, batch * n2);
        model.Layer2Logits(v1, batch, l2);
        double total = 0;
        for (int r = 0; r < batch; r++)
        {
            var l1r = l1.Slice(r * n1, n1);
            var l2r = l2.Slice(r * n2, n2);
            for (int k = 0; k < n2; k++)
            {
                double z = l2r[k] + DiscreteLayer.Logit(random.NextDouble());
                _y2[k] = DiscreteLayer.Sigmoid(z / tau);
                _v2[k] = straightThrough ? (z > 0 ? 1 : 0) : _y2[k];
            }
            var d1 = dl1.Slice(r * n1, n1);
            var v1r = v1.Slice(r * n1, n1);
            total += Chained(model, r, l1r, l2r, v1r, _v2, _y2, tau, d1, dl2.Slice(r * n2, n2));
            var y1r = y1.Slice(r * n1, n1);
            for (int j = 0; j < n1; j++)
            {
                d1[j] = d1[j] * y1r[j] * (1 - y1r[j]) / tau; // through y1
                if (logQ) d1[j] -= v1r[j] - DiscreteLayer.Sigmoid(l1r[j]); // -log q(v1 | l1)'s own l1
            }
            _v2.CopyTo(v2Out.Slice(r * n2, n2));
        }
        return total / batch;
    }

    /// <summary>
    /// f at (v1, v2) given l2 (computed from v1) and its derivative through layer 2: d2 = df/dl2 with v2 moving as
    /// y2 = sigmoid((l2 + noise) / tau) does (d v2 / d z2 = y2 (1 - y2) / tau, the straight-through Jacobian when v2 is
    /// hard) plus -log q(v2 | l2)'s own dependence, and dv1 = df/dv1 including the path v1 -> l2 = v1 W + c.
    /// </summary>
    private double Chained(ITwoLayerBernoulliModel model, int row, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, ReadOnlySpan<double> v1,
        ReadOnlySpan<double> v2, ReadOnlySpan<double> y2, double tau, Span<double> dv1, Span<double> d2)
    {
        double f = model.RelaxedValue(row, l1, l2, v1, v2, dv1, _dv2);
        bool logQ = model.SubtractsLogQ;
        for (int k = 0; k < _n2; k++)
        {
            d2[k] = _dv2[k] * y2[k] * (1 - y2[k]) / tau;
            if (logQ) d2[k] -= v2[k] - DiscreteLayer.Sigmoid(l2[k]);
        }
        model.Layer2Backward(d2, dv1);
        return f;
    }

    /// <summary>REBAR / RELAX on the hierarchy (see the class summary); layer 2's logit gradient goes back through l2 = b1 W + c by the caller.</summary>
    private double Rebar(ITwoLayerBernoulliModel model, ReadOnlySpan<double> l1, int batch, RandomSource random,
        Span<double> dl1, Span<double> dl2, Span<double> b1, Span<double> v2Out)
    {
        var rebar = _rebar1!;
        var rebar2 = _rebar2!;
        int n1 = _n1, n2 = _n2;
        var u1 = _u1.AsSpan(0, batch * n1);
        for (int i = 0; i < batch * n1; i++)
        {
            u1[i] = random.NextDouble();
            b1[i] = l1[i] + DiscreteLayer.Logit(u1[i]) > 0 ? 1 : 0; // as RebarEstimator draws b
        }
        var l2 = _l2.AsSpan(0, batch * n2);
        model.Layer2Logits(b1, batch, l2);
        _model = model;
        double total = 0;
        for (int r = 0; r < batch; r++)
        {
            // The row both layers' relaxations see.
            _row = r;
            l1.Slice(r * n1, n1).CopyTo(_rowL1);
            b1.Slice(r * n1, n1).CopyTo(_rowB1);
            l2.Slice(r * n2, n2).CopyTo(_rowL2);
            for (int k = 0; k < n2; k++) { _u[k] = random.NextDouble(); _v[k] = random.NextDouble(); }
            double f = rebar2.EstimateBinary(_second, _u.AsSpan(0, n2), _v.AsSpan(0, n2), _b.AsSpan(0, n2), dl2.Slice(r * n2, n2));
            for (int k = 0; k < n2; k++) { _v2[k] = _b[k]; _lu2[k] = DiscreteLayer.Logit(_u[k]); }
            _first.SampleValue = f;
            for (int j = 0; j < n1; j++) _v[j] = random.NextDouble();
            rebar.EstimateBinary(_first, u1.Slice(r * n1, n1), _v.AsSpan(0, n1), _b.AsSpan(0, n1), dl1.Slice(r * n1, n1));
            for (int j = 0; j < n1; j++)
                if (_b[j] != b1[r * n1 + j]) throw new InvalidOperationException("REBAR's layer-1 sample differs from the one q(z2 | z1) was computed at");
            total += f;
            _v2.CopyTo(v2Out.Slice(r * n2, n2));
        }
        _model = null;
        return total / batch;
    }

    /// <summary>Layer 2 of the current row given its b1: f(b1, y2) at the logits l2 = b1 W + c.</summary>
    private sealed class SecondLayer(TwoLayerBernoulliEstimator owner) : IBinaryRelaxation
    {
        public int Units => owner._n2;
        public bool SubtractsLogQ => owner._model!.SubtractsLogQ;
        public double Logit(int k) => owner._rowL2[k];

        public double Value(ReadOnlySpan<int> b)
        {
            for (int k = 0; k < Units; k++) owner._rowV2[k] = b[k];
            return owner._model!.RelaxedValue(owner._row, owner._rowL1, owner._rowL2, owner._rowB1, owner._rowV2, [], []);
        }

        public double ValueAndGradient(ReadOnlySpan<double> y, double temperature, Span<double> dy) =>
            owner._model!.RelaxedValue(owner._row, owner._rowL1, owner._rowL2, owner._rowB1, y, owner._dv1Scratch, dy);
    }

    /// <summary>
    /// Layer 1 of the current row: at binary b1 the sample's f (layer 2 already drew b2 there); relaxed, f(y1, y2) with
    /// l2 = y1 W + c and y2 = sigmoid((l2 + logit u2) / lambda) at layer 2's uniforms, differentiated through both.
    /// </summary>
    private sealed class FirstLayer(TwoLayerBernoulliEstimator owner) : IBinaryRelaxation
    {
        public double SampleValue { get; set; }
        public int Units => owner._n1;
        public bool SubtractsLogQ => owner._model!.SubtractsLogQ;
        public double Logit(int j) => owner._rowL1[j];

        public double Value(ReadOnlySpan<int> b)
        {
            for (int j = 0; j < Units; j++)
                if (b[j] != owner._rowB1[j]) throw new InvalidOperationException("layer 1 is evaluated only at its drawn sample");
            return SampleValue;
        }

        public double ValueAndGradient(ReadOnlySpan<double> y, double temperature, Span<double> dy)
        {
            var model = owner._model!;
            int n2 = owner._n2;
            var l2 = owner._l2Row;
            var y2 = owner._y2Row;
            model.Layer2Logits(y, 1, l2);
            for (int k = 0; k < n2; k++) y2[k] = DiscreteLayer.Sigmoid((l2[k] + owner._lu2[k]) / temperature);
            return owner.Chained(model, owner._row, owner._rowL1, l2, y, y2, y2, temperature, dy, owner._d2Row);
        }
    }

    /// <summary>The rule's view of one layer's flips: values[2 j + k] = f with unit j set to k, the other at the drawn state.</summary>
    private sealed class FlipObjective : IDiscreteObjective
    {
        private double _f;
        private double[] _flipped = [];

        public DiscreteLayer Layer { get; private set; } = DiscreteLayer.Bernoulli(1);

        public void Set(DiscreteLayer layer, double f, double[] flipped) { Layer = layer; _f = f; _flipped = flipped; }

        public double Value(ReadOnlySpan<int> state) => _f;

        public double EvaluateFlipped(ReadOnlySpan<int> state, Span<double> values)
        {
            for (int j = 0; j < Layer.Variables; j++)
            {
                values[2 * j + state[j]] = _f;
                values[2 * j + 1 - state[j]] = _flipped[j];
            }
            return _f;
        }
    }
}
