using SeriesCompiler.Runtime.Differentiation;
using System.Collections.Immutable;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// The rule of the paper: <c>dL/dtheta_p = sum_{n=1}^{N} a_{n,p}(theta) E[f^(n)(z)]</c> (Theorem 1), with every term's
/// size reported. It picks the form that fits the distribution and f:
/// <list type="bullet">
/// <item><b>exponential shortcut</b> (eq. 23) when f is <c>sum_j exp(tau z_j + d)</c> and the rule has a closed-form CGF:
/// <c>dL/dtheta = exp(K(tau) + d) dK/dtheta(tau)</c>, exact, no samples;</item>
/// <item><b>series</b> for a continuous support: derivatives of f by jets (or stencils), one copy after another, mixed
/// partials for multi-index rules, and for derived distributions jets pushed through <c>value</c> to each latent;</item>
/// <item><b>discrete</b> (Theorem 2) for a finite support: differences <c>f(z_{-j}, k) - f(z_{-j}, z*)</c> weighted by <c>dp_k/dtheta</c>;</item>
/// <item><b>shift rule</b> on an integer lattice when <c>dK/dtheta</c> is a finite sum of <c>e^{kt} - 1</c> (Poisson: exactly
/// <c>E[f(z+1) - f(z)]</c>), else <b>shift differences</b>: the series in forward differences <c>Delta^m f</c>.</item>
/// </list>
/// </summary>
/// <example><code>
/// var rule = Rules.Load("gamma");
/// var estimate = new FourierEstimator(rule, order: 2).Estimate([2.5, 0.7], Objective.Sum(z =&gt; Jet.Square(z - 0.49)), samples: 10_000);
/// </code></example>
public sealed class FourierEstimator : GradientEstimator
{
    /// <param name="rule">The distribution.</param>
    /// <param name="order">Truncation order N (at most the order the rule was compiled to); with <paramref name="autoOrder"/>, the highest order considered.</param>
    /// <param name="autoOrder">Keep, for each parameter, the terms up to its smallest one (the best truncation of an asymptotic series).</param>
    /// <param name="exponentialShortcut">Use the closed form for exponential f where the rule allows it.</param>
    public FourierEstimator(Rule rule, int order = 8, bool autoOrder = false, bool exponentialShortcut = true) : base(rule)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        if (order > rule.Order)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"{rule.Name} was compiled to order {rule.Order}; compile it to order {order} or more.");
        Order = order;
        AutoOrder = autoOrder;
        ExponentialShortcut = exponentialShortcut;
    }

    public int Order { get; }
    public bool AutoOrder { get; }
    public bool ExponentialShortcut { get; }

    /// <summary>
    /// In the exponential shortcut, estimate <c>E[exp(tau z + d)]</c> from the samples instead of its closed form
    /// <c>exp(K(tau) + d)</c>: the paper's one-sample estimator <c>f(z) dK/dtheta(tau)</c> (eq. 23), unbiased, with a
    /// standard error. Off by default (the closed form is exact).
    /// </summary>
    public bool SampleShortcutMean { get; init; }

    public override string Name => "fourier";

    /// <summary>
    /// Whether this estimate will use the exponential shortcut. It needs the domain where E[exp(tau z)] is finite: a rule
    /// whose domain is not known (the compiler could not decide it, or a hand-written rule) takes the sampled series
    /// instead, which claims no exactness.
    /// </summary>
    public bool UsesShortcut(Objective f) =>
        ExponentialShortcut && Rule.Direct is { Dimension: 1, HasClosedFormCgf: true, HasCgfDomain: true } && f.TryGetExponential(out _, out _);

    public override string? WhyNotApplicable(Objective f)
    {
        if (UsesShortcut(f)) return null;
        // A stable part -c|w|^alpha has no Taylor series: the class's coefficients are the analytic part's alone.
        if (Rule.Direct is IResummedRule { NoTaylorSeries: { } noSeries }) return noSeries;
        if (CannotSample(Rule) is { } reason) return reason;
        if (Rule.Direct is { } direct)
        {
            if (Rule.IsDiscrete)
            {
                if (direct.Dimension != 1) return $"{direct.Name} is a discrete distribution of {direct.Dimension} variables; the discrete rules take one";
                if (Rule.Support is SupportKind.FiniteSet or SupportKind.IntegerRange && !direct.HasLogDensity)
                    return $"Theorem 2 needs the probabilities of {direct.Name}'s support points: declare its logpmf";
                return null;
            }
            if (direct.Dimension > 1 && !f.SupportsMixedPartials) return $"{direct.Name} has {direct.Dimension} variables and needs mixed partials, which this f does not give";
            return null;
        }
        foreach (var latent in Rule.LatentRules)
        {
            if (latent.Support is not (SupportKind.Real or SupportKind.Positive or SupportKind.Interval))
                return $"latent rule {latent.Name} has a discrete support; derived distributions need continuous latents";
        }
        return null;
    }

    internal override GradientEstimate Run(Problem problem, Objective f, int samples, RandomSource random)
    {
        if (UsesShortcut(f)) return Shortcut(problem, f, samples, random);
        SeriesKernel kernel;
        if (problem.Rule.IsDerived) kernel = new DerivedSeriesKernel(problem, new Sampler(problem), f, Order);
        else if (problem.Rule.Support is SupportKind.FiniteSet or SupportKind.IntegerRange && (problem.Rule.Support is SupportKind.FiniteSet || Enumerable(problem)))
            kernel = new FiniteSupportKernel(problem, f);
        // An integer range too long to list (Binomial at n = 1e15): it is still a lattice, and the series in forward
        // differences holds there, at O(order) evaluations of f per sample instead of O(n).
        else if (problem.Rule.Support is SupportKind.IntegerRange) kernel = new LatticeKernel(problem, f, Order);
        else if (problem.Rule.IsDiscrete) kernel = (SeriesKernel?)ShiftRuleKernel.TryCreate(problem, f, Order) ?? new LatticeKernel(problem, f, Order);
        else kernel = new DirectSeriesKernel(problem, f, Order);
        return SeriesEngine.Run(Name, kernel, f, Order, AutoOrder, samples, random);
    }

    // The batched core takes Theorem 1 for a univariate continuous rule (jets or stencils); the discrete forms, derived
    // and multivariate rules stay on the scalar loop.
    private DirectSeriesKernel? BlockableKernel(Problem problem, Objective f)
    {
        if (UsesShortcut(f) || problem.Rule.IsDerived || problem.Rule.IsDiscrete || problem.GradientLength == 0) return null;
        if (problem.Rule.Support is SupportKind.FiniteSet or SupportKind.IntegerRange) return null;
        if (problem.Rule.Direct is not { Dimension: 1 }) return null;
        return new DirectSeriesKernel(problem, f, Order);
    }

    internal override GradientEstimate? RunBlocked(Problem problem, Objective f, int samples, ulong seed, EstimateOptions options)
    {
        if (BlockableKernel(problem, f) is not { } kernel) return null;
        SeriesEngine.RequireSmoothness(Name, kernel, f.Smoothness);
        var block = new SeriesBlockKernel(Name, kernel, f, AutoOrder);
        var engine = new BlockEngine(block, options, samples);
        engine.Run(samples, seed, problem.Monitor);
        SeriesEngine.CheckKinks(Name, kernel, engine.Kinks != 0);
        var moments = engine.Moments;
        bool vanished = kernel.ChecksNextOrder;
        foreach (var worker in engine.Workers) vanished &= ((SeriesBlockKernel.Worker)worker).NextOrderVanished;
        var rowMean = new double[kernel.RowCount];
        var rowVariance = new double[kernel.RowCount];
        for (int r = 0; r < rowMean.Length; r++)
        {
            rowMean[r] = moments.Mean[r];
            // One sample: 0, as in the scalar loop (it only keeps truncation's checks quiet; the terms' errors print NaN).
            rowVariance[r] = samples > 1 ? moments.Variance(r) : 0;
        }
        var (mean, error) = EstimationSession.Contributions(moments, block.ContributionOffset, block.Contributions);
        double[]? stencilError = null;
        if (block.StencilOffset >= 0)
        {
            // The rows' stencil error summed over the samples (the scalar loop's sum): mean times count.
            stencilError = new double[kernel.RowCount];
            for (int r = 0; r < stencilError.Length; r++) stencilError[r] = moments.Mean[block.StencilOffset + r] * samples;
        }
        return SeriesEngine.Finish(Name, kernel, Order, AutoOrder, samples, rowMean, rowVariance, mean, error, vanished, stencilError);
    }

    internal override SessionPlan? PlanSession(Problem problem, Objective f)
    {
        if (AutoOrder || BlockableKernel(problem, f) is not { } kernel) return null;
        SeriesEngine.RequireSmoothness(Name, kernel, f.Smoothness);
        var block = new SeriesBlockKernel(Name, kernel, f, perOrder: false, tracksNextOrder: false);
        return new SessionPlan(block, block.ContributionOffset, engine => SeriesEngine.CheckKinks(Name, kernel, engine.Kinks != 0));
    }

    // Whether every copy's integer range is short enough to list (the loader refuses more than a million points).
    private static bool Enumerable(Problem problem)
    {
        try
        {
            foreach (var theta in problem.Thetas) problem.Rule.FiniteSupport(theta);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    // Paper eq. 23: f = sum_j exp(tau z_j + d) gives dL/dtheta_j = E[exp(tau z_j + d)] dK/dtheta(tau) = exp(K(tau) + d) dK/dtheta(tau).
    private GradientEstimate Shortcut(Problem problem, Objective f, int samples, RandomSource random)
    {
        f.TryGetExponential(out double tau, out double shift);
        var rule = problem.Rule.Direct!;
        int pd = rule.Differentiable.Count;
        var gradient = new double[problem.GradientLength];
        var standardError = new double[problem.GradientLength];
        Span<double> z = stackalloc double[1];
        for (int c = 0; c < problem.Copies; c++)
        {
            var theta = problem.Thetas[c];
            // E[exp(tau z)] is finite only inside the MGF's domain; outside it the closed form may be finite again
            // (Logistic's log(pi s tau / sin(pi s tau)) past tau = 1/s) but means nothing.
            rule.CgfDomain(theta, out double lower, out double upper);
            if (!(tau > lower && tau < upper))
                throw new EstimatorNotApplicableException(Name,
                    $"E[exp({tau.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} z)] is infinite for {rule.Name} at {Parameters(rule, theta)}: K(t) = log E[exp(t z)] is finite only for t in ({Show(lower)}, {Show(upper)}), and tau = {tau.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is outside");
            double k = rule.Cgf(theta, tau);
            if (!double.IsFinite(k))
                throw new EstimatorNotApplicableException(Name, $"E[exp({tau} z)] is infinite for {rule.Name} at these parameters (K({tau}) is not finite)");
            var slice = gradient.AsSpan(c * pd, pd);
            rule.CgfGradient(theta, tau, slice);
            if (SampleShortcutMean)
            {
                // dL/dtheta = E[exp(tau z + d)] dK/dtheta(tau): each draw's f(z) times the exact dK/dtheta(tau) is unbiased,
                // so the spread of f(z) alone scales the standard error of every parameter.
                var mean = new ScalarWelford();
                for (int s = 0; s < samples; s++)
                {
                    rule.Sample(theta, random, z);
                    double value = Math.Exp(tau * z[0] + shift);
                    if (!double.IsFinite(value))
                        throw new NonFiniteValueException(Name, "f(z) = exp(tau z + d)", value, s, [z[0]]);
                    mean.Add(value);
                }
                for (int p = 0; p < pd; p++)
                {
                    standardError[c * pd + p] = samples > 1 ? Math.Abs(slice[p]) * mean.StandardError : double.NaN;
                    slice[p] *= mean.Mean;
                }
            }
            else
            {
                double mean = Math.Exp(k + shift);
                for (int p = 0; p < pd; p++) slice[p] *= mean;
            }
        }
        return new GradientEstimate
        {
            Estimator = Name,
            Method = SampleShortcutMean ? "exponential shortcut, E[f] sampled" : "exponential shortcut",
            Order = Order,
            Slots = problem.Slots,
            Gradient = [.. gradient],
            StandardError = [.. standardError],
            Samples = SampleShortcutMean ? samples : 0,
            Truncation = Truncation.None,
            Note = SampleShortcutMean
                ? $"f = exp({tau} z + {shift}): dL/dtheta = E[f(z)] dK/dtheta({tau}), E[f] from the samples (paper eq. 23), unbiased"
                : $"f = exp({tau} z + {shift}): dL/dtheta = exp(K({tau}) + {shift}) dK/dtheta({tau}), exact",
        };
    }

    private static string Show(double x) => x switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ => x.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Parameters(IDistributionRule rule, ReadOnlySpan<double> theta)
    {
        var parts = new string[rule.Parameters.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = rule.Parameters[i].Name + " = " + theta[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return string.Join(", ", parts);
    }
}
