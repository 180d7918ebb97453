using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Functions;

namespace SeriesCompiler.Bench;

/// <summary>
/// The gamma toy's f = sum_j (z_j - 0.49)^2 as a user's own <see cref="Objective"/> with block methods (public API): its
/// derivatives by hand, g' = 2 (z - 0.49), g'' = 2, none above, row by row over a block. What a speed-minded user writes,
/// and the measure of the batched core without the cost of jets.
/// </summary>
internal sealed class GammaToyQuadratic : Objective
{
    private const double Shift = 0.49;

    public override bool SupportsJets => true;
    public override bool BlockThreadSafe => true;

    public override double Value(ReadOnlySpan<double> z)
    {
        double sum = 0;
        foreach (double x in z) sum += (x - Shift) * (x - Shift);
        return sum;
    }

    private static double Derivative(double x, int k) => k switch { 0 => (x - Shift) * (x - Shift), 1 => 2 * (x - Shift), 2 => 2, _ => 0 };

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        for (int j = 0; j < z.Length; j++)
            for (int k = 0; k <= order; k++) result[j * (order + 1) + k] = Derivative(z[j], k);
    }

    public override double CoordinatePartial(ReadOnlySpan<double> z, int coordinate, double x, int order) => Derivative(x, order);

    public override Jet Evaluate(ReadOnlySpan<Jet> z)
    {
        var sum = Jet.Square(z[0] - Shift);
        for (int j = 1; j < z.Length; j++) sum = sum + Jet.Square(z[j] - Shift);
        return sum;
    }

    public override void Values(SampleBlock z, Span<double> values)
    {
        if (z.Count == 1 && z.Stride == 1)
        {
            // One sample in a one-sample block: its coordinates are a run.
            values[0] = Value(z.Data[..z.Dimension]);
            return;
        }
        values[..z.Count].Clear();
        for (int j = 0; j < z.Dimension; j++)
        {
            var row = z.Row(j);
            for (int s = 0; s < row.Length; s++) values[s] += (row[s] - Shift) * (row[s] - Shift);
        }
    }

    public override void PurePartials(SampleBlock z, int order, Span<double> partials) => Fill(z, order, partials);

    // One pass over the block: each coordinate's row gives its terms of f and its rows of g', g'' (what a speed-minded
    // user writes; the same numbers as Values and Fill).
    public override void ValuesAndPurePartials(SampleBlock z, int order, Span<double> values, Span<double> partials)
    {
        if (order > 2)
        {
            Values(z, values);
            Fill(z, order, partials);
            return;
        }
        int d = z.Dimension, n = z.Count, stride = z.Stride;
        var data = z.Data;
        var sum = values[..n];
        sum.Clear();
        for (int j = 0; j < d; j++)
        {
            var row = data.Slice(j * stride, n);
            if (order >= 1)
            {
                var first = partials.Slice((d + j) * stride, n);
                for (int s = 0; s < n; s++)
                {
                    double u = row[s] - Shift;
                    sum[s] += u * u;
                    first[s] = 2 * u;
                }
                if (order == 2) partials.Slice((2 * d + j) * stride, n).Fill(2);
            }
            else
                for (int s = 0; s < n; s++) sum[s] += (row[s] - Shift) * (row[s] - Shift);
        }
    }

    // Row k of coordinate j: g^(k) over the block's row j.
    private static void Fill(SampleBlock z, int order, Span<double> partials)
    {
        int d = z.Dimension, stride = z.Stride;
        for (int k = 1; k <= order; k++)
            for (int j = 0; j < d; j++)
            {
                var row = z.Row(j);
                var target = partials.Slice((k * d + j) * stride, row.Length);
                switch (k)
                {
                    case 1: for (int s = 0; s < row.Length; s++) target[s] = 2 * (row[s] - Shift); break;
                    case 2: target.Fill(2); break;
                    default: target.Clear(); break;
                }
            }
    }

    public override void CoordinatePartials(SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result)
    {
        int d = z.Dimension, n = z.Count, stride = z.Stride;
        // A full block's rows are one run: one loop per order, no call per value.
        int rows = n == stride ? 1 : d, length = n == stride ? d * n : n;
        for (int j = 0; j < rows; j++)
        {
            var from = x.Slice(j * stride, length);
            var to = result.Slice(j * stride, length);
            switch (order)
            {
                case 0: for (int s = 0; s < length; s++) to[s] = (from[s] - Shift) * (from[s] - Shift); break;
                case 1: for (int s = 0; s < length; s++) to[s] = 2 * (from[s] - Shift); break;
                case 2: to.Fill(2); break;
                default: to.Clear(); break;
            }
        }
    }
}
