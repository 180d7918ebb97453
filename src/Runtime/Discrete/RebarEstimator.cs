using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Training;

namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// REBAR (Tucker et al., 2017) and RELAX (Grathwohl et al., 2018) for Bernoulli units. Per unit j with logit l_j and
/// p_j = sigmoid(l_j): z_j = l_j + logit(u_j), b_j = H(z_j), and z~_j ~ z_j | b_j by u~_j = b_j ? 1 - p_j (1 - v_j) :
/// v_j (1 - p_j), z~_j = l_j + logit(u~_j) (u, v uniform). With a control variate c(z) the estimate is
/// <code>g_j = (f(b) - c(z~)) (b_j - p_j) + d c(z(l)) / d l_j - d c(z~(l)) / d l_j,</code>
/// unbiased for any c because E_u[c(z)] = E_b E_v[c(z~)]. REBAR: c(z) = eta f(sigmoid(z / lambda)), f at the relaxed
/// configuration (an ELBO integrand's explicit dependence on l through -log q included on both sides, see
/// <see cref="IRelaxedDiscreteObjective.SubtractsLogQ"/>); RELAX adds a
/// learned network r(z) = w2 . tanh(W1 sigmoid(z) + b1) + b0. eta, the network and log lambda are trained by Adam to
/// minimise E sum_j g_j^2 (so the variance, the mean not depending on them): eta and the network from the exact
/// gradient of sum_j g_j^2 at the drawn noise, log lambda from a central difference at the same noise (as the papers
/// tune lambda online). Deviation from the papers: the variance minimised is that of the per-example gradient with
/// respect to the logits rather than of the encoder parameters' batch gradient.
/// </summary>
public sealed class RebarEstimator : IDiscreteGradientEstimator
{
    /// <summary>The relaxation's temperature lambda (learned when <see cref="LearnTemperature"/>).</summary>
    public double Temperature { get => Math.Exp(_logTemperature[0]); set => _logTemperature[0] = Math.Log(value); }
    public double InitialTemperature { get; }
    public bool LearnTemperature { get; }
    public bool Learned { get; }
    public int Hidden { get; }
    public string Name => Learned ? "relax" : "rebar";

    /// <summary>Control parameters: W1 (Hidden x n, row-major), b1, w2, b0, then eta (the last entry).</summary>
    public double[] ControlParameters { get; private set; } = [];

    /// <summary>d/d ControlParameters of sum_j g_j^2, summed over the estimates since <see cref="BeginBatch"/>.</summary>
    public double[] VarianceGradient { get; private set; } = [];

    /// <summary>d/d log lambda of sum_j g_j^2 (central difference), summed over the batch's first <see cref="TemperatureRows"/> estimates.</summary>
    public double TemperatureGradient { get; private set; }

    public double Eta { get => ControlParameters[^1]; set => ControlParameters[^1] = value; }

    /// <summary>Estimates per batch that also measure the temperature's gradient (each costs four relaxed evaluations).</summary>
    public const int TemperatureRows = 10;
    private const double TemperatureStep = 1e-3;  // in log lambda: the central difference's error is O(step^2)

    private readonly double _learningRate;
    private readonly ulong _seed;
    private readonly double[] _logTemperature = new double[1];
    private readonly double[] _temperatureStep = new double[1];
    private readonly Adam _temperatureAdam;
    private Adam? _adam;
    private FullLayout? _full;
    private int _count, _temperatureCount, _n;
    private int[] _b = [];
    private double[] _p = [], _s = [], _z = [], _zt = [], _dzt = [], _y = [], _dy = [], _gz = [], _gzt = [], _gzTau = [], _gztTau = [],
        _gTau = [], _u = [], _v = [], _rz = [], _rzt = [], _g = [], _w = [], _a = [], _c = [], _sig = [], _dsig = [], _mean = [];

