using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>
/// REBAR (Tucker et al., 2017) and RELAX (Grathwohl et al., 2018) for Bernoulli units. Per unit j with logit l_j and
/// p_j = sigmoid(l_j): z_j = l_j + logit(u_j), b_j = H(z_j), and z~_j ~ z_j | b_j by u~_j = b_j ? 1 - p_j (1 - v_j) :
/// v_j (1 - p_j), z~_j = l_j + logit(u~_j) (u, v uniform). With a control variate c(z) the estimate is
/// <code>g_j = (f(b) - c(z~)) (b_j - p_j) + d c(z(l)) / d l_j - d c(z~(l)) / d l_j,</code>
/// unbiased for any c because E_u[c(z)] = E_b E_v[c(z~)]. REBAR: c(z) = eta f(sigmoid(z / lambda)), the ELBO integrand
/// at the relaxed configuration (its explicit dependence on l through -log q included on both sides); RELAX adds a
/// learned network r(z) = w2 . tanh(W1 sigmoid(z) + b1) + b0. eta and the network are trained by Adam to minimise
/// E sum_j g_j^2 (so the variance, the mean not depending on them), from the exact gradient of sum_j g_j^2 at the
/// drawn noise. Deviations from the papers: lambda is fixed (not tuned online), and the variance minimised is that of
/// the per-example gradient with respect to the logits rather than of the encoder parameters' batch gradient.
/// </summary>
public sealed class RebarEstimator : IDiscreteEstimator
{
    public double Temperature { get; }
    public bool Learned { get; }
    public int Hidden { get; }
    public string Name => Learned ? "relax" : "rebar";

    /// <summary>Control parameters: W1 (Hidden x n, row-major), b1, w2, b0, then eta (the last entry).</summary>
    public double[] ControlParameters { get; private set; } = [];

    /// <summary>d/d ControlParameters of sum_j g_j^2, summed over the estimates since <see cref="BeginBatch"/>.</summary>
    public double[] VarianceGradient { get; private set; } = [];

    public double Eta { get => ControlParameters[^1]; set => ControlParameters[^1] = value; }

    private readonly double _learningRate;
    private readonly ulong _seed;
    private Adam? _adam;
    private int _count, _n;
    private int[] _b = [];
    private double[] _p = [], _s = [], _z = [], _zt = [], _dzt = [], _y = [], _yt = [], _dy = [], _dyt = [], _gz = [], _gzt = [],
        _rz = [], _rzt = [], _g = [], _w = [], _a = [], _c = [], _gh = [], _sig = [], _dsig = [], _mean = [];

    public RebarEstimator(bool learned = false, double temperature = 0.5, int hidden = 50, double learningRate = 1e-3, ulong seed = 17)
    {
        Learned = learned; Temperature = temperature; Hidden = learned ? hidden : 0; _learningRate = learningRate; _seed = seed;
    }

