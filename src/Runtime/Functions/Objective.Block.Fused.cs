namespace SeriesCompiler.Runtime.Functions;

public abstract partial class Objective
{
    /// <summary>
    /// Whether the block methods may run on several threads at once on this instance (they keep no per-instance
    /// scratch). The batched core spreads blocks over threads only then; its numbers are the same either way.
    /// </summary>
    public virtual bool BlockThreadSafe => false;

    /// <summary>
    /// Values and pure partials of a block in one call (the Fourier series needs both: the value only to refuse a
    /// non-finite f). The default calls <see cref="Values(SampleBlock, Span{double})"/> and
    /// <see cref="PurePartials(SampleBlock, int, Span{double})"/>; objectives whose one jet gives both override it.
    /// </summary>
    public virtual void ValuesAndPurePartials(SampleBlock z, int order, Span<double> values, Span<double> partials)
    {
        Values(z, values);
        PurePartials(z, order, partials);
    }

    /// <summary>
    /// As <see cref="ValuesAndPurePartials(SampleBlock, int, Span{double}, Span{double})"/>, where the caller reads only
    /// the orders whose bit is set in <paramref name="orders"/> (bit k: order k; a batched session whose rule has no
    /// coefficient at some orders, as the Laplace law's odd orders above 1). The rows of the other orders may be left
    /// unwritten; each row written has the full call's numbers. The default writes them all; an objective that can skip
    /// an order's work (the GLM) overrides it.
    /// </summary>
    internal virtual void ValuesAndPurePartials(SampleBlock z, int order, ulong orders, Span<double> values, Span<double> partials) =>
        ValuesAndPurePartials(z, order, values, partials);
}
