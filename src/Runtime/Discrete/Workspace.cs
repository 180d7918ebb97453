namespace SeriesCompiler.Runtime.Discrete;

/// <summary>Per-layer scratch for an estimator: sized on the first call for a layer, reused after (no allocation once warm).</summary>
internal sealed class Workspace
{
    public DiscreteLayer Layer { get; private set; }
    public int[] State = [];
    public double[] LogQ = [], Values = [], A = [], B = [], C = [];

    /// <summary>Checks the spans against f's layer, sizes the buffers and fills LogQ from the logits.</summary>
    public void Prepare(IDiscreteObjective f, ReadOnlySpan<double> logits, int configurations, Span<double> y, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(f);
        var layer = f.Layer;
        layer.RequireFull(logits.Length, nameof(logits));
        layer.RequireFull(gradient.Length, nameof(gradient));
        if (y.Length != configurations * layer.FullSize)
            throw new ArgumentException($"configurations has {y.Length} entries; this estimator writes {configurations} configuration(s) of {layer.FullSize}", "configurations");
        if (layer != Layer || State.Length == 0)
        {
            Layer = layer;
            State = new int[layer.Variables];
            LogQ = new double[layer.FullSize];
            Values = new double[layer.FullSize];
            A = new double[layer.FullSize];
            B = new double[layer.FullSize];
            C = new double[layer.FullSize];
        }
        layer.LogProbabilities(logits, LogQ);
    }
}
