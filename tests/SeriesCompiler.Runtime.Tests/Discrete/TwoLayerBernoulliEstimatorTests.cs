using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Discrete;

/// <summary>
/// The two-layer estimators on a hierarchy small enough to enumerate: 2 + 3 Bernoulli units (32 configurations (z1, z2)
/// per data point), 2 data points. The reference is the exact gradient of E_q f in (l1, c, W), l2 = z1 W + c, summed
/// over all configurations as sum_z dq(z)/dtheta f(z) (dq/dl1_j = q (z1_j - sigmoid(l1_j)), dq/dc_k = q (z2_k -
/// sigmoid(l2_k)), dq/dW_jk = q z1_j (z2_k - sigmoid(l2_k)); f's own -log q term has zero mean derivative). Fixed
/// seeds, tolerances of 5 standard errors over 20,000 estimates.
/// </summary>
public sealed class TwoLayerBernoulliEstimatorTests
{
    private const int N1 = 2, N2 = 3, Rows = 2;
    private static readonly double[] Logits1 = [0.4, -0.9, -0.2, 1.3];          // rows x N1
    private static readonly double[] W = [0.8, -0.5, 0.3, -1.1, 0.6, 0.9];     // N1 x N2
    private static readonly double[] C = [0.2, -0.4, 0.7];
    private static readonly double[] A = [0.7, -1.2], B = [0.5, 1.0, -0.8], E = [0.3, -0.6, 0.4], T = [-0.3, 0.6];
    private static readonly double[] M = [0.9, -0.4, 0.2, 0.5, 0.3, -0.7];     // N1 x N2

    /// <summary>h = s^2 + e . v2 with s = a . v1 + b . v2 + v1' M v2 + t_row: couples every unit of both layers.</summary>
    private static double H(int row, ReadOnlySpan<double> v1, ReadOnlySpan<double> v2, Span<double> dv1, Span<double> dv2)
    {
        double s = T[row], ev = 0;
        for (int j = 0; j < N1; j++) s += A[j] * v1[j];
        for (int k = 0; k < N2; k++) { s += B[k] * v2[k]; ev += E[k] * v2[k]; }
        for (int j = 0; j < N1; j++)
            for (int k = 0; k < N2; k++) s += v1[j] * M[j * N2 + k] * v2[k];
        if (!dv1.IsEmpty)
        {
            for (int j = 0; j < N1; j++)
            {
                double mv = 0;
                for (int k = 0; k < N2; k++) mv += M[j * N2 + k] * v2[k];
                dv1[j] = 2 * s * (A[j] + mv);
            }
            for (int k = 0; k < N2; k++)
            {
                double mv = 0;
                for (int j = 0; j < N1; j++) mv += v1[j] * M[j * N2 + k];
                dv2[k] = 2 * s * (B[k] + mv) + E[k];
            }
        }
        return s * s + ev;
    }

    private static double LogSigmoid(double x) => x >= 0 ? -Math.Log(1 + Math.Exp(-x)) : x - Math.Log(1 + Math.Exp(x));
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    // sum_j v_j log sigmoid(l_j) + (1 - v_j) log sigmoid(-l_j): log q at a (relaxed) configuration.
    private static double LogQ(ReadOnlySpan<double> v, ReadOnlySpan<double> l)
    {
        double s = 0;
        for (int j = 0; j < v.Length; j++) s += v[j] * LogSigmoid(l[j]) + (1 - v[j]) * LogSigmoid(-l[j]);
        return s;
    }

    /// <summary>
    /// A straightforward model: every value (flips included) is a fresh evaluation of h, minus log q(z1 | l1) and
    /// log q(z2 | l2) when <see cref="SubtractsLogQ"/> (an ELBO-like integrand). Allocates nothing per call.
    /// </summary>
    private sealed class PlainModel(bool subtractsLogQ) : ITwoLayerBernoulliModel
    {
        private readonly double[] _z1 = new double[N1], _z2 = new double[N2], _l1 = new double[N1], _l2 = new double[N2], _zf = new double[N2];
        private int _row;

        public int Units1 => N1;
        public int Units2 => N2;
        public bool SubtractsLogQ => subtractsLogQ;

        public void Layer2Logits(ReadOnlySpan<double> z1, int rows, Span<double> logits2)
        {
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < N2; k++)
                {
                    double l = C[k];
                    for (int j = 0; j < N1; j++) l += z1[r * N1 + j] * W[j * N2 + k];
                    logits2[r * N2 + k] = l;
                }
        }

