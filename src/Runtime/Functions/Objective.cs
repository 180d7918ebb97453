using SeriesCompiler.Runtime.Differentiation;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>A function of a vector given by values only (a black box): <c>f(z)</c>.</summary>
public delegate double VectorFunction(ReadOnlySpan<double> z);

/// <summary>User-supplied derivatives of a scalar function: writes <c>f^(k)(z)</c> for <c>k = 0 .. derivatives.Length - 1</c>.</summary>
public delegate void DerivativeFunction(double z, Span<double> derivatives);

/// <summary>How the derivatives of f are obtained.</summary>
public enum DerivativeMode
{
    /// <summary>Exact Taylor-mode derivatives (jets).</summary>
    Jet,

    /// <summary>Central finite-difference stencils on values of f (for black boxes; high orders lose digits).</summary>
    Stencil,
}

/// <summary>
/// The function f of <c>L(theta) = E[f(z)]</c>, with whatever the estimators need of it: values (score function),
/// gradients (pathwise), pure partials <c>d^n f / dz_j^n</c> along each coordinate (the Fourier rule), mixed partials
/// (multi-index rules such as BivariateNormal's <c>rho</c>), values along one coordinate (the discrete rules), and
/// evaluation over jets (derived distributions push jets through their <c>value</c> first).
/// </summary>
/// <remarks>
/// <para>Write f once, over <see cref="Jet"/>s, and pick the factory that matches its structure:
/// <see cref="Of(Func{Jet, Jet})"/> for one variable, <see cref="Sum"/> for <c>sum_j g(z_j)</c> (one jet per coordinate),
/// <see cref="Ridge"/> for <c>g(a . z + b)</c> (one jet for all coordinates), <see cref="Of{TF}(TF, int?)"/> for anything
/// else. <see cref="Exponential"/> is <c>sum_j c exp(tau z_j)</c>, which the Fourier estimator answers in closed form;
/// <see cref="Numeric(Func{double, double}, bool)"/> and <see cref="WithDerivatives"/> take black boxes and hand-written
/// derivatives.</para>
/// <para>An objective keeps small scratch buffers: use one instance from one thread at a time (estimators are
/// single-threaded; give parallel estimates their own instances).</para>
/// </remarks>
public abstract partial class Objective
{
    private double[] _scratch = [];
    private double[] _partials = [];

    /// <summary>Number of variables f takes, or null when any number works (sums over coordinates).</summary>
    public virtual int? Arity => null;

    /// <summary>How derivatives are computed.</summary>
    public virtual DerivativeMode Mode => DerivativeMode.Jet;

    /// <summary>Whether <see cref="Evaluate(ReadOnlySpan{Jet})"/> works (f can take jets).</summary>
    public virtual bool SupportsJets => false;

    /// <summary>Whether <see cref="Partial"/> gives mixed partials.</summary>
    public virtual bool SupportsMixedPartials => SupportsJets;

    private Smoothness? _declared;

    /// <summary>
    /// How smooth f is, which decides the rules that hold for it (<see cref="Functions.Smoothness"/>): the declared
    /// smoothness (<see cref="WithSmoothness"/>) combined with what the objective knows of itself (an expression knows
    /// its <c>abs</c>). An f written over jets is otherwise taken as smooth, and the estimators also watch
    /// <see cref="Jet.Abs"/> while they evaluate it; a black box (<see cref="Numeric(Func{double, double}, bool)"/>) with
    /// kinks must declare them.
    /// </summary>
    public Smoothness Smoothness => Smoothness.Min(_declared ?? Smoothness.Smooth, IntrinsicSmoothness);

    /// <summary>What the objective knows of its own smoothness (smooth unless overridden).</summary>
    protected virtual Smoothness IntrinsicSmoothness => Smoothness.Smooth;

    /// <summary>Declares how smooth f is (for example <c>Smoothness.Kinked("max(z, 0) has a kink at 0")</c>); returns this objective.</summary>
    public Objective WithSmoothness(Smoothness smoothness)
    {
        if (smoothness.Order < 0) throw new ArgumentOutOfRangeException(nameof(smoothness), smoothness.Order, "A smoothness order is at least 0.");
        _declared = smoothness;
        return this;
    }

    /// <summary>f(z).</summary>
    public abstract double Value(ReadOnlySpan<double> z);

