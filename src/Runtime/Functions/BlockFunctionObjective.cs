namespace SeriesCompiler.Runtime.Functions;

/// <summary>Values of a user's model for a whole block: <c>values[s] = f(z_s)</c>.</summary>
public delegate void BlockValues(SampleBlock z, Span<double> values);

/// <summary>
/// Pure partials of a user's model for a whole block, in the layout of <see cref="Objective.PurePartials(SampleBlock, int, Span{double})"/>:
/// <c>partials[(k * Dimension + j) * Stride + s] = d^k f / dz_j^k (z_s)</c> for <c>k = 1 .. order</c> (rows k = 0 are not read).
/// </summary>
public delegate void BlockPartials(SampleBlock z, int order, Span<double> partials);

/// <summary>
/// A user's model that evaluates a whole block of samples per call (structure-of-arrays, <see cref="SampleBlock"/>):
/// one call per block and not one virtual call per sample, so the model can run its own vectorised kernels.
/// </summary>
public interface IBlockFunction
{
    /// <summary>Number of variables the model takes (null: any).</summary>
    int? Arity { get; }

    /// <summary>Highest derivative order <see cref="PurePartials"/> gives.</summary>
    int MaxOrder { get; }

    /// <summary><c>values[s] = f(z_s)</c> for <c>s &lt; z.Count</c>.</summary>
    void Values(SampleBlock z, Span<double> values);

    /// <summary>Pure partials, layout as in <see cref="BlockPartials"/>.</summary>
    void PurePartials(SampleBlock z, int order, Span<double> partials);
}

/// <summary>An <see cref="IBlockFunction"/> from two delegates.</summary>
internal readonly struct DelegateBlockFunction(BlockValues values, BlockPartials partials, int? arity, int maxOrder) : IBlockFunction
{
    private readonly BlockValues _values = values ?? throw new ArgumentNullException(nameof(values));
    private readonly BlockPartials _partials = partials ?? throw new ArgumentNullException(nameof(partials));

    public int? Arity => arity;
    public int MaxOrder => maxOrder;
    public void Values(SampleBlock z, Span<double> values) => _values(z, values);
    public void PurePartials(SampleBlock z, int order, Span<double> partials) => _partials(z, order, partials);
}

/// <summary>
/// An objective whose every evaluation is one call of a block model. The scalar methods pass z as a block of one sample
/// (with stride 1 the structure-of-arrays layout of one sample is z itself); the block methods pass the engine's block
/// through. A shifted coordinate partial (the resummed rules) runs the model once per coordinate over the whole block,
/// with that coordinate's row replaced.
/// </summary>
internal sealed class BlockFunctionObjective<TF> : Objective where TF : IBlockFunction
{
    private readonly TF _f;
    private double[] _one = [], _rows = [], _partials = [];
    private readonly double[] _value = new double[1];

    public BlockFunctionObjective(TF f)
    {
        if (f is null) throw new ArgumentNullException(nameof(f));
        if (f.Arity is < 1) throw new ArgumentOutOfRangeException(nameof(f), f.Arity, "A block model takes at least one variable.");
        if (f.MaxOrder < 1) throw new ArgumentOutOfRangeException(nameof(f), f.MaxOrder, "A block model gives at least first derivatives.");
        _f = f;
    }

    public override int? Arity => _f.Arity;

    private void CheckOrder(int order)
    {
        if (order < 0 || order > _f.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"The block model gives derivatives of order 0..{_f.MaxOrder}.");
    }

    private static SampleBlock One(ReadOnlySpan<double> z) => new(z, z.Length, 1, 1);

    public override double Value(ReadOnlySpan<double> z)
    {
        _f.Values(One(z), _value);
        return _value[0];
    }

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        CheckOrder(order);
        int d = z.Length, stride = order + 1;
        var all = Buffer(ref _one, (order + 1) * d);
        _f.PurePartials(One(z), order, all);
        double value = Value(z);
        for (int j = 0; j < d; j++)
        {
            // Slot 0 holds f (the estimators check it is finite); slot k the block's row (k, j) of its one sample.
            result[j * stride] = value;
            for (int k = 1; k <= order; k++) result[j * stride + k] = all[k * d + j];
        }
    }

    public override void Gradient(ReadOnlySpan<double> z, Span<double> gradient)
    {
        int d = z.Length;
        var all = Buffer(ref _one, 2 * d);
        _f.PurePartials(One(z), 1, all);
        all.Slice(d, d).CopyTo(gradient);
    }

    public override void Values(SampleBlock z, Span<double> values) => _f.Values(z, values);

    public override void PurePartials(SampleBlock z, int order, Span<double> partials)
    {
        CheckOrder(order);
        _f.PurePartials(z, order, partials);
    }

    // Coordinate j shifted to x for every sample: one model call per coordinate over the block with row j replaced, and
    // row (order, j) of its partials kept.
    public override void CoordinatePartials(SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result)
    {
        CheckOrder(order);
        int d = z.Dimension, stride = z.Stride;
        var rows = Buffer(ref _rows, d * stride);
        z.Data[..(d * stride)].CopyTo(rows);
        var partials = Buffer(ref _partials, (order + 1) * d * stride);
        for (int j = 0; j < d; j++)
        {
            x.Slice(j * stride, z.Count).CopyTo(rows.Slice(j * stride, z.Count));
            var shifted = new SampleBlock(rows, d, z.Count, stride);
            if (order == 0) _f.Values(shifted, result.Slice(j * stride, z.Count));
            else
            {
                _f.PurePartials(shifted, order, partials);
                partials.Slice((order * d + j) * stride, z.Count).CopyTo(result.Slice(j * stride, z.Count));
            }
            z.Row(j).CopyTo(rows.Slice(j * stride, z.Count));
        }
    }

    private static Span<double> Buffer(ref double[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new double[Math.Max(length, 2 * buffer.Length)];
        return buffer.AsSpan(0, length);
    }
}