        public void Layer2FlipLogits(ReadOnlySpan<double> z1, ReadOnlySpan<double> logits2, Span<double> flipped)
        {
            for (int j = 0; j < N1; j++)
                for (int k = 0; k < N2; k++) flipped[j * N2 + k] = logits2[k] + (1 - 2 * z1[j]) * W[j * N2 + k];
        }

        public void Layer2Backward(ReadOnlySpan<double> dl2, Span<double> dz1)
        {
            for (int j = 0; j < N1; j++)
                for (int k = 0; k < N2; k++) dz1[j] += W[j * N2 + k] * dl2[k];
        }

        private double F(int row, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, ReadOnlySpan<double> v1, ReadOnlySpan<double> v2) =>
            H(row, v1, v2, [], []) - (subtractsLogQ ? LogQ(v1, l1) + LogQ(v2, l2) : 0);

        public double Value(int row, ReadOnlySpan<double> logits1, ReadOnlySpan<double> logits2, ReadOnlySpan<double> z1, ReadOnlySpan<double> z2)
        {
            _row = row;
            logits1.CopyTo(_l1); logits2.CopyTo(_l2); z1.CopyTo(_z1); z2.CopyTo(_z2);
            return F(row, _l1, _l2, _z1, _z2);
        }

        public void FlipLayer2(Span<double> values)
        {
            for (int k = 0; k < N2; k++)
            {
                _z2[k] = 1 - _z2[k];
                values[k] = F(_row, _l1, _l2, _z1, _z2);
                _z2[k] = 1 - _z2[k];
            }
        }

        public void FlipLayer1(ReadOnlySpan<double> flippedLogits2, ReadOnlySpan<double> flippedZ2, Span<double> values)
        {
            for (int j = 0; j < N1; j++)
            {
                _z1[j] = 1 - _z1[j];
                flippedZ2.Slice(j * N2, N2).CopyTo(_zf);
                values[j] = F(_row, _l1, flippedLogits2.Slice(j * N2, N2), _z1, _zf);
                _z1[j] = 1 - _z1[j];
            }
        }