    /// <param name="learned">RELAX (a learned network in the control variate) rather than REBAR.</param>
    /// <param name="temperature">The relaxation's initial temperature lambda &gt; 0.</param>
    /// <param name="hidden">RELAX's hidden units.</param>
    /// <param name="learningRate">Adam's learning rate for eta, the network and log lambda.</param>
    /// <param name="seed">Seeds the network's initial weights.</param>
    /// <param name="learnTemperature">Tune lambda online (otherwise it stays at <paramref name="temperature"/>).</param>
    public RebarEstimator(bool learned = false, double temperature = 0.5, int hidden = 50, double learningRate = 1e-3, ulong seed = 17,
        bool learnTemperature = true)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"the temperature must be positive and finite (got {temperature})");
        if (learned && hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, $"RELAX's network needs at least one hidden unit (got {hidden})");
        Learned = learned; Hidden = learned ? hidden : 0; _learningRate = learningRate; _seed = seed;
        InitialTemperature = temperature; Temperature = temperature; LearnTemperature = learnTemperature;
        _temperatureAdam = new Adam(1, learningRate);
    }

    private void Allocate(int n)
    {
        _n = n;
        _b = new int[n];
        _p = new double[n]; _s = new double[n]; _z = new double[n]; _zt = new double[n]; _dzt = new double[n];
        _y = new double[n]; _dy = new double[n]; _u = new double[n]; _v = new double[n];
        _gz = new double[n]; _gzt = new double[n]; _gzTau = new double[n]; _gztTau = new double[n]; _gTau = new double[n];
        _rz = new double[n]; _rzt = new double[n]; _g = new double[n]; _w = new double[n];
        _a = new double[Hidden]; _c = new double[Hidden]; _sig = new double[n]; _dsig = new double[n];
        int h = Hidden;
        ControlParameters = new double[h * n + 2 * h + 2];
        VarianceGradient = new double[ControlParameters.Length];
        _mean = new double[ControlParameters.Length];
        var random = new RandomSource(_seed);
        double limit = Math.Sqrt(6.0 / (n + h));
        for (int i = 0; i < h * n; i++) ControlParameters[i] = random.Uniform(-limit, limit); // w2 = 0: r starts at 0
        Eta = 1;
        _adam = new Adam(ControlParameters.Length, _learningRate);
    }

    /// <summary>A fresh estimator of the same kind and settings (another layer's own eta, temperature and network).</summary>
    public RebarEstimator Sibling() => new(Learned, InitialTemperature, Learned ? Hidden : 50, _learningRate, _seed + 1, LearnTemperature);

    /// <summary>Allocates for n units now (so the control parameters can be set before the first estimate).</summary>
    public void Prepare(int units) { if (_n != units) Allocate(units); }

    public void BeginBatch() { Array.Clear(VarianceGradient); TemperatureGradient = 0; _count = 0; _temperatureCount = 0; }

    /// <summary>
    /// One estimate for a layer of Bernoulli units in the full layout (logits (a_j, c_j), so l_j = c_j - a_j): writes
    /// <c>-g_j</c> and <c>g_j</c> for the two logits of unit j, and the one-hot sample b. f must be an
    /// <see cref="IRelaxedDiscreteObjective"/> (the control variate evaluates it at relaxed configurations).
    /// </summary>
    public double Estimate(IDiscreteObjective f, ReadOnlySpan<double> logits, RandomSource random, Span<double> configurations, Span<double> gradient)
    {
        var relaxed = f as IRelaxedDiscreteObjective
            ?? throw new NotSupportedException($"{Name} evaluates f at relaxed configurations: the objective must implement {nameof(IRelaxedDiscreteObjective)}");
        var layer = f.Layer;
        if (!layer.IsBinary) throw new NotSupportedException($"{Name} is implemented for Bernoulli units (two classes) only; this layer has {layer.Classes} classes");
        layer.RequireFull(logits.Length, nameof(logits));
        layer.RequireFull(gradient.Length, nameof(gradient));
        layer.RequireFull(configurations.Length, nameof(configurations));
        int n = layer.Variables;
        Prepare(n); // before drawing: the uniforms' buffers are sized here
        _full ??= new FullLayout();
        _full.Set(relaxed, logits);
        for (int j = 0; j < n; j++) { _u[j] = random.NextDouble(); _v[j] = random.NextDouble(); }
        double fb = EstimateBinary(_full, _u, _v, _b, _g);
        configurations.Clear();
        for (int j = 0; j < n; j++)
        {
            configurations[2 * j + _b[j]] = 1;
            gradient[2 * j] = -_g[j]; // d/d a_j = -d/d l_j
            gradient[2 * j + 1] = _g[j];
        }
        return fb;
    }

    /// <summary>
    /// One estimate for the binary relaxation <paramref name="f"/> at the uniforms u (b_j = H(l_j + logit u_j)) and v (for
    /// z~ | b): writes b and g = the estimate of d E f / d l, and adds this estimate's variance gradients. Returns f(b).
    /// A hierarchical model draws u itself (the next layer's logits depend on b) and passes them here.
    /// </summary>
    public double EstimateBinary(IBinaryRelaxation f, ReadOnlySpan<double> u, ReadOnlySpan<double> v, Span<int> b, Span<double> g)
    {
        int n = f.Units;
        Prepare(n);
        for (int j = 0; j < n; j++)
        {
            double l = f.Logit(j), p = DiscreteLayer.Sigmoid(l), q = DiscreteLayer.Sigmoid(-l);
            _p[j] = p;
            _z[j] = l + DiscreteLayer.Logit(u[j]);
            _b[j] = _z[j] > 0 ? 1 : 0;
            _s[j] = _b[j] - p;
            // z~ | b: u~ uniform on b's side of 1 - p; d z~ / d l = 1 + d logit(u~) / d l, written without cancellation.
            if (_b[j] == 1)
            {
                double w = p * (1 - v[j]); // 1 - u~
                _zt[j] = l + Math.Log(1 - w) - Math.Log(w);
                _dzt[j] = 1 - q / (1 - w);
            }
            else
            {
                double w = v[j] * q; // u~
                _zt[j] = l + Math.Log(w) - Math.Log(1 - w);
                _dzt[j] = 1 - p / (1 - w);
            }
        }
        double fb = f.Value(_b);
        double rzt = 0;
        if (Learned)
        {
            Network(_z, _rz, null);
            rzt = Network(_zt, _rzt, _dzt);
        }
        else { _rz.AsSpan().Clear(); _rzt.AsSpan().Clear(); }
        double eta = Eta, tau = Temperature;
        double fzt = Relaxed(f, tau, _z, _zt, _dzt, _gz, _gzt);
        double gs = Combine(fb, eta * fzt + rzt, eta, _gz, _gzt, _g);
        for (int j = 0; j < n; j++) { g[j] = _g[j]; b[j] = _b[j]; }
        // Gradient of sum_j g_j^2 = 2 sum_j g_j d g_j: through eta, then (RELAX) through the network.
        int last = ControlParameters.Length - 1;
        double dEta = 0;
        for (int j = 0; j < n; j++) dEta += _g[j] * (-fzt * _s[j] + _gz[j] - _gzt[j]);
        VarianceGradient[last] += 2 * dEta;
        if (Learned)
        {
            // sum_j g_j d g_j / d rho = d/d rho [ -r(z~) (g . s) + D_g r(z) - D_{g dz~/dl} r(z~) ], D_w the directional derivative.
            ValueGradient(_zt, -2 * gs);
            for (int j = 0; j < n; j++) _w[j] = _g[j];
            DirectionalGradient(_z, _w, 2);
            for (int j = 0; j < n; j++) _w[j] = _g[j] * _dzt[j];
            DirectionalGradient(_zt, _w, -2);
        }
        // The temperature: d sum_j g_j^2 / d log lambda by a central difference at the same noise, on the first few
        // estimates of each batch only (each costs four more relaxed evaluations); the noise is common, so the
        // difference has no Monte Carlo error of its own.
        if (LearnTemperature && _temperatureCount < TemperatureRows)
        {
            double up = SumOfSquares(f, fb, eta, rzt, tau * Math.Exp(TemperatureStep));
            double down = SumOfSquares(f, fb, eta, rzt, tau * Math.Exp(-TemperatureStep));
            TemperatureGradient += (up - down) / (2 * TemperatureStep);
            _temperatureCount++;
        }
        _count++;
        return fb;
    }

    // g_j = (f(b) - c(z~)) s_j + eta (df/dl at z - at z~) + (dr/dl at z - at z~), with c(z~) = eta f(z~) + r(z~); returns g . s.
    private double Combine(double fb, double czt, double eta, double[] gz, double[] gzt, double[] g)
    {
        double gs = 0;
        for (int j = 0; j < _n; j++)
        {
            g[j] = (fb - czt) * _s[j] + eta * (gz[j] - gzt[j]) + _rz[j] - _rzt[j];
            gs += g[j] * _s[j];
        }
        return gs;
    }

    // sum_j g_j^2 at temperature tau (the network r does not depend on it).
    private double SumOfSquares(IBinaryRelaxation f, double fb, double eta, double rzt, double tau)
    {
        double fzt = Relaxed(f, tau, _z, _zt, _dzt, _gzTau, _gztTau);
        Combine(fb, eta * fzt + rzt, eta, _gzTau, _gztTau, _gTau);
        double sum = 0;
        for (int j = 0; j < _n; j++) sum += _gTau[j] * _gTau[j];
        return sum;
    }

    /// <summary>The relaxed terms at temperature tau: d/dl f(sigmoid(z/tau)) into gz, the same at z~ into gzt; returns f(z~).</summary>
    private double Relaxed(IBinaryRelaxation f, double tau, double[] z, double[] zt, double[] dzt, double[] gz, double[] gzt)
    {
        RelaxedAt(f, tau, z, gz, null);
        return RelaxedAt(f, tau, zt, gzt, dzt);
    }

    /// <summary>
    /// f at y = sigmoid(z / tau) and, per unit, the total derivative of f(sigmoid(z(l) / tau); l) in l_j: df/dy_j times
    /// dy/dz dz/dl, minus (when f subtracts log q) the explicit d/dl of y log p + (1 - y) log (1 - p), which is y - p.
    /// </summary>
    private double RelaxedAt(IBinaryRelaxation f, double tau, double[] z, double[] g, double[]? dzdl)
    {
        for (int j = 0; j < _n; j++) _y[j] = DiscreteLayer.Sigmoid(z[j] / tau);
        double value = f.ValueAndGradient(_y, tau, _dy);
        double logQ = f.SubtractsLogQ ? 1 : 0;
        for (int j = 0; j < _n; j++)
        {
            double y = _y[j];
            g[j] = _dy[j] * y * (1 - y) / tau * (dzdl?[j] ?? 1) - logQ * (y - _p[j]);
        }
        return value;
    }

    // The network's hidden layer at z: sig = sigmoid(z), dsig = its derivative, a = tanh(W1 sig + b1), c_h = w2_h (1 - a_h^2).
    private double Hidden1(double[] z)
    {
        int n = _n, h = Hidden;
        var cp = ControlParameters;
        for (int j = 0; j < n; j++) { _sig[j] = DiscreteLayer.Sigmoid(z[j]); _dsig[j] = _sig[j] * (1 - _sig[j]); }
        double r = cp[h * n + 2 * h];
        for (int k = 0; k < h; k++)
        {
            double a = Math.Tanh(cp[h * n + k] + Dot(cp.AsSpan(k * n, n), _sig));
            _a[k] = a;
            _c[k] = cp[h * n + h + k] * (1 - a * a);
            r += cp[h * n + h + k] * a;
        }
        return r;
    }

    /// <summary>r(z), and dr/dl_j = dr/dz_j dz_j/dl_j into grad.</summary>
    private double Network(double[] z, double[] grad, double[]? dzdl)
    {
        double r = Hidden1(z);
        int n = _n;
        Array.Clear(grad);
        for (int k = 0; k < Hidden; k++) Axpy(_c[k], ControlParameters.AsSpan(k * n, n), grad);
        for (int j = 0; j < n; j++) grad[j] *= _dsig[j] * (dzdl?[j] ?? 1);
        return r;
    }

    // VarianceGradient += weight * d r(z) / d rho.
    private void ValueGradient(double[] z, double weight)
    {
        Hidden1(z);
        int n = _n, h = Hidden;
        var vg = VarianceGradient;
        for (int k = 0; k < h; k++)
        {
            Axpy(weight * _c[k], _sig, vg.AsSpan(k * n, n));
            vg[h * n + k] += weight * _c[k];
            vg[h * n + h + k] += weight * _a[k];
        }
        vg[h * n + 2 * h] += weight;
    }

    // VarianceGradient += weight * d/d rho of D_w r(z) = sum_k c_k g_k, g_k = sum_j W1_kj sigma'(z_j) w_j.
    private void DirectionalGradient(double[] z, double[] w, double weight)
    {
        Hidden1(z);
        int n = _n, h = Hidden;
        var cp = ControlParameters;
        var vg = VarianceGradient;
        for (int j = 0; j < n; j++) _w[j] = w[j] * _dsig[j]; // w may alias _w
        for (int k = 0; k < h; k++)
        {
            double gk = Dot(cp.AsSpan(k * n, n), _w);
            double a = _a[k], w2 = cp[h * n + h + k];
            double dPre = w2 * -2 * a * (1 - a * a) * gk; // d c_k / d pre-activation times g_k
            Axpy(weight * dPre, _sig, vg.AsSpan(k * n, n));
            Axpy(weight * _c[k], _w, vg.AsSpan(k * n, n));
            vg[h * n + k] += weight * dPre;
            vg[h * n + h + k] += weight * (1 - a * a) * gk;
        }
    }

    /// <summary>One Adam step down the mean of sum_j g_j^2 over the batch's estimates.</summary>
    public void EndBatch(double meanValue)
    {
        if (_count == 0 || _adam is null) return;
        for (int i = 0; i < _mean.Length; i++) _mean[i] = VarianceGradient[i] / _count;
        if (!Learned) for (int i = 0; i < _mean.Length - 1; i++) _mean[i] = 0; // REBAR tunes eta only
        _adam.Step(ControlParameters, _mean);
        if (LearnTemperature && _temperatureCount > 0)
        {
            _temperatureStep[0] = TemperatureGradient / _temperatureCount;
            _temperatureAdam.Step(_logTemperature, _temperatureStep);
            // Keep lambda where sigmoid(z / lambda) neither saturates nor flattens out in doubles.
            _logTemperature[0] = Math.Clamp(_logTemperature[0], Math.Log(0.05), Math.Log(5.0));
        }
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    /// <summary>A full-layout relaxed objective over Bernoulli units seen per unit: y_j is class 1's entry, (1 - y_j, y_j).</summary>
    private sealed class FullLayout : IBinaryRelaxation
    {
        private IRelaxedDiscreteObjective _f = null!;
        private double[] _logits = [], _full = [], _dFull = [];

        public void Set(IRelaxedDiscreteObjective f, ReadOnlySpan<double> logits)
        {
            _f = f;
            if (_logits.Length != logits.Length) { _logits = new double[logits.Length]; _full = new double[logits.Length]; _dFull = new double[logits.Length]; }
            logits.CopyTo(_logits);
        }

        public int Units => _f.Layer.Variables;
        public bool SubtractsLogQ => _f.SubtractsLogQ;
        public double Logit(int j) => _logits[2 * j + 1] - _logits[2 * j];
        public double Value(ReadOnlySpan<int> b) => _f.Value(b);

        public double ValueAndGradient(ReadOnlySpan<double> y, double temperature, Span<double> dy)
        {
            int n = Units;
            for (int j = 0; j < n; j++) { _full[2 * j] = 1 - y[j]; _full[2 * j + 1] = y[j]; }
            double value = _f.ValueAndGradient(_full, _dFull);
            for (int j = 0; j < n; j++) dy[j] = _dFull[2 * j + 1] - _dFull[2 * j]; // along the simplex
            return value;
        }
    }
}
