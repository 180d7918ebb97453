using System.Diagnostics;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// A Monte Carlo estimator of <c>dL/dtheta</c> for <c>L(theta) = E[f(z)]</c>, <c>z ~ p_theta</c>. The same seed gives
/// the same numbers; the sampling loop allocates nothing once warmed up.
/// </summary>
public abstract class GradientEstimator
{
    protected GradientEstimator(Rule rule)
    {
        Rule = rule ?? throw new ArgumentNullException(nameof(rule));
    }

    public Rule Rule { get; }

    /// <summary>fourier, score or pathwise (the names of <c>seriesc estimate --estimator</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Why the estimator does not apply to this rule and f, or null when it does.</summary>
    public abstract string? WhyNotApplicable(Objective f);

    /// <summary>
    /// Estimates the gradient at <paramref name="theta"/> from <paramref name="samples"/> draws.
    /// </summary>
    /// <param name="theta">Every declared parameter in declaration order; for <paramref name="copies"/> independent copies of z
    /// (<c>--dims</c>), the copies' parameter vectors one after the other.</param>
    /// <param name="f">The function whose expectation is differentiated.</param>
    /// <param name="samples">Monte Carlo samples S. One sample (how the paper's toys train, one draw per step) gives the
    /// gradient with its standard error NaN (<see cref="GradientEstimate.HasStandardError"/> false): one value has no spread.</param>
    /// <param name="seed">Seed of the random source.</param>
    /// <param name="copies">Independent copies of the distribution, each with its own parameters.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter violates its constraint (the message names it and its bound).</exception>
    /// <exception cref="EstimatorNotApplicableException">The estimator does not apply (see <see cref="WhyNotApplicable"/>).</exception>
    /// <exception cref="NonFiniteValueException">f, a derivative or difference of f, a coefficient or a contribution was NaN or infinite:
    /// the gradient would not be finite. The message names the value, the sample and z.</exception>
    public GradientEstimate Estimate(ReadOnlySpan<double> theta, Objective f, int samples = 10_000, ulong seed = 1, int copies = 1) =>
        Estimate(theta, f, samples, seed, copies, CancellationToken.None);

    /// <summary>
    /// <see cref="Estimate(ReadOnlySpan{double}, Objective, int, ulong, int)"/> that can be stopped and watched: the sampling
    /// loop looks at <paramref name="cancellation"/> and reports to <paramref name="progress"/> once per block of 4096
    /// samples (and once at the end), so the numbers are those of the plain call with the same seed.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; nothing is returned.</exception>
    public GradientEstimate Estimate(ReadOnlySpan<double> theta, Objective f, int samples, ulong seed, int copies,
        CancellationToken cancellation, IProgress<EstimateProgress>? progress = null) =>
        Estimate(theta, f, samples, seed, copies, EstimateOptions.Default, cancellation, progress);

