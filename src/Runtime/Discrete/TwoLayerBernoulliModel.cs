namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// f(v1, v2) of data point <paramref name="row"/> at (v1, v2) in [0, 1] (binary or relaxed); when
/// <paramref name="dv1"/> is not empty, also writes <c>df/dv1</c> and <c>df/dv2</c>.
/// </summary>
public delegate double TwoLayerFunction(int row, ReadOnlySpan<double> v1, ReadOnlySpan<double> v2, Span<double> dv1, Span<double> dv2);

/// <summary>
/// A ready-made <see cref="ITwoLayerBernoulliModel"/>: q(z2 | z1)'s logits <c>l2 = z1 W + c</c> from a weight matrix
/// W (Units1 x Units2, row-major: row j is unit j's effect) and a bias c, and f given by one function. The flipped
/// evaluations are plain calls of f, one per unit (implement the interface yourself for rank-one updates).
/// </summary>
public sealed class TwoLayerBernoulliModel : ITwoLayerBernoulliModel
{
    private readonly double[] _weights, _bias;
    private readonly TwoLayerFunction _f;
    private readonly double[] _z1, _z2, _flipped;
    private int _row;

    /// <param name="weights">W, Units1 x Units2 row-major (read at every call: it may be trained in place).</param>
    /// <param name="bias">c, Units2 entries.</param>
    /// <param name="f">f; it must not depend on q's logits.</param>
    public TwoLayerBernoulliModel(double[] weights, double[] bias, TwoLayerFunction f)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        _f = f ?? throw new ArgumentNullException(nameof(f));
        if (bias.Length < 1) throw new ArgumentException("the bias c needs at least one entry (one per unit of layer 2)", nameof(bias));
        if (weights.Length < 1 || weights.Length % bias.Length != 0)
            throw new ArgumentException($"weights has {weights.Length} entries; it must be Units1 x Units2 with Units2 = {bias.Length} (the bias's length)", nameof(weights));
        _weights = weights; _bias = bias;
        Units2 = bias.Length;
        Units1 = weights.Length / bias.Length;
        _z1 = new double[Units1]; _z2 = new double[Units2]; _flipped = new double[Units2];
    }

    public int Units1 { get; }
    public int Units2 { get; }
    public bool SubtractsLogQ => false;

    public void Layer2Logits(ReadOnlySpan<double> z1, int rows, Span<double> logits2)
    {
        int n1 = Units1, n2 = Units2;
        for (int r = 0; r < rows; r++)
        {
            var l = logits2.Slice(r * n2, n2);
            _bias.CopyTo(l);
            for (int j = 0; j < n1; j++)
            {
                double z = z1[r * n1 + j];
                if (z == 0) continue;
                var w = _weights.AsSpan(j * n2, n2);
                for (int k = 0; k < n2; k++) l[k] += z * w[k];
            }
        }
    }

    public void Layer2FlipLogits(ReadOnlySpan<double> z1, ReadOnlySpan<double> logits2, Span<double> flipped)
    {
        int n2 = Units2;
        for (int j = 0; j < Units1; j++)
        {
            double sign = z1[j] == 1 ? -1 : 1; // z1_j goes 1 -> 0 or 0 -> 1: l2 moves by -+ W_j
            var w = _weights.AsSpan(j * n2, n2);
            for (int k = 0; k < n2; k++) flipped[j * n2 + k] = logits2[k] + sign * w[k];
        }
    }

    public void Layer2Backward(ReadOnlySpan<double> dl2, Span<double> dz1)
    {
        int n2 = Units2;
        for (int j = 0; j < Units1; j++)
        {
            double s = 0;
            for (int k = 0; k < n2; k++) s += _weights[j * n2 + k] * dl2[k];
            dz1[j] += s;
        }
    }

    public double Value(int row, ReadOnlySpan<double> logits1, ReadOnlySpan<double> logits2, ReadOnlySpan<double> z1, ReadOnlySpan<double> z2)
    {
        _row = row;
        z1.CopyTo(_z1); z2.CopyTo(_z2);
        return _f(row, z1, z2, [], []);
    }

    public void FlipLayer2(Span<double> values)
    {
        for (int k = 0; k < Units2; k++)
        {
            _z2[k] = 1 - _z2[k];
            values[k] = _f(_row, _z1, _z2, [], []);
            _z2[k] = 1 - _z2[k];
        }
    }

    public void FlipLayer1(ReadOnlySpan<double> flippedLogits2, ReadOnlySpan<double> flippedZ2, Span<double> values)
    {
        int n2 = Units2;
        for (int j = 0; j < Units1; j++)
        {
            _z1[j] = 1 - _z1[j];
            flippedZ2.Slice(j * n2, n2).CopyTo(_flipped);
            values[j] = _f(_row, _z1, _flipped, [], []);
            _z1[j] = 1 - _z1[j];
        }
    }

    public double RelaxedValue(int row, ReadOnlySpan<double> logits1, ReadOnlySpan<double> logits2, ReadOnlySpan<double> v1, ReadOnlySpan<double> v2,
        Span<double> dv1, Span<double> dv2) => _f(row, v1, v2, dv1, dv2);
}
