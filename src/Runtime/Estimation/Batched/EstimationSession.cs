using System.Collections.Immutable;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Statistics;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>What an estimator's session runs: the batched kernel, where its contributions sit, a check after each run.</summary>
internal sealed record SessionPlan(BlockKernel Kernel, int Offset, Action<BlockEngine>? AfterRun);

/// <summary>
/// One problem (rule, parameters, f, copies) prepared once by <see cref="GradientEstimator.Prepare"/>, estimated as
/// often as needed: <see cref="Estimate"/> writes the gradient and its standard errors into the caller's spans and,
/// with one thread, allocates nothing once warm. The numbers are those of <see cref="GradientEstimator.Estimate(ReadOnlySpan{double}, Functions.Objective, int, ulong, int)"/>
/// with the same seed (the Fourier series at its fixed order). Not thread-safe: one session per training loop.
/// </summary>
public sealed class EstimationSession
{
    private readonly string _estimator;
    private readonly Problem _problem;
    private readonly BlockEngine _engine;
    private readonly int _offset;
    private readonly Action<BlockEngine>? _after;

    internal EstimationSession(string estimator, Problem problem, BlockEngine engine, int offset, Action<BlockEngine>? after)
    {
        _estimator = estimator;
        _problem = problem;
        _engine = engine;
        _offset = offset;
        _after = after;
        // The parameters now, copy-major (sized now, so that SetParameters never allocates inside a caller's training loop).
        int perCopy = problem.Thetas[0].Length;
        _current = new double[problem.Thetas.Length * perCopy];
        for (int c = 0; c < problem.Thetas.Length; c++) problem.Thetas[c].CopyTo(_current, c * perCopy);
    }

    // The parameters the session stands at, copy-major: what a refused move goes back to.
    private readonly double[] _current;

    /// <summary>
    /// Moves the session to new parameters in place (a training step), with nothing prepared again: the coefficients, the
    /// resummed constants and the draws' arguments are recomputed from <paramref name="theta"/> (laid out as for
    /// <see cref="GradientEstimator.Prepare"/>: copy after copy). Allocates nothing once warm. Invalid parameters leave
    /// the session as it was.
    /// </summary>
    /// <exception cref="ArgumentException">theta does not hold one parameter vector per copy.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of its bound (the message names it and the bound).</exception>
    /// <exception cref="InvalidOperationException">The session cannot follow these parameters (a coefficient became zero, or
    /// stopped being zero, so the series has other terms; or stencil derivatives): prepare a new session.</exception>
    public void SetParameters(ReadOnlySpan<double> theta)
    {
        var thetas = _problem.Thetas;
        int copies = thetas.Length, perCopy = thetas[0].Length;
        if (theta.Length != copies * perCopy)
            throw new ArgumentException($"theta has {theta.Length} values; the session has {copies} cop{(copies == 1 ? "y" : "ies")} of {perCopy} parameters", nameof(theta));
        // Validate everything before changing anything: every copy in one call where the rule has it (the same checks).
        var direct = _problem.Rule.Direct;
        if (direct is ICopyBatchedRule batched && perCopy == direct.Parameters.Count) batched.ValidateCopies(theta, copies);
        else
            for (int c = 0; c < copies; c++) _problem.Rule.Validate(theta.Slice(c * perCopy, perCopy));
        for (int c = 0, at = 0; c < copies; c++)
        {
            // A copy's few parameters element by element: cheaper than a span copy per copy.
            var copy = thetas[c];
            for (int j = 0; j < perCopy; j++, at++) copy[j] = theta[at];
        }
        bool moved;
        try
        {
            moved = _engine.Kernel.ParametersChanged(theta);
        }
        catch
        {
            // A coefficient that is not finite at the new parameters: back to the old ones, which were fine.
            Restore(copies, perCopy);
            throw;
        }
        if (!moved)
        {
            Restore(copies, perCopy);
            throw new InvalidOperationException($"{_estimator}: the session cannot move to these parameters in place (the series' non-zero coefficients change, or f's derivatives are stencils); prepare a new session");
        }
        try
        {
            foreach (var worker in _engine.Workers) worker.ParametersChanged(theta);
        }
        catch
        {
            // Some workers may have moved: the kernel, the copies and every worker go back to the old parameters together.
            Restore(copies, perCopy);
            foreach (var worker in _engine.Workers) worker.ParametersChanged(_current);
            throw;
        }
        theta.CopyTo(_current);
    }

    private void Restore(int copies, int perCopy)
    {
        var thetas = _problem.Thetas;
        for (int c = 0; c < copies; c++) _current.AsSpan(c * perCopy, perCopy).CopyTo(thetas[c]);
        _engine.Kernel.ParametersChanged(_current);
    }

    /// <summary>Length of the gradient (copies times the parameters per copy).</summary>
    public int GradientLength => _problem.GradientLength;

    /// <summary>What each gradient entry is: the parameter's name and its copy (or component).</summary>
    public ImmutableArray<(string Parameter, int Index)> Slots => _problem.Slots;

    /// <summary>Threads the blocks actually run on (1 when the objective's block methods are not thread-safe).</summary>
    public int Threads => _engine.Threads;

    /// <summary>
    /// Estimates the gradient from <paramref name="samples"/> draws of <paramref name="seed"/>'s streams. One sample gives
    /// standard errors NaN (one value has no spread).
    /// </summary>
    /// <exception cref="NonFiniteValueException">f, a derivative or a contribution was not finite (the message names the sample and z).</exception>
    public void Estimate(int samples, ulong seed, Span<double> gradient, Span<double> standardError)
    {
        if (samples < 1)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples must be at least 1 (got {samples}): a Monte Carlo estimate needs a sample");
        int n = _problem.GradientLength;
        if (gradient.Length < n) throw new ArgumentException($"gradient holds {gradient.Length} values; the gradient has {n}", nameof(gradient));
        if (standardError.Length < n) throw new ArgumentException($"standardError holds {standardError.Length} values; the gradient has {n}", nameof(standardError));
        _engine.Run(samples, seed, RunMonitor.None);
        _after?.Invoke(_engine);
        var moments = _engine.Moments;
        var mean = moments.Mean.Slice(_offset, n);
        var m2 = moments.M2.Slice(_offset, n);
        long count = moments.Count;
        // One sample: every variance is the same NaN, so every standard error is one number (the same bits as below).
        double single = Math.Sqrt(double.NaN / count);
        for (int p = 0; p < n; p++)
        {
            // ChunkedMoments.StandardError's arithmetic, sqrt(M2 / (count - 1) / count), without a call per entry.
            gradient[p] = mean[p];
            standardError[p] = count > 1 ? Math.Sqrt(m2[p] / (count - 1) / count) : single;
            if (!double.IsFinite(mean[p]))
                throw new NonFiniteValueException(_estimator, "the gradient in " + GradientEstimate.SlotName(_problem.Slots[p]), mean[p], advice: "the per-sample contributions are finite but their sum overflows");
        }
    }

    /// <summary>Means and standard errors of quantities <c>[offset, offset + length)</c> of a run, as the scalar path reports them.</summary>
    internal static (double[] Mean, double[] Error) Contributions(ChunkedMoments moments, int offset, int length)
    {
        var mean = new double[length];
        var error = new double[length];
        for (int i = 0; i < length; i++)
        {
            mean[i] = moments.Mean[offset + i];
            error[i] = moments.StandardError(offset + i);
        }
        return (mean, error);
    }
}
