using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

public sealed class WelfordTests
{
    [Fact]
    public void Matches_the_two_pass_formula_even_with_a_large_offset()
    {
        const int n = 10_000, p = 3;
        var r = new RandomSource(99);
        var data = new double[n, p];
        double[] offset = [1e9, -3.0, 0.0];
        double[] scale = [1e-3, 2.0, 1e6];
        var w = new Welford(p);
        Span<double> row = stackalloc double[p];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++) row[j] = data[i, j] = offset[j] + scale[j] * r.Normal();
            w.Add(row);
        }
        Assert.Equal(n, w.Count);
        for (int j = 0; j < p; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += data[i, j];
            mean /= n;
            double ss = 0;
            for (int i = 0; i < n; i++) ss += (data[i, j] - mean) * (data[i, j] - mean);
            double variance = ss / (n - 1);
            Approx.Equal(mean, w.Mean[j], 1e-14, 1e-14, $"mean {j}");
            // Offset/sd = 1e12 costs Welford about eps * 1e12 * sqrt-ish growth in the first
            // component; the naive sum of squares would lose every digit there.
            double tolerance = j == 0 ? 1e-5 : 1e-12;
            Approx.Equal(variance, w.Variance(j), tolerance, what: $"variance {j}");
            Approx.Equal(Math.Sqrt(variance / n), w.StandardError(j), tolerance, what: $"sem {j}");
        }
    }

    [Fact]
    public void Merge_equals_a_single_pass()
    {
        var r = new RandomSource(5);
        var all = new Welford(2);
        var a = new Welford(2);
        var b = new Welford(2);
        var s = new ScalarWelford();
        var sa = new ScalarWelford();
        var sb = new ScalarWelford();
        Span<double> x = stackalloc double[2];
        for (int i = 0; i < 3000; i++)
        {
            x[0] = r.Exponential();
            x[1] = r.Normal(5, 3);
            all.Add(x);
            (i < 1000 ? a : b).Add(x);
            s.Add(x[0]);
            if (i < 1000) sa.Add(x[0]); else sb.Add(x[0]);
        }
        a.Merge(b);
        sa.Merge(sb);
        var va = new double[2];
        var vall = new double[2];
        a.Variances(va);
        all.Variances(vall);
        for (int j = 0; j < 2; j++)
        {
            Approx.Equal(all.Mean[j], a.Mean[j], 1e-13);
            Approx.Equal(vall[j], va[j], 1e-12);
        }
        Approx.Equal(all.Mean[0], s.Mean, 1e-15);
        Approx.Equal(s.Variance, sa.Variance, 1e-12);
        Approx.Equal(s.StandardError, sa.StandardError, 1e-12);
        Assert.Equal(3000, sa.Count);
        a.Reset();
        Assert.Equal(0, a.Count);
        Assert.True(double.IsNaN(a.Variance(0)));
    }
}
