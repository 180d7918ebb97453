namespace SeriesCompiler.Runtime.Functions;

/// <summary>
/// A block of samples in structure-of-arrays layout: coordinate <c>j</c> of sample <c>s</c> is at
/// <c>Data[j * Stride + s]</c>, for <c>j &lt; Dimension</c> and <c>s &lt; Count &lt;= Stride</c>. One row per coordinate
/// keeps the samples of a coordinate contiguous, so a kernel runs over them with SIMD lanes.
/// </summary>
public readonly ref struct SampleBlock
{
    /// <summary>A block over <paramref name="data"/> (at least <c>dimension * stride</c> values).</summary>
    public SampleBlock(ReadOnlySpan<double> data, int dimension, int count, int stride)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "A block has at least one coordinate.");
        if (count < 0 || count > stride) throw new ArgumentOutOfRangeException(nameof(count), count, $"The sample count must be in [0, stride = {stride}].");
        if (data.Length < (long)dimension * stride) throw new ArgumentException($"The block needs {dimension} x {stride} values, got {data.Length}.", nameof(data));
        Data = data;
        Dimension = dimension;
        Count = count;
        Stride = stride;
    }

    /// <summary>The values, one row of <see cref="Stride"/> per coordinate.</summary>
    public ReadOnlySpan<double> Data { get; }

    /// <summary>Number of coordinates (the dimension of z).</summary>
    public int Dimension { get; }

    /// <summary>Number of samples in the block.</summary>
    public int Count { get; }

    /// <summary>Distance between two coordinates' rows (at least <see cref="Count"/>).</summary>
    public int Stride { get; }

    /// <summary>The samples of coordinate <paramref name="j"/>.</summary>
    public ReadOnlySpan<double> Row(int j) => Data.Slice(j * Stride, Count);
}

public abstract partial class Objective
{
    // The block methods below are the batched core's view of f. Their defaults gather one sample at a time into a
    // scratch vector and call the scalar methods, so every objective works in a block; objectives with structure
    // (sums, linear predictors, user block callbacks) override them to run over whole rows.

    /// <summary>Values for a block: <c>values[s] = f(z_s)</c>.</summary>
    public virtual void Values(SampleBlock z, Span<double> values)
    {
        var point = GatherBuffer(z.Dimension);
        for (int s = 0; s < z.Count; s++)
        {
            Gather(z, s, point);
            values[s] = Value(point);
        }
    }

    /// <summary>
    /// Pure partials for a block: <c>partials[(k * Dimension + j) * Stride + s] = d^k f / dz_j^k (z_s)</c> for
    /// <c>k = 1 .. order</c>; the k = 0 rows are not read (they may hold anything). <paramref name="partials"/> holds
    /// <c>(order + 1) * Dimension * Stride</c> values.
    /// </summary>
    public virtual void PurePartials(SampleBlock z, int order, Span<double> partials)
    {
        int d = z.Dimension;
        var point = GatherBuffer(d);
        var one = BlockScratch(d * (order + 1));
        for (int s = 0; s < z.Count; s++)
        {
            Gather(z, s, point);
            PurePartials(point, order, one);
            for (int j = 0; j < d; j++)
                for (int k = 1; k <= order; k++)
                    partials[(k * d + j) * z.Stride + s] = one[j * (order + 1) + k];
        }
    }

    /// <summary>
    /// Shifted coordinate partials for a block: <c>result[j * Stride + s] = d^order f / dz_j^order</c> at <c>z_s</c> with
    /// coordinate j replaced by <c>x[j * Stride + s]</c> (the resummed rules' <c>f^(order)(z + u e_j)</c>, every coordinate
    /// shifted on its own).
    /// </summary>
    public virtual void CoordinatePartials(SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result)
    {
        var point = GatherBuffer(z.Dimension);
        for (int s = 0; s < z.Count; s++)
        {
            Gather(z, s, point);
            for (int j = 0; j < z.Dimension; j++)
                result[j * z.Stride + s] = CoordinatePartial(point, j, x[j * z.Stride + s], order);
        }
    }

    private static void Gather(SampleBlock z, int s, Span<double> point)
    {
        for (int j = 0; j < z.Dimension; j++) point[j] = z.Data[j * z.Stride + s];
    }

    private double[] _gather = [], _blockScratch = [];

    private Span<double> GatherBuffer(int length)
    {
        if (_gather.Length < length) _gather = new double[Math.Max(length, 2 * _gather.Length)];
        return _gather.AsSpan(0, length);
    }

    private Span<double> BlockScratch(int length)
    {
        if (_blockScratch.Length < length) _blockScratch = new double[Math.Max(length, 2 * _blockScratch.Length)];
        return _blockScratch.AsSpan(0, length);
    }
}
