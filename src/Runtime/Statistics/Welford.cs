namespace SeriesCompiler.Runtime.Statistics;

/// <summary>
/// Running mean and variance of P quantities at once (one gradient estimate per parameter) by
/// Welford's update, which never subtracts two large sums: with <c>delta = x - mean</c>,
/// <c>mean += delta / n</c> and <c>M2 += delta (x - mean_new)</c>. Storage is allocated once in the
/// constructor; <see cref="Add"/> allocates nothing. Not thread-safe: accumulate per thread and
/// <see cref="Merge"/>.
/// </summary>
public sealed class Welford
{
    private readonly double[] _mean;
    private readonly double[] _m2;

    /// <summary>An accumulator for vectors of length <paramref name="dimension"/>.</summary>
    public Welford(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        _mean = new double[dimension];
        _m2 = new double[dimension];
    }

    /// <summary>P, the length of every sample.</summary>
    public int Dimension => _mean.Length;

    /// <summary>Samples seen.</summary>
    public long Count { get; private set; }

    /// <summary>Running means (a view of the internal buffer).</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Adds one sample vector.</summary>
    public void Add(ReadOnlySpan<double> sample)
    {
        if (sample.Length != _mean.Length) throw new ArgumentException($"Expected {_mean.Length} values, got {sample.Length}.", nameof(sample));
        Count++;
        double inv = 1.0 / Count;
        var mean = _mean.AsSpan();
        var m2 = _m2.AsSpan();
        for (int p = 0; p < mean.Length; p++)
        {
            double delta = sample[p] - mean[p];
            mean[p] += delta * inv;
            m2[p] += delta * (sample[p] - mean[p]); // = delta^2 (n-1)/n, without forming it
        }
    }

    /// <summary>
    /// Combines another accumulator (Chan, Golub &amp; LeVeque 1979): with <c>delta = mean_b - mean_a</c>,
    /// <c>mean = mean_a + delta n_b/n</c>, <c>M2 = M2_a + M2_b + delta^2 n_a n_b / n</c>.
    /// </summary>
    public void Merge(Welford other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Dimension != Dimension) throw new ArgumentException("Dimensions differ.", nameof(other));
        if (other.Count == 0) return;
        long n = Count + other.Count;
        double wb = (double)other.Count / n;
        for (int p = 0; p < _mean.Length; p++)
        {
            double delta = other._mean[p] - _mean[p];
            _mean[p] += delta * wb;
            _m2[p] += other._m2[p] + delta * delta * Count * wb;
        }
        Count = n;
    }

    /// <summary>Unbiased sample variance <c>M2 / (n - 1)</c> of component p (NaN below two samples).</summary>
    public double Variance(int p) => Count > 1 ? _m2[p] / (Count - 1) : double.NaN;

    /// <summary>Standard error of the mean of component p: <c>sqrt(variance / n)</c>.</summary>
    public double StandardError(int p) => Math.Sqrt(Variance(p) / Count);

    /// <summary>All variances.</summary>
    public void Variances(Span<double> destination)
    {
        for (int p = 0; p < _mean.Length; p++) destination[p] = Variance(p);
    }

    /// <summary>All standard errors of the means.</summary>
    public void StandardErrors(Span<double> destination)
    {
        for (int p = 0; p < _mean.Length; p++) destination[p] = StandardError(p);
    }

    /// <summary>Forgets every sample.</summary>
    public void Reset()
    {
        Count = 0;
        Array.Clear(_mean);
        Array.Clear(_m2);
    }
}

/// <summary>
/// Welford's running mean and variance of one quantity, as a mutable struct for use in locals
/// and fields (no allocation at all). Same update as <see cref="Welford"/>.
/// </summary>
public struct ScalarWelford
{
    private double _mean;
    private double _m2;

    /// <summary>Samples seen.</summary>
    public long Count { get; private set; }

    /// <summary>Running mean.</summary>
    public readonly double Mean => _mean;

    /// <summary>Unbiased sample variance (NaN below two samples).</summary>
    public readonly double Variance => Count > 1 ? _m2 / (Count - 1) : double.NaN;

    /// <summary>Standard error of the mean.</summary>
    public readonly double StandardError => Math.Sqrt(Variance / Count);

    /// <summary>mean += delta/n; M2 += delta (x - mean_new).</summary>
    public void Add(double x)
    {
        Count++;
        double delta = x - _mean;
        _mean += delta / Count;
        _m2 += delta * (x - _mean);
    }

    /// <summary>Chan et al. pairwise combination.</summary>
    public void Merge(in ScalarWelford other)
    {
        if (other.Count == 0) return;
        long n = Count + other.Count;
        double delta = other._mean - _mean, wb = (double)other.Count / n;
        _mean += delta * wb;
        _m2 += other._m2 + delta * delta * Count * wb;
        Count = n;
    }
}