    /// <summary>
    /// <see cref="Estimate(ReadOnlySpan{double}, Objective, int, ulong, int)"/> with the batched core's options: the block
    /// size and the threads the blocks are spread over. The numbers are the same for every block size and thread count
    /// (sample i draws from its own stream of the seed; statistics merge per chunk of 64 samples in order).
    /// </summary>
    public GradientEstimate Estimate(ReadOnlySpan<double> theta, Objective f, int samples, ulong seed, int copies, EstimateOptions options,
        CancellationToken cancellation = default, IProgress<EstimateProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (samples < 1)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples must be at least 1 (got {samples}): a Monte Carlo estimate needs a sample");
        var problem = new Problem(Rule, theta, copies, f) { Monitor = new RunMonitor(cancellation, progress, samples) };
        if (WhyNotApplicable(f) is { } reason) throw new EstimatorNotApplicableException(Name, Explain(reason, problem));
        var clock = Stopwatch.StartNew();
        GradientEstimate result;
        try
        {
            // The batched core where it covers the rule and f (univariate continuous rules); the scalar loop elsewhere.
            result = RunBlocked(problem, f, samples, seed, options) ?? Run(problem, f, samples, new RandomSource(seed));
            problem.Monitor.Done();
        }
        catch (ArgumentException ex)
        {
            // An argument check deep in the runtime (a sampler, a special function, a support too large to list) that the
            // parameters reached: the user's words are the estimator, the parameters and the reason, not .NET's parameter name.
            throw new EstimatorNotApplicableException(Name, $"{UserText(ex)} (at {Describe(problem)})");
        }
        // The loops check every sample; what is left is overflow in the sums themselves (means of values near the double range).
        for (int i = 0; i < result.Gradient.Length; i++)
        {
            if (!double.IsFinite(result.Gradient[i]))
                throw new NonFiniteValueException(Name, $"the gradient in {result.Name(i)}", result.Gradient[i], advice: "the per-sample contributions are finite but their sum overflows");
            // One sample has no spread to measure: its standard error is NaN by design (HasStandardError is false).
            if (!double.IsFinite(result.StandardError[i]) && !(samples == 1 && double.IsNaN(result.StandardError[i])))
                throw new NonFiniteValueException(Name, $"the standard error in {result.Name(i)}", result.StandardError[i], advice: "the per-sample contributions are finite but their squares overflow");
        }
        return new GradientEstimate
        {
            Estimator = result.Estimator,
            Method = result.Method,
            Order = result.Order,
            Orders = result.Orders,
            Slots = result.Slots,
            Gradient = result.Gradient,
            StandardError = result.StandardError,
            Samples = result.Samples,
            Terms = result.Terms,
            Truncation = result.Truncation,
            Note = result.Note,
            Warnings = result.Warnings,
            RoundingError = result.RoundingError,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>A refusal's reason as the user reads it (the resummed rule adds the parameters given).</summary>
    private protected virtual string Explain(string reason, Problem problem) => reason;

    /// <summary>
    /// An <see cref="ArgumentException"/>'s message in the user's words: without the <c> (Parameter 'x')</c> and
    /// <c>Actual value was</c> lines .NET appends, which name the runtime's own variables.
    /// </summary>
    public static string UserText(ArgumentException ex)
    {
        string text = ex.Message;
        int cut = ex.ParamName is { } name ? text.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal) : -1;
        return (cut >= 0 ? text[..cut] : text).TrimEnd('.');
    }

    private protected static string Describe(Problem problem)
    {
        var parts = new List<string>();
        var names = problem.Rule.Direct?.Parameters.Select(p => p.Name).ToList();
        for (int c = 0; c < Math.Min(problem.Copies, 3); c++)
            for (int i = 0; i < problem.Thetas[c].Length; i++)
                parts.Add((names is not null && i < names.Count ? names[i] : $"theta[{i}]") + (problem.Copies > 1 ? $"[{c}]" : "") + " = "
                    + problem.Thetas[c][i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return string.Join(", ", parts) + (problem.Copies > 3 ? ", ..." : "");
    }

    internal abstract GradientEstimate Run(Problem problem, Objective f, int samples, RandomSource random);

    /// <summary>The estimate by the batched core, or null where it does not cover the rule or f.</summary>
    internal virtual GradientEstimate? RunBlocked(Problem problem, Objective f, int samples, ulong seed, EstimateOptions options) => null;

    /// <summary>The batched form for a session (contributions are quantities <c>[offset, offset + gradient length)</c>), or null.</summary>
    internal virtual SessionPlan? PlanSession(Problem problem, Objective f) => null;

    /// <summary>
    /// Checks and lays out one problem once and returns a session that estimates it again and again (a training loop):
    /// the coefficients and buffers are made here, and <see cref="EstimationSession.Estimate"/> allocates nothing once warm
    /// (with one thread). The session covers univariate continuous rules (Fourier series at a fixed order, resummed,
    /// pathwise); elsewhere use <see cref="Estimate(ReadOnlySpan{double}, Objective, int, ulong, int)"/>.
    /// </summary>
    /// <exception cref="EstimatorNotApplicableException">The estimator does not apply, or the session does not cover this rule and f.</exception>
    public EstimationSession Prepare(ReadOnlySpan<double> theta, Objective f, int copies = 1, EstimateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        options ??= EstimateOptions.Default;
        options.Validate();
        var problem = new Problem(Rule, theta, copies, f);
        if (WhyNotApplicable(f) is { } reason) throw new EstimatorNotApplicableException(Name, Explain(reason, problem));
        var plan = PlanSession(problem, f)
            ?? throw new EstimatorNotApplicableException(Name, $"a session covers univariate continuous rules with jets (fourier at a fixed order, resummed, pathwise); use Estimate for {Rule.Name} here");
        return new EstimationSession(Name, problem, new BlockEngine(plan.Kernel, options), plan.Offset, plan.AfterRun);
    }

    /// <summary>Why a rule that must sample cannot.</summary>
    internal static string? CannotSample(Rule rule)
    {
        if (rule.Direct is { CanSample: false } d) return $"{d.Name} declares no 'sample'";
        foreach (var latent in rule.LatentRules)
            if (!latent.CanSample) return $"latent rule {latent.Name} declares no 'sample'";
        return null;
    }
}