        public double RelaxedValue(int row, ReadOnlySpan<double> logits1, ReadOnlySpan<double> logits2, ReadOnlySpan<double> v1, ReadOnlySpan<double> v2,
            Span<double> dv1, Span<double> dv2)
        {
            double f = H(row, v1, v2, dv1, dv2);
            if (!subtractsLogQ) return f;
            if (!dv1.IsEmpty)
            {
                // d/dv [v log sigmoid(l) + (1 - v) log sigmoid(-l)] = l.
                for (int j = 0; j < N1; j++) dv1[j] -= logits1[j];
                for (int k = 0; k < N2; k++) dv2[k] -= logits2[k];
            }
            return f - LogQ(v1, logits1) - LogQ(v2, logits2);
        }
    }

    // The parameters' gradient: l1 per row (Rows x N1), then c (N2), then W (N1 x N2).
    private const int Parameters = Rows * N1 + N2 + N1 * N2;

    /// <summary>The exact gradient of sum_rows E_q f and the exact sum_rows E_q f, by enumerating every (z1, z2).</summary>
    private static (double[] Gradient, double Mean) Exact(bool subtractsLogQ)
    {
        var g = new double[Parameters];
        double mean = 0;
        var z1 = new double[N1];
        var z2 = new double[N2];
        var l2 = new double[N2];
        for (int r = 0; r < Rows; r++)
        {
            var l1 = Logits1.AsSpan(r * N1, N1);
            for (int a = 0; a < 1 << N1; a++)
            {
                for (int j = 0; j < N1; j++) z1[j] = (a >> j) & 1;
                for (int k = 0; k < N2; k++)
                {
                    l2[k] = C[k];
                    for (int j = 0; j < N1; j++) l2[k] += z1[j] * W[j * N2 + k];
                }
                for (int b = 0; b < 1 << N2; b++)
                {
                    for (int k = 0; k < N2; k++) z2[k] = (b >> k) & 1;
                    double q = Math.Exp(LogQ(z1, l1) + LogQ(z2, l2));
                    double f = H(r, z1, z2, [], []) - (subtractsLogQ ? LogQ(z1, l1) + LogQ(z2, l2) : 0);
                    mean += q * f;
                    for (int j = 0; j < N1; j++) g[r * N1 + j] += q * (z1[j] - Sigmoid(l1[j])) * f;
                    for (int k = 0; k < N2; k++)
                    {
                        double score = z2[k] - Sigmoid(l2[k]);
                        g[Rows * N1 + k] += q * score * f;
                        for (int j = 0; j < N1; j++) g[Rows * N1 + N2 + j * N2 + k] += q * z1[j] * score * f;
                    }
                }
            }
        }
        return (g, mean);
    }

    private static IDiscreteGradientEstimator Make(string which) => which switch
    {
        "rule" => new LocalExpectationEstimator(),
        "reinforce" => new ReinforceEstimator { Baseline = 0.8 },
        "rebar" => new RebarEstimator(temperature: 0.7),
        "relax" => new RebarEstimator(learned: true, hidden: 4, learningRate: 1e-2),
        "gumbel-st" => new GumbelSoftmaxEstimator(0.5, straightThrough: true),
        _ => new GumbelSoftmaxEstimator(0.5, straightThrough: false),
    };

    // One estimate's parameter gradient: dl1 as is, dl2 summed over rows for c, z1_j dl2_k for W.
    private static void Flatten(double[] dl1, double[] dl2, double[] z1, double[] into)
    {
        Array.Clear(into);
        dl1.CopyTo(into, 0);
        for (int r = 0; r < Rows; r++)
            for (int k = 0; k < N2; k++)
            {
                into[Rows * N1 + k] += dl2[r * N2 + k];
                for (int j = 0; j < N1; j++) into[Rows * N1 + N2 + j * N2 + k] += z1[r * N1 + j] * dl2[r * N2 + k];
            }
    }

    public static TheoryData<string, bool> Unbiased => new()
    {
        { "rule", false }, { "rule", true }, { "reinforce", false }, { "reinforce", true },
        { "rebar", false }, { "rebar", true }, { "relax", false }, { "relax", true },
    };

    [Theory, MemberData(nameof(Unbiased))]
    public void Unbiased_estimators_agree_with_the_enumerated_gradient_within_five_standard_errors(string which, bool subtractsLogQ)
    {
        var (exact, _) = Exact(subtractsLogQ);
        var model = new PlainModel(subtractsLogQ);
        var chain = new TwoLayerBernoulliEstimator(Make(which));
        var random = new RandomSource(20261205);
        double[] dl1 = new double[Rows * N1], dl2 = new double[Rows * N2], z1 = new double[Rows * N1], z2 = new double[Rows * N2];
        var flat = new double[Parameters];
        var stats = new Welford(Parameters);
        for (int t = 0; t < 20_000; t++)
        {
            if (t % 50 == 0) chain.BeginBatch();
            double mean = chain.Estimate(model, Logits1, Rows, random, dl1, dl2, z1, z2);
            // RELAX/REBAR tune their control variates between batches (on past draws only: each estimate stays unbiased).
            if (t % 50 == 49) chain.EndBatch(mean);
            Flatten(dl1, dl2, z1, flat);
            stats.Add(flat);
        }
        for (int i = 0; i < Parameters; i++)
            Assert.True(Math.Abs(stats.Mean[i] - exact[i]) <= 5 * stats.StandardError(i) + 1e-12,
                $"{which}, parameter {i}: {stats.Mean[i]} +- {stats.StandardError(i)} vs exact {exact[i]}");
    }

    [Fact]
    public void The_rule_has_lower_variance_than_reinforce_on_every_parameter()
    {
        var model = new PlainModel(true);
        double[] dl1 = new double[Rows * N1], dl2 = new double[Rows * N2], z1 = new double[Rows * N1], z2 = new double[Rows * N2];
        var flat = new double[Parameters];
        var variances = new List<double[]>();
        foreach (var which in new[] { "rule", "reinforce" })
        {
            var chain = new TwoLayerBernoulliEstimator(Make(which));
            var random = new RandomSource(5);
            var stats = new Welford(Parameters);
            for (int t = 0; t < 4000; t++)
            {
                chain.Estimate(model, Logits1, Rows, random, dl1, dl2, z1, z2);
                Flatten(dl1, dl2, z1, flat);
                stats.Add(flat);
            }
            variances.Add([.. Enumerable.Range(0, Parameters).Select(i => stats.StandardError(i) * stats.StandardError(i) * stats.Count)]);
        }
        for (int i = 0; i < Parameters; i++) Assert.True(variances[0][i] < variances[1][i], $"parameter {i}: rule {variances[0][i]}, reinforce {variances[1][i]}");
    }

    [Fact]
    public void Drawn_values_average_to_the_enumerated_expectation()
    {
        var (_, exact) = Exact(true);
        var model = new PlainModel(true);
        var random = new RandomSource(11);
        double[] z1 = new double[N1], z2 = new double[N2], l2 = new double[N2];
        var stats = new Welford(1);
        Span<double> sum = stackalloc double[1];
        for (int t = 0; t < 20_000; t++)
        {
            sum[0] = 0;
            for (int r = 0; r < Rows; r++) sum[0] += TwoLayerBernoulliEstimator.DrawValue(model, r, Logits1.AsSpan(r * N1, N1), random, z1, z2, l2);
            stats.Add(sum);
        }
        Assert.True(Math.Abs(stats.Mean[0] - exact) <= 5 * stats.StandardError(0), $"{stats.Mean[0]} +- {stats.StandardError(0)} vs {exact}");
    }

    [Theory]
    [InlineData("rule"), InlineData("reinforce"), InlineData("rebar"), InlineData("relax"), InlineData("gumbel-st"), InlineData("gumbel-relaxed")]
    public void The_same_seed_gives_the_same_estimates_and_a_warm_estimator_allocates_nothing(string which)
    {
        var model = new PlainModel(true);
        double[] Run(TwoLayerBernoulliEstimator chain, int calls, out long allocated)
        {
            var random = new RandomSource(3);
            double[] dl1 = new double[Rows * N1], dl2 = new double[Rows * N2], z1 = new double[Rows * N1], z2 = new double[Rows * N2];
            chain.Estimate(model, Logits1, Rows, random, dl1, dl2, z1, z2); // warm
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int t = 0; t < calls; t++) chain.Estimate(model, Logits1, Rows, random, dl1, dl2, z1, z2);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return [.. dl1, .. dl2, .. z1, .. z2];
        }
        var first = Run(new TwoLayerBernoulliEstimator(Make(which)), 20, out long allocated);
        var second = Run(new TwoLayerBernoulliEstimator(Make(which)), 20, out _);
        Assert.Equal(first, second);
        Assert.Equal(0, allocated);
        Assert.Contains(first, v => v != 0);
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        var model = new PlainModel(false);
        var chain = new TwoLayerBernoulliEstimator(new LocalExpectationEstimator());
        var random = new RandomSource(1);
        double[] dl1 = new double[Rows * N1], dl2 = new double[Rows * N2], z1 = new double[Rows * N1], z2 = new double[Rows * N2];
        var e = Assert.Throws<ArgumentException>(() => chain.Estimate(model, Logits1, Rows, random, dl1, new double[5], z1, z2));
        Assert.Contains("gradient2 has 5 entries; this block needs 6", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => chain.Estimate(model, Logits1, 0, random, dl1, dl2, z1, z2));
        var s = Assert.Throws<NotSupportedException>(() => new TwoLayerBernoulliEstimator(new LocalExpectationEstimator(samples: 2)));
        Assert.Contains("two-layer", s.Message);
        Assert.Throws<ArgumentException>(() => new TwoLayerBernoulliModel(new double[5], new double[3], (r, a, b, c, d) => 0));
    }

    [Fact]
    public void The_ready_made_model_gives_the_same_estimates_as_a_hand_written_one()
    {
        // TwoLayerBernoulliModel (W, c and one function) against PlainModel on the same draws: the same f at the same
        // configurations, so the same numbers up to the order of a few additions.
        var ready = new TwoLayerBernoulliModel(W, C, H);
        var plain = new PlainModel(false);
        foreach (var which in new[] { "rule", "reinforce", "rebar", "gumbel-relaxed" })
        {
            double[] Run(ITwoLayerBernoulliModel m)
            {
                var chain = new TwoLayerBernoulliEstimator(Make(which));
                var random = new RandomSource(8);
                double[] dl1 = new double[Rows * N1], dl2 = new double[Rows * N2], z1 = new double[Rows * N1], z2 = new double[Rows * N2];
                for (int t = 0; t < 5; t++) chain.Estimate(m, Logits1, Rows, random, dl1, dl2, z1, z2);
                return [.. dl1, .. dl2, .. z1, .. z2];
            }
            var a = Run(ready);
            var b = Run(plain);
            for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-12 * (1 + Math.Abs(b[i])), $"{which}[{i}]: {a[i]} vs {b[i]}");
        }
    }
}
