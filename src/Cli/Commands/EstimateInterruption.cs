using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Runtime.Estimation;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// Ctrl-C and progress for <c>seriesc estimate</c>: Ctrl-C cancels the running estimate (the runtime looks at the token once
/// per block of samples) and the command ends with one line and exit code <see cref="ExitCode"/>; while standard error is
/// a terminal, the fraction of samples drawn is shown on it, at most a few times a second, and erased at the end.
/// </summary>
internal sealed class EstimateInterruption : IDisposable
{
    /// <summary>The exit code of an estimate stopped by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource _source = new();
    private readonly CliContext _context;
    private readonly bool _terminal;
    private readonly ConsoleCancelEventHandler _handler;
    private bool _shown;

    public EstimateInterruption(CliContext context)
    {
        _context = context;
        // Only the real console's standard error, and only when it is not redirected: no progress in files, pipes or tests.
        _terminal = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        _handler = (_, e) =>
        {
            e.Cancel = true; // keep the process: the estimate stops at its next block and the command ends cleanly
            _source.Cancel();
        };
        Console.CancelKeyPress += _handler;
    }

    public CancellationToken Token => _source.Token;

    /// <summary>A progress sink for one estimator's run, or null when standard error is not a terminal.</summary>
    public IProgress<EstimateProgress>? Progress(string estimator) => _terminal ? new Line(this, estimator) : null;

    /// <summary>The one-line refusal when Ctrl-C stopped the estimate.</summary>
    public CliException Interrupted()
    {
        Clear();
        return new CliException(ExitCode, "estimate interrupted (Ctrl-C): no estimate was written");
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= _handler;
        Clear();
        _source.Dispose();
    }

    private void Clear()
    {
        if (!_shown) return;
        _context.Error.Write("\r" + new string(' ', 60) + "\r");
        _shown = false;
    }

    private sealed class Line(EstimateInterruption owner, string estimator) : IProgress<EstimateProgress>
    {
        private long _lastTick = long.MinValue;

        public void Report(EstimateProgress value)
        {
            long now = Environment.TickCount64;
            if (value.SamplesDone < value.SamplesTotal && now - _lastTick < 200) return;
            _lastTick = now;
            owner._context.Error.Write($"\r{estimator}: {value.Fraction:P0} of {value.SamplesTotal} samples   ");
            owner._shown = true;
        }
    }
}