    /// <summary>
    /// Pure partials along every coordinate: <c>result[j*(order+1) + k] = d^k f / dz_j^k (z)</c> for
    /// <c>k = 0..order</c> (k = 0 may hold any value that does not depend on the coordinate's own derivative:
    /// estimators never read it).
    /// </summary>
    public abstract void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result);

    /// <summary>The mixed partial <c>d^|n| f / dz^n</c> for a multi-index over all of z.</summary>
    public virtual double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        int axis = -1, order = 0;
        for (int j = 0; j < multiIndex.Length; j++)
        {
            if (multiIndex[j] == 0) continue;
            if (axis >= 0) throw new NotSupportedException($"{GetType().Name} gives pure partials only.");
            axis = j;
            order = multiIndex[j];
        }
        if (axis < 0) return Value(z);
        var all = Partials(z.Length * (order + 1));
        PurePartials(z, order, all);
        return all[axis * (order + 1) + order];
    }

    /// <summary>The gradient <c>df/dz_j</c>.</summary>
    public virtual void Gradient(ReadOnlySpan<double> z, Span<double> gradient)
    {
        var all = Partials(2 * z.Length);
        PurePartials(z, 1, all);
        for (int j = 0; j < z.Length; j++) gradient[j] = all[2 * j + 1];
    }

    /// <summary>
    /// <c>f(z_{-j}, x)</c>: f with coordinate j replaced by x, up to a term that does not depend on x (only differences
    /// of slices along the same coordinate are meaningful). Sums override it to evaluate one term.
    /// </summary>
    public virtual double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x)
    {
        var copy = Scratch(z.Length);
        z.CopyTo(copy);
        copy[coordinate] = x;
        return Value(copy.AsSpan(0, z.Length));
    }

    /// <summary>
    /// <c>d^order f / dz_j^order</c> at z with coordinate j replaced by x (the resummed rules' <c>f^(j)(z + u e_j)</c>).
    /// The default copies z and takes every pure partial, O(dim z); separable objectives (<see cref="Sum"/>, an
    /// expression over <c>--dims</c> copies) override it to differentiate the one term that holds coordinate j, O(1),
    /// with the same numbers (the other terms' partials along j are 0 and were never added in).
    /// </summary>
    public virtual double CoordinatePartial(ReadOnlySpan<double> z, int coordinate, double x, int order)
    {
        var copy = _shifted.Length >= z.Length ? _shifted : _shifted = new double[Math.Max(z.Length, 2 * _shifted.Length)];
        z.CopyTo(copy);
        copy[coordinate] = x;
        var all = Partials(z.Length * (order + 1));
        PurePartials(copy.AsSpan(0, z.Length), order, all);
        return all[coordinate * (order + 1) + order];
    }

    private double[] _shifted = [];

    /// <summary>f over jets (only when <see cref="SupportsJets"/>).</summary>
    public virtual Jet Evaluate(ReadOnlySpan<Jet> z) => throw new NotSupportedException($"{GetType().Name} cannot be evaluated over jets.");

    /// <summary>
    /// Whether f is <c>sum_j exp(tau z_j + shift)</c> (one term for one variable): then the Fourier estimator uses the
    /// exponential shortcut <c>dL/dtheta = E[f] dK/dtheta(tau)</c> (paper eq. 23) when the rule has a closed-form CGF.
    /// </summary>
    public virtual bool TryGetExponential(out double tau, out double shift)
    {
        (tau, shift) = (0, 0);
        return false;
    }

    /// <summary>A buffer of at least <paramref name="length"/> doubles, reused between calls.</summary>
    protected double[] Scratch(int length)
    {
        if (_scratch.Length < length) _scratch = new double[Math.Max(length, 2 * _scratch.Length)];
        return _scratch;
    }

    // A second buffer, so the default Partial/Gradient may call PurePartials that uses Scratch.
    private Span<double> Partials(int length)
    {
        if (_partials.Length < length) _partials = new double[Math.Max(length, 2 * _partials.Length)];
        return _partials.AsSpan(0, length);
    }

    // ------------------------------------------------------------------ factories

    /// <summary>f of one variable, written once over jets: <c>Objective.Of(z =&gt; Jet.Exp(-z))</c>.</summary>
    public static Objective Of(Func<Jet, Jet> f) => new ScalarObjective(f);

    /// <summary><c>f(z) = sum_j g(z_j)</c> over any number of coordinates (the paper's <c>||z - 0.49||^2</c>): one jet per coordinate.</summary>
    public static Objective Sum(Func<Jet, Jet> g) => new SumObjective(g);

    /// <summary>f of several variables over jets (a struct is specialised by the JIT). Mixed partials by interpolation of directional jets.</summary>
    public static Objective Of<TF>(TF f, int? arity = null) where TF : IJetFunction => new JetObjective<TF>(f, arity);

    /// <summary>f of several variables as a lambda over jets: <c>Objective.Of(z =&gt; z[0] * z[1], arity: 2)</c>.</summary>
    public static Objective Of(JetFunction f, int? arity = null) => new JetObjective<DelegateJetFunction>(new DelegateJetFunction(f), arity);

    /// <summary>
    /// A ridge function <c>f(z) = g(a . z + b)</c> (logistic regression, most likelihoods): one jet of g gives every
    /// coordinate's <c>d^n f / dz_j^n = a_j^n g^(n)</c> and every mixed partial <c>prod a_j^{n_j} g^(|n|)</c>.
    /// </summary>
    public static Objective Ridge(Func<Jet, Jet> g, double[] weights, double bias = 0) => new RidgeObjective(g, weights, bias);

    /// <summary><c>f(z) = sum_j scale exp(tau z_j)</c>: exact through the exponential shortcut where the rule has a closed-form CGF.</summary>
    public static Objective Exponential(double tau, double scale = 1.0)
    {
        if (!(scale > 0)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale of exp(tau z) must be positive.");
        return new ExponentialObjective(tau, Math.Log(scale));
    }

    /// <summary>A black box of one variable (or, with <paramref name="sum"/>, <c>sum_j g(z_j)</c>); derivatives by central stencils.</summary>
    public static Objective Numeric(Func<double, double> g, bool sum = false) => new NumericObjective(g, sum);

    /// <summary>A black box of <paramref name="arity"/> variables; pure and mixed partials by (tensor-product) central stencils.</summary>
    public static Objective Numeric(VectorFunction f, int arity) => new VectorNumericObjective(f, arity);

    /// <summary>
    /// A linear-predictor (GLM) objective <c>f(w) = scale sum_n g(y_n, x_n . w)</c> over the rows of <paramref name="x"/>
    /// (logistic regression: <c>Objective.Glm(x, y, GlmLink.Logistic)</c>). Pick a mini-batch with
    /// <see cref="GlmObjective.SelectRows"/>; see <see cref="GlmObjective"/> for how its derivatives are computed.
    /// </summary>
    /// <exception cref="ArgumentException">A row has a different length, a feature is not finite, or a label is not allowed by the link (the message names the row).</exception>
    public static GlmObjective Glm(double[][] x, double[] y, GlmLink link, double scale = 1) => GlmObjective.Create(x, y, link, scale);

    /// <summary><see cref="Glm(double[][], double[], GlmLink, double)"/> over a rectangular array (row n, feature j at <c>x[n, j]</c>).</summary>
    public static GlmObjective Glm(double[,] x, double[] y, GlmLink link, double scale = 1) => GlmObjective.Create(x, y, link, scale);

    /// <summary>
    /// A user's model evaluated a block of samples at a time (<see cref="IBlockFunction"/>; a struct is specialised by the
    /// JIT): no virtual call per sample.
    /// </summary>
    public static Objective FromBlocks<TF>(TF f) where TF : IBlockFunction => new BlockFunctionObjective<TF>(f);

    /// <summary>A user's model as two block delegates: values, and pure partials up to <paramref name="maxOrder"/>.</summary>
    public static Objective FromBlocks(BlockValues values, BlockPartials partials, int? arity = null, int maxOrder = 1) =>
        new BlockFunctionObjective<DelegateBlockFunction>(new DelegateBlockFunction(values, partials, arity, maxOrder));

    /// <summary>A function with hand-written derivatives (one variable, or with <paramref name="sum"/> a sum over coordinates).</summary>
    public static Objective WithDerivatives(Func<double, double> value, DerivativeFunction derivatives, bool sum = false) =>
        new SuppliedDerivativesObjective(value, derivatives, sum);
}
