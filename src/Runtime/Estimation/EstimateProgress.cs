using System.Runtime.CompilerServices;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>How far an estimate has got: samples drawn so far out of all it will draw.</summary>
public readonly record struct EstimateProgress(long SamplesDone, long SamplesTotal)
{
    /// <summary>The fraction done, from 0 to 1.</summary>
    public double Fraction => SamplesTotal <= 0 ? 1 : (double)SamplesDone / SamplesTotal;
}

/// <summary>
/// Cancellation and progress for one estimate's sampling loop, looked at once per block of
/// <see cref="Block"/> samples (one mask test per sample otherwise), so that neither changes any number.
/// </summary>
internal sealed class RunMonitor(CancellationToken cancellation, IProgress<EstimateProgress>? progress, long total)
{
    /// <summary>Samples between two looks at the token and the progress callback (a power of two).</summary>
    public const int Block = 4096;

    public static readonly RunMonitor None = new(CancellationToken.None, null, 0);

    private readonly bool _active = cancellation.CanBeCanceled || progress is not null;

    /// <summary>Call at the top of sample <paramref name="sample"/>; throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Sample(long sample)
    {
        if (_active && (sample & (Block - 1)) == 0) Look(sample);
    }

    /// <summary>
    /// Call before samples <c>[first, first + count)</c> of a block: looks once when the block holds a multiple of
    /// <see cref="Block"/> (the batched core's blocks need not divide it).
    /// </summary>
    public void Range(long first, int count)
    {
        if (!_active) return;
        long next = (first + Block - 1) & ~(long)(Block - 1);
        if (next < first + count) Look(next);
    }

    /// <summary>Reports the end of the loop.</summary>
    public void Done() => progress?.Report(new EstimateProgress(total, total));

    private void Look(long sample)
    {
        cancellation.ThrowIfCancellationRequested();
        if (sample > 0) progress?.Report(new EstimateProgress(sample, total));
    }
}
