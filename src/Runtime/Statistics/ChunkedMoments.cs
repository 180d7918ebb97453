namespace SeriesCompiler.Runtime.Statistics;

/// <summary>
/// Means and variances of Q quantities over samples that arrive in fixed chunks (structure of arrays: quantity q of
/// sample s of a chunk at <c>values[q * stride + s]</c>). Each chunk's mean and centred sum of squares are taken in two
/// passes in sample order, and chunks are merged one after another in chunk order by Chan, Golub &amp; LeVeque's update
/// <c>M2 = M2_a + M2_b + delta^2 n_a n_b / n</c>. The result depends only on the chunk size and the samples, never on
/// how chunks were grouped into blocks or spread over threads. Allocates only in the constructor.
/// </summary>
public sealed class ChunkedMoments
{
    private readonly double[] _mean, _m2;

    public ChunkedMoments(int quantities)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantities, 1);
        _mean = new double[quantities];
        _m2 = new double[quantities];
    }

    public int Quantities => _mean.Length;

    /// <summary>Samples merged so far.</summary>
    public long Count { get; private set; }

    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Centred sums of squares <c>sum (x - mean)^2</c>.</summary>
    public ReadOnlySpan<double> M2 => _m2;

    public void Clear()
    {
        Array.Clear(_mean);
        Array.Clear(_m2);
        Count = 0;
    }

    /// <summary>
    /// One chunk's moments: <c>mean[q] = x_0 + sum_s (x_s - x_0) / n</c> and <c>m2[q] = sum_s (x - mean)^2</c> over the
    /// first <paramref name="count"/> samples (two passes: no cancellation between large sums).
    /// </summary>
    public static void OfChunk(ReadOnlySpan<double> values, int quantities, int stride, int count, Span<double> mean, Span<double> m2)
    {
        if (count == 1)
        {
            // One sample (a training step's gradient): its value, and no spread ((x - x)^2, NaN only where x is not finite).
            for (int j = 0; j < quantities; j++)
            {
                double x = values[j * stride], d = x - x;
                mean[j] = x;
                m2[j] = d * d;
            }
            return;
        }
        double inv = 1.0 / count;
        int q = 0;
        // Four quantities side by side: four independent chains of additions instead of one (a sum waits for the previous
        // add), each quantity's operations in the same order as below, so the same bits.
        for (; q + 4 <= quantities; q += 4)
        {
            var r0 = values.Slice(q * stride, count);
            var r1 = values.Slice((q + 1) * stride, count);
            var r2 = values.Slice((q + 2) * stride, count);
            var r3 = values.Slice((q + 3) * stride, count);
            double f0 = r0[0], f1 = r1[0], f2 = r2[0], f3 = r3[0];
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int s = 1; s < count; s++)
            {
                s0 += (r0[s] - f0) * inv;
                s1 += (r1[s] - f1) * inv;
                s2 += (r2[s] - f2) * inv;
                s3 += (r3[s] - f3) * inv;
            }
            double m0 = f0 + s0, m1 = f1 + s1, m2a = f2 + s2, m3 = f3 + s3;
            double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
            for (int s = 0; s < count; s++)
            {
                double d0 = r0[s] - m0, d1 = r1[s] - m1, d2 = r2[s] - m2a, d3 = r3[s] - m3;
                q0 += d0 * d0;
                q1 += d1 * d1;
                q2 += d2 * d2;
                q3 += d3 * d3;
            }
            (mean[q], mean[q + 1], mean[q + 2], mean[q + 3]) = (m0, m1, m2a, m3);
            (m2[q], m2[q + 1], m2[q + 2], m2[q + 3]) = (q0, q1, q2, q3);
        }
        for (; q < quantities; q++)
        {
            var row = values.Slice(q * stride, count);
            // The mean as the first value plus the mean offset from it, each offset scaled before it is added: equal values
            // give their value exactly (and M2 = 0, as Welford's update does), and values near the double range do not
            // overflow a running sum.
            double first = row[0], sum = 0;
            for (int s = 1; s < row.Length; s++) sum += (row[s] - first) * inv;
            double m = first + sum, squares = 0;
            for (int s = 0; s < row.Length; s++)
            {
                double d = row[s] - m;
                squares += d * d;
            }
            mean[q] = m;
            m2[q] = squares;
        }
    }

    /// <summary>
    /// The statistics of a run that is one chunk: its moments (<see cref="OfChunk"/>) taken straight into these, the
    /// numbers <see cref="Clear"/> then <see cref="Merge"/> of that chunk give.
    /// </summary>
    internal void SetFromChunk(ReadOnlySpan<double> values, int stride, int count)
    {
        OfChunk(values, _mean.Length, stride, count, _mean, _m2);
        Count = count;
    }

    /// <summary>Merges one chunk of <paramref name="count"/> samples (its moments from <see cref="OfChunk"/>).</summary>
    public void Merge(ReadOnlySpan<double> mean, ReadOnlySpan<double> m2, int count)
    {
        if (count <= 0) return;
        if (Count == 0)
        {
            // The first chunk is taken as it is (delta^2 times a zero weight would be NaN for means near the double range).
            mean[.._mean.Length].CopyTo(_mean);
            m2[.._m2.Length].CopyTo(_m2);
            Count = count;
            return;
        }
        long n = Count + count;
        double wb = (double)count / n, cross = (double)Count * count / n;
        for (int q = 0; q < _mean.Length; q++)
        {
            double delta = mean[q] - _mean[q];
            _mean[q] += delta * wb;
            _m2[q] += m2[q] + delta * delta * cross;
        }
        Count = n;
    }

    /// <summary>Sample variance <c>M2 / (n - 1)</c> (NaN for one sample: one value has no spread).</summary>
    public double Variance(int q) => Count > 1 ? _m2[q] / (Count - 1) : double.NaN;

    /// <summary>Standard error of the mean, <c>sqrt(variance / n)</c> (NaN for one sample).</summary>
    public double StandardError(int q) => Math.Sqrt(Variance(q) / Count);
}
