using System.Runtime.ExceptionServices;
using SeriesCompiler.Runtime.Statistics;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// How the batched core runs an estimate. Neither option changes a number: sample i always draws from its own random
/// stream (seed, i), and statistics are merged per chunk of <see cref="Chunk"/> samples in sample order.
/// </summary>
public sealed record EstimateOptions
{
    /// <summary>Samples per statistics chunk; a block holds a whole number of chunks.</summary>
    public const int Chunk = 64;

    /// <summary>The defaults: blocks of 256 samples, one thread.</summary>
    public static EstimateOptions Default { get; } = new();

    /// <summary>Samples per block (a multiple of <see cref="Chunk"/>, at most 65536).</summary>
    public int BlockSize { get; init; } = 256;

    /// <summary>Threads the blocks are spread over (at least 1). Objectives whose block methods are not
    /// <see cref="Functions.Objective.BlockThreadSafe"/> run on one.</summary>
    public int Threads { get; init; } = 1;

    internal void Validate()
    {
        if (BlockSize < Chunk || BlockSize % Chunk != 0 || BlockSize > 65536)
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, $"BlockSize must be a multiple of {Chunk} in [{Chunk}, 65536]");
        if (Threads < 1 || Threads > 1024)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be in [1, 1024]");
    }
}

/// <summary>
/// One estimator's work on a block of samples: writes Q per-sample quantities (structure of arrays, quantity q of
/// sample s at <c>[q * stride + s]</c>) whose means and variances the estimate is made of.
/// </summary>
internal abstract class BlockWorker
{
    /// <summary>Samples <c>[first, first + count)</c>; sample i draws from stream (seed, i).</summary>
    public abstract void Run(long first, int count, ulong seed, Span<double> quantities, int stride);

    /// <summary>The problem's parameters changed in place (a session's new theta): recompute what was hoisted from them.</summary>
    public virtual void ParametersChanged() { }

    /// <summary>As <see cref="ParametersChanged()"/>, with the new parameters also copy-major in one span (a session's theta).</summary>
    public virtual void ParametersChanged(ReadOnlySpan<double> thetas) => ParametersChanged();
}

/// <summary>An estimator's batched form: what it accumulates and a factory of per-thread workers.</summary>
internal abstract class BlockKernel
{
    public abstract int Quantities { get; }

    /// <summary>Whether workers may run at once (their objective's block methods are thread-safe).</summary>
    public abstract bool ThreadSafe { get; }

    public abstract BlockWorker NewWorker(int capacity);

    /// <summary>
    /// Recomputes, in place and without allocating, what the kernel hoisted from the problem's parameters (which the
    /// caller has just changed); false when it cannot (the new coefficients' zero pattern differs from the old one's).
    /// </summary>
    public virtual bool ParametersChanged() => true;

    /// <summary>As <see cref="ParametersChanged()"/>, with the new parameters also copy-major in one span (a session's theta).</summary>
    public virtual bool ParametersChanged(ReadOnlySpan<double> thetas) => ParametersChanged();
}

/// <summary>
/// Runs a <see cref="BlockKernel"/>: blocks of samples, one after another or a wave of them over threads, each block's
/// chunks reduced to means and centred sums of squares, merged in chunk order. Buffers are made once; with one thread
/// a run allocates nothing.
/// </summary>
internal sealed class BlockEngine
{
    private readonly BlockKernel _kernel;
    private readonly int _blockSize, _threads, _chunksPerBlock, _quantities;
    private readonly BlockWorker[] _workers;
    private readonly double[][] _values;
    private readonly double[] _chunkMean, _chunkM2;   // [worker][chunk][quantity]
    private readonly int[] _chunkCount;
    private readonly Exception?[] _errors;

    /// <param name="samples">For a one-off run: the samples it will draw, so that a short run does not size its buffers
    /// for a whole block (a session, which runs any number, passes none).</param>
    public BlockEngine(BlockKernel kernel, EstimateOptions options, int? samples = null)
    {
        options.Validate();
        _kernel = kernel;
        _blockSize = samples is { } n ? Math.Clamp(n, 1, options.BlockSize) : options.BlockSize;
        _threads = kernel.ThreadSafe ? options.Threads : 1;
        _chunksPerBlock = (_blockSize + EstimateOptions.Chunk - 1) / EstimateOptions.Chunk;
        _quantities = kernel.Quantities;
        _workers = new BlockWorker[_threads];
        _values = new double[_threads][];
        for (int w = 0; w < _threads; w++)
        {
            _workers[w] = kernel.NewWorker(_blockSize);
            _values[w] = new double[Math.Max(_quantities, 1) * _blockSize];
        }
        _chunkMean = new double[_threads * _chunksPerBlock * _quantities];
        _chunkM2 = new double[_chunkMean.Length];
        _chunkCount = new int[_threads * _chunksPerBlock];
        _errors = new Exception?[_threads];
        Moments = new ChunkedMoments(Math.Max(_quantities, 1));
    }

