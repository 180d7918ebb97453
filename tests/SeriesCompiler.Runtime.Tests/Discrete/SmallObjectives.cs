using SeriesCompiler.Runtime.Discrete;

namespace SeriesCompiler.Runtime.Tests.Discrete;

/// <summary>
/// A small nonlinear objective over a layer, written by hand as a user would: with s = a . y and t = c . y (full
/// layout), f(y) = s + t^2 / 2 + sin(t + 0.3) - logQTerm, where logQTerm = sum_jk y_jk log q_jk at the logits given
/// (only when <see cref="SubtractsLogQ"/>: an ELBO-like integrand). Smooth in y, allocation-free.
/// </summary>
internal sealed class SmallObjective : IRelaxedDiscreteObjective
{
    private readonly double[] _a, _c, _logQ, _y;
    private readonly int[] _scratch;

    public SmallObjective(DiscreteLayer layer, ulong seed, double[]? logitsForLogQ = null)
    {
        Layer = layer;
        var random = new Sampling.RandomSource(seed);
        _a = new double[layer.FullSize];
        _c = new double[layer.FullSize];
        for (int i = 0; i < layer.FullSize; i++) { _a[i] = 2 * random.Normal(); _c[i] = random.Normal(); }
        _logQ = new double[layer.FullSize];
        if (logitsForLogQ is not null) layer.LogProbabilities(logitsForLogQ, _logQ);
        SubtractsLogQ = logitsForLogQ is not null;
        _y = new double[layer.FullSize];
        _scratch = new int[layer.Variables];
    }

    public DiscreteLayer Layer { get; }
    public bool SubtractsLogQ { get; }

    public double ValueAndGradient(ReadOnlySpan<double> y, Span<double> dy)
    {
        double s = 0, t = 0, l = 0;
        for (int i = 0; i < y.Length; i++) { s += _a[i] * y[i]; t += _c[i] * y[i]; l += _logQ[i] * y[i]; }
        if (!dy.IsEmpty)
            for (int i = 0; i < y.Length; i++) dy[i] = _a[i] + (t + Math.Cos(t + 0.3)) * _c[i] - _logQ[i];
        return s + t * t / 2 + Math.Sin(t + 0.3) - l;
    }

    public double Value(ReadOnlySpan<int> state)
    {
        Layer.OneHot(state, _y);
        return ValueAndGradient(_y, []);
    }

    public double EvaluateFlipped(ReadOnlySpan<int> state, Span<double> values) => DiscreteObjective.FlipByValues(this, state, _scratch, values);
}

/// <summary>Exact expectations by enumerating every configuration of a small layer.</summary>
internal static class Enumeration
{
    public static IEnumerable<int[]> States(DiscreteLayer layer)
    {
        int total = (int)Math.Pow(layer.Classes, layer.Variables);
        for (int c = 0; c < total; c++)
        {
            var state = new int[layer.Variables];
            for (int j = 0, r = c; j < layer.Variables; j++, r /= layer.Classes) state[j] = r % layer.Classes;
            yield return state;
        }
    }

    /// <summary>
    /// d/dl E_q f = sum_z q(z) f(z) d log q(z) / d l, d log q(z) / d l_jm = 1[z_j = m] - q_jm (an explicit -log q term in f
    /// adds sum_z q(z) d(-log q(z))/dl = 0, so the same sum holds for it).
    /// </summary>
    public static double[] Gradient(IDiscreteObjective f, double[] logits)
    {
        var layer = f.Layer;
        var logQ = new double[layer.FullSize];
        layer.LogProbabilities(logits, logQ);
        var g = new double[layer.FullSize];
        int K = layer.Classes;
        foreach (var s in States(layer))
        {
            double q = 1;
            for (int j = 0; j < layer.Variables; j++) q *= Math.Exp(logQ[j * K + s[j]]);
            double w = q * f.Value(s);
            for (int j = 0; j < layer.Variables; j++)
                for (int m = 0; m < K; m++) g[j * K + m] += w * ((s[j] == m ? 1 : 0) - Math.Exp(logQ[j * K + m]));
        }
        return g;
    }
}