    private void Allocate(int n)
    {
        _n = n;
        _b = new int[n];
        _p = new double[n]; _s = new double[n]; _z = new double[n]; _zt = new double[n]; _dzt = new double[n];
        _y = new double[2 * n]; _yt = new double[2 * n]; _dy = new double[2 * n]; _dyt = new double[2 * n];
        _gz = new double[n]; _gzt = new double[n]; _rz = new double[n]; _rzt = new double[n]; _g = new double[n]; _w = new double[n];
        _a = new double[Hidden]; _c = new double[Hidden]; _gh = new double[Hidden]; _sig = new double[n]; _dsig = new double[n];
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

    /// <summary>Allocates for n units now (so the control parameters can be set before the first estimate).</summary>
    public void Prepare(int units) { if (_n != units) Allocate(units); }

    public void BeginBatch() { Array.Clear(VarianceGradient); _count = 0; }

    public double Estimate(ElboObjective f, RandomSource random, Span<double> y, Span<double> dLogits)
    {
        var space = f.Space;
        if (!space.Binary) throw new NotSupportedException("REBAR/RELAX are implemented for Bernoulli units only");
        int n = space.Variables;
        Prepare(n);
        double lambda = Temperature;
        var logQ = f.LogQ;
        for (int j = 0; j < n; j++)
        {
            double p = f.Probability(j, 1), q = f.Probability(j, 0), l = logQ[2 * j + 1] - logQ[2 * j];
            double u = random.NextDouble(), v = random.NextDouble();
            _p[j] = p;
            _z[j] = l + Math.Log(u) - Math.Log(1 - u);
            _b[j] = _z[j] > 0 ? 1 : 0;
            _s[j] = _b[j] - p;
            // z~ | b: u~ uniform on b's side of 1 - p; d z~ / d l = 1 + d logit(u~) / d l, written without cancellation.
            if (_b[j] == 1)
            {
                double w = p * (1 - v); // 1 - u~
                _zt[j] = l + Math.Log(1 - w) - Math.Log(w);
                _dzt[j] = 1 - q / (1 - w);
            }
            else
            {
                double w = v * q; // u~
                _zt[j] = l + Math.Log(w) - Math.Log(1 - w);
                _dzt[j] = 1 - p / (1 - w);
            }
        }
        double fz = Relaxed(f, _z, _y, _dy, _gz, null);
        double fzt = Relaxed(f, _zt, _yt, _dyt, _gzt, _dzt);
        y.Clear();
        for (int j = 0; j < n; j++) y[2 * j + _b[j]] = 1;
        double fb = f.Value(_b);
        double eta = Eta;
        double rz = 0, rzt = 0;
        if (Learned)
        {
            rz = Network(_z, _rz, null);
            rzt = Network(_zt, _rzt, _dzt);
        }
        else { _rz.AsSpan().Clear(); _rzt.AsSpan().Clear(); }
        double czt = eta * fzt + rzt;
        double gs = 0;
        dLogits.Clear();
        for (int j = 0; j < n; j++)
        {
            _g[j] = (fb - czt) * _s[j] + eta * (_gz[j] - _gzt[j]) + _rz[j] - _rzt[j];
            dLogits[2 * j + 1] = _g[j];
            gs += _g[j] * _s[j];
        }
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
        _count++;
        return fb;
    }

    /// <summary>
    /// f at y = sigmoid(z / lambda) and, per unit, the total derivative of f(sigmoid(z(l) / lambda); l) in l_j: along the
    /// simplex (y_j1 = y, y_j0 = 1 - y) times dy/dz dz/dl, minus the explicit d/dl of y log q1 + (1 - y) log q0 = y - p.
    /// </summary>
    private double Relaxed(ElboObjective f, double[] z, double[] yFull, double[] dy, double[] g, double[]? dzdl)
    {
        for (int j = 0; j < _n; j++)
        {
            double y1 = Kernels.Sigmoid(z[j] / Temperature);
            yFull[2 * j] = 1 - y1; yFull[2 * j + 1] = y1;
        }
        double value = f.ValueAndGradient(yFull, dy);
        for (int j = 0; j < _n; j++)
        {
            double y1 = yFull[2 * j + 1];
            g[j] = (dy[2 * j + 1] - dy[2 * j]) * y1 * (1 - y1) / Temperature * (dzdl?[j] ?? 1) - (y1 - _p[j]);
        }
        return value;
    }

    // The network's hidden layer at z: sig = sigmoid(z), dsig = its derivative, a = tanh(W1 sig + b1), c_h = w2_h (1 - a_h^2).
    private double Hidden1(double[] z)
    {
        int n = _n, h = Hidden;
        var cp = ControlParameters;
        for (int j = 0; j < n; j++) { _sig[j] = Kernels.Sigmoid(z[j]); _dsig[j] = _sig[j] * (1 - _sig[j]); }
        double r = cp[h * n + 2 * h];
        for (int k = 0; k < h; k++)
        {
            double a = Math.Tanh(cp[h * n + k] + Kernels.Dot(cp.AsSpan(k * n, n), _sig));
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
        for (int k = 0; k < Hidden; k++) Kernels.Axpy(_c[k], ControlParameters.AsSpan(k * n, n), grad);
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
            Kernels.Axpy(weight * _c[k], _sig, vg.AsSpan(k * n, n));
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
            double gk = Kernels.Dot(cp.AsSpan(k * n, n), _w);
            double a = _a[k], w2 = cp[h * n + h + k];
            double dPre = w2 * -2 * a * (1 - a * a) * gk; // d c_k / d pre-activation times g_k
            Kernels.Axpy(weight * dPre, _sig, vg.AsSpan(k * n, n));
            Kernels.Axpy(weight * _c[k], _w, vg.AsSpan(k * n, n));
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
    }
}