    /// <summary>The kernel this engine runs.</summary>
    public BlockKernel Kernel => _kernel;

    /// <summary>The statistics of the last run.</summary>
    public ChunkedMoments Moments { get; }

    public int Threads => _threads;

    /// <summary>The first worker (its flags: the next order vanishing, draws varying), and all of them.</summary>
    public ReadOnlySpan<BlockWorker> Workers => _workers;

    private long _kinks;

    public void Run(int samples, ulong seed, RunMonitor monitor)
    {
        // A one-chunk run sets every moment itself (SetFromChunk); longer ones merge into cleared statistics.
        if (samples > EstimateOptions.Chunk || _quantities == 0) Moments.Clear();
        _kinks = 0;
        try
        {
            Blocks(samples, seed, monitor);
        }
        catch
        {
            // A failed run (a non-finite value, an interruption) leaves no statistics: a one-chunk run did not clear them
            // first, and the previous run's must not pass for this one's.
            Moments.Clear();
            throw;
        }
        finally
        {
            Kinks = _kinks;
        }
    }

    // Samples per block in this run: the capacity, or all the samples when they fit in one block (then the block's
    // chunks are the same 64-sample runs from sample 0 as for any block size, and short runs touch short rows).
    private int _size;

    private void Blocks(int samples, ulong seed, RunMonitor monitor)
    {
        _size = Math.Min(_blockSize, samples);
        if (samples <= EstimateOptions.Chunk && _quantities > 0)
        {
            // One chunk (a training step's few samples): its moments go straight into the statistics, as merging it would.
            monitor.Range(0, samples);
            Run(0, 0, samples, seed);
            Moments.SetFromChunk(_values[0], _size, samples);
            return;
        }
        long blocks = (samples + (long)_size - 1) / _size;
        for (long b0 = 0; b0 < blocks; b0 += _threads)
        {
            int wave = (int)Math.Min(_threads, blocks - b0);
            monitor.Range(b0 * _size, (int)Math.Min((long)wave * _size, samples - b0 * _size));
            if (wave == 1) Block(0, b0, samples, seed);
            else Wave(wave, b0, samples, seed);
            for (int w = 0; w < wave; w++)
                for (int k = 0; k < _chunksPerBlock; k++)
                {
                    int chunk = w * _chunksPerBlock + k;
                    Moments.Merge(_chunkMean.AsSpan(chunk * _quantities, _quantities), _chunkM2.AsSpan(chunk * _quantities, _quantities), _chunkCount[chunk]);
                }
        }
    }

    // A wave of blocks over threads, in its own method: the lambda's closure is allocated only when threads are used.
    private void Wave(int wave, long b0, int samples, ulong seed)
    {
        Array.Clear(_errors);
        Parallel.For(0, wave, new ParallelOptions { MaxDegreeOfParallelism = _threads }, w =>
        {
            try
            {
                Block(w, b0 + w, samples, seed);
            }
            catch (Exception ex)
            {
                _errors[w] = ex;
            }
        });
        // The earliest block's failure, whatever thread finished first: the same error for any thread count.
        foreach (var error in _errors)
            if (error is not null) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Evaluations of <see cref="Differentiation.Jet.Abs"/> (kinks) during the last run, on every thread (the counter is per thread).</summary>
    public long Kinks { get; private set; }

    // Worker w on the block's samples [first, first + count), kinks counted.
    private void Run(int w, long first, int count, ulong seed)
    {
        long kinks = Differentiation.Jet.KinkEvaluations;
        _workers[w].Run(first, count, seed, _values[w], _size);
        long seen = Differentiation.Jet.KinkEvaluations - kinks;
        if (seen != 0) Interlocked.Add(ref _kinks, seen);
    }

    private void Block(int w, long block, int samples, ulong seed)
    {
        long first = block * _size;
        int count = (int)Math.Min(_size, samples - first);
        var values = _values[w].AsSpan();
        Run(w, first, count, seed);
        for (int k = 0; k < _chunksPerBlock; k++)
        {
            int chunk = w * _chunksPerBlock + k, n = Math.Min(EstimateOptions.Chunk, count - k * EstimateOptions.Chunk);
            _chunkCount[chunk] = Math.Max(n, 0);
            if (n <= 0) continue;
            ChunkedMoments.OfChunk(values[(k * EstimateOptions.Chunk)..], _quantities, _size, n,
                _chunkMean.AsSpan(chunk * _quantities, _quantities), _chunkM2.AsSpan(chunk * _quantities, _quantities));
        }
    }
}
