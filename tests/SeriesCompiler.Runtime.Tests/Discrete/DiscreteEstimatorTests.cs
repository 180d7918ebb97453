using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Discrete;

/// <summary>
/// Each estimator on small layers whose exact gradient is a sum over every configuration (4 Bernoulli units: 16; 3
/// categorical variables of 3 classes: 27), fixed seeds, tolerances in standard errors.
/// </summary>
public sealed class DiscreteEstimatorTests
{
    private static readonly double[] BinaryLogits = [0, 0.4, 0, -1.2, 0.3, 1.1, 0, 0.2];          // 4 Bernoulli units, (a_j, c_j)
    private static readonly double[] CategoricalLogits = [0.5, -0.3, 0.1, 1.2, 0, -0.8, -0.4, 0.6, 0.2];

    private static (DiscreteLayer Layer, double[] Logits) Problem(bool binary) =>
        binary ? (DiscreteLayer.Bernoulli(4), BinaryLogits) : (DiscreteLayer.Categorical(3, 3), CategoricalLogits);

    private static (double[] Mean, double[] StandardError) MonteCarlo(IDiscreteGradientEstimator estimator, IDiscreteObjective f, double[] logits, int n, ulong seed)
    {
        var layer = f.Layer;
        var random = new RandomSource(seed);
        var y = new double[estimator.Configurations * layer.FullSize];
        var g = new double[layer.FullSize];
        var stats = new Welford(g.Length);
        for (int t = 0; t < n; t++)
        {
            estimator.Estimate(f, logits, random, y, g);
            stats.Add(g);
        }
        return (stats.Mean.ToArray(), Enumerable.Range(0, g.Length).Select(stats.StandardError).ToArray());
    }

    /// <summary>RELAX with a nonzero network (w2 and b0 drawn) and eta = 0.7, so every part of its control variate acts.</summary>
    private static RebarEstimator Relax(int units, ulong seed)
    {
        var relax = new RebarEstimator(learned: true, hidden: 5, seed: seed);
        relax.Prepare(units);
        var random = new RandomSource(seed + 1);
        var cp = relax.ControlParameters;
        for (int i = units * 5; i < cp.Length - 1; i++) cp[i] = random.Normal();
        relax.Eta = 0.7;
        return relax;
    }

    public static TheoryData<string, bool, bool> Unbiased => new()
    {
        { "rule", true, false }, { "rule", false, false }, { "rule S=3", true, false }, { "rule S=3", false, false },
        { "reinforce", true, false }, { "reinforce", false, false },
        { "rebar", true, false }, { "rebar", true, true }, { "relax", true, false }, { "relax", true, true },
    };

    [Theory, MemberData(nameof(Unbiased))]
    public void Unbiased_estimators_agree_with_enumeration_within_five_standard_errors(string which, bool binary, bool subtractsLogQ)
    {
        var (layer, logits) = Problem(binary);
        var f = new SmallObjective(layer, 7, subtractsLogQ ? logits : null);
        var exact = Enumeration.Gradient(f, logits);
        IDiscreteGradientEstimator estimator = which switch
        {
            "rule" => new LocalExpectationEstimator(),
            "rule S=3" => new LocalExpectationEstimator(3),
            "reinforce" => new ReinforceEstimator { Baseline = 1.5 },
            "rebar" => new RebarEstimator(),
            _ => Relax(layer.Variables, 21),
        };
        if (estimator is RebarEstimator { Learned: false } rebar) { rebar.Prepare(layer.Variables); rebar.Eta = 1.3; }
        var (mean, se) = MonteCarlo(estimator, f, logits, 20_000, 99);
        Assert.Contains(exact, v => Math.Abs(v) > 0.05); // a problem with a gradient worth estimating
        for (int i = 0; i < exact.Length; i++)
            Assert.True(Math.Abs(mean[i] - exact[i]) <= 5 * se[i] + 1e-12, $"{which} logit {i}: {mean[i]:G6} +- {se[i]:G3} vs exact {exact[i]:G6}");
    }

    [Fact]
    public void The_rule_is_exact_when_averaged_over_every_configuration()
    {
        foreach (var binary in new[] { true, false })
        {
            var (layer, logits) = Problem(binary);
            var f = new SmallObjective(layer, 3);
            var exact = Enumeration.Gradient(f, logits);
            var logQ = new double[layer.FullSize];
            layer.LogProbabilities(logits, logQ);
            var average = new double[layer.FullSize];
            var values = new double[layer.FullSize];
            foreach (var s in Enumeration.States(layer))
            {
                double q = 1;
                for (int j = 0; j < layer.Variables; j++) q *= Math.Exp(logQ[j * layer.Classes + s[j]]);
                LocalExpectationEstimator.Accumulate(f, logQ, s, values, average, q);
            }
            for (int i = 0; i < exact.Length; i++)
                Assert.True(Math.Abs(average[i] - exact[i]) < 1e-12, $"logit {i}: rule {average[i]:R} exact {exact[i]:R}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void S_samples_give_the_mean_of_S_one_sample_estimates(bool binary)
    {
        var (layer, logits) = Problem(binary);
        var f = new SmallObjective(layer, 5);
        var many = new LocalExpectationEstimator(3);
        var y3 = new double[3 * layer.FullSize];
        var g3 = new double[layer.FullSize];
        double v3 = many.Estimate(f, logits, new RandomSource(11), y3, g3);
        // The S-sample estimator draws its samples one after another from the same stream, as S one-sample calls do.
        var one = new LocalExpectationEstimator(1);
        var random = new RandomSource(11);
        var y = new double[layer.FullSize];
        var g = new double[layer.FullSize];
        var mean = new double[layer.FullSize];
        double value = 0;
        for (int s = 0; s < 3; s++)
        {
            value += one.Estimate(f, logits, random, y, g) / 3;
            for (int i = 0; i < mean.Length; i++) mean[i] += g[i] / 3;
            Assert.Equal(y, y3.AsSpan(s * layer.FullSize, layer.FullSize).ToArray()); // the same configurations, in order
        }
        Assert.Equal(value, v3, 12);
        for (int i = 0; i < mean.Length; i++) Assert.True(Math.Abs(mean[i] - g3[i]) <= 1e-13 * (1 + Math.Abs(mean[i])), $"logit {i}: {g3[i]:R} vs {mean[i]:R}");
    }

    /// <summary>
    /// Relaxed Gumbel-softmax on two Bernoulli units with f(y) = a0 y0 + a1 y1 + b y0 y1 (y_j class 1's entry): y_j =
    /// sigmoid((l_j + L_j) / tau) with L_j logistic (the difference of two Gumbels), independent, so E f = a0 m0 + a1 m1
    /// + b m0 m1 with m_j = E y_j, and d m_j / d l_j = E[y_j (1 - y_j)] / tau: one-dimensional integrals against the
    /// logistic density, by Simpson's rule. The estimator must converge to this relaxed gradient (not the discrete one).
    /// </summary>
    [Fact]
    public void Relaxed_gumbel_softmax_converges_to_the_relaxed_objectives_gradient()
    {
        const double tau = 0.7, a0 = 1.5, a1 = -2.0, b = 3.0;
        var layer = DiscreteLayer.Bernoulli(2);
        double[] logits = [0.2, 0.9, -0.3, -0.8];
        var f = DiscreteObjective.FromRelaxed(layer, (y, dy) =>
        {
            if (!dy.IsEmpty) { dy.Clear(); dy[1] = a0 + b * y[3]; dy[3] = a1 + b * y[1]; }
            return a0 * y[1] + a1 * y[3] + b * y[1] * y[3];
        });
        var m = new double[2];
        var dm = new double[2];
        for (int j = 0; j < 2; j++)
        {
            double l = logits[2 * j + 1] - logits[2 * j];
            m[j] = Simpson(x => Logistic(x) * Sigmoid((l + x) / tau));
            dm[j] = Simpson(x => { double y = Sigmoid((l + x) / tau); return Logistic(x) * y * (1 - y) / tau; });
        }
        double[] target = [-(a0 + b * m[1]) * dm[0], (a0 + b * m[1]) * dm[0], -(a1 + b * m[0]) * dm[1], (a1 + b * m[0]) * dm[1]];
        var (mean, se) = MonteCarlo(new GumbelSoftmaxEstimator(tau, straightThrough: false), f, logits, 40_000, 17);
        for (int i = 0; i < 4; i++)
            Assert.True(Math.Abs(mean[i] - target[i]) <= 5 * se[i], $"logit {i}: {mean[i]:G6} +- {se[i]:G3} vs relaxed target {target[i]:G6}");
        // ...and differs from the discrete gradient (the relaxation's bias is far outside the error bars here).
        var discrete = Enumeration.Gradient(f, logits);
        Assert.Contains(Enumerable.Range(0, 4), i => Math.Abs(mean[i] - discrete[i]) > 10 * se[i]);
    }

    private static double Sigmoid(double s) => s >= 0 ? 1 / (1 + Math.Exp(-s)) : Math.Exp(s) / (1 + Math.Exp(s));
    private static double Logistic(double x) => Sigmoid(x) * Sigmoid(-x);

    // Composite Simpson on [-50, 50] (the logistic tails beyond carry e^-50), 200,000 panels: error far below the test's.
    private static double Simpson(Func<double, double> g)
    {
        const double a = -50, c = 50;
        const int n = 200_000;
        double h = (c - a) / n, sum = g(a) + g(c);
        for (int i = 1; i < n; i++) sum += (i % 2 == 1 ? 4 : 2) * g(a + i * h);
        return sum * h / 3;
    }

    [Fact]
    public void Straight_through_gumbel_evaluates_f_at_samples_of_q()
    {
        // The hard forward pass is the Gumbel-max trick: its configurations are draws of q, so their frequencies match q.
        var (layer, logits) = Problem(false);
        var f = new SmallObjective(layer, 9);
        var st = new GumbelSoftmaxEstimator(0.5, straightThrough: true);
        var random = new RandomSource(23);
        var y = new double[layer.FullSize];
        var g = new double[layer.FullSize];
        var counts = new double[layer.FullSize];
        const int n = 20_000;
        for (int t = 0; t < n; t++)
        {
            double value = st.Estimate(f, logits, random, y, g);
            Assert.All(g, v => Assert.True(double.IsFinite(v)));
            for (int i = 0; i < y.Length; i++) counts[i] += y[i];
            Assert.Equal(f.ValueAndGradient(y, []), value, 12);
        }
        var logQ = new double[layer.FullSize];
        layer.LogProbabilities(logits, logQ);
        for (int i = 0; i < counts.Length; i++)
        {
            double p = Math.Exp(logQ[i]), se = Math.Sqrt(p * (1 - p) / n);
            Assert.True(Math.Abs(counts[i] / n - p) <= 5 * se, $"class entry {i}: frequency {counts[i] / n:G4} vs q {p:G4}");
        }
    }

    [Fact]
    public void Draws_follow_q()
    {
        var (layer, logits) = Problem(false);
        var logQ = new double[layer.FullSize];
        layer.LogProbabilities(logits, logQ);
        var random = new RandomSource(3);
        var state = new int[layer.Variables];
        var counts = new double[layer.FullSize];
        const int n = 50_000;
        for (int t = 0; t < n; t++)
        {
            layer.Draw(logQ, random, state);
            for (int j = 0; j < layer.Variables; j++) counts[j * layer.Classes + state[j]]++;
        }
        for (int i = 0; i < counts.Length; i++)
        {
            double p = Math.Exp(logQ[i]);
            Assert.True(Math.Abs(counts[i] / n - p) <= 5 * Math.Sqrt(p * (1 - p) / n), $"entry {i}");
        }
    }

    [Fact]
    public void Bad_input_is_refused_with_the_parameter_named()
    {
        var layer = DiscreteLayer.Categorical(3, 3);
        var f = new SmallObjective(layer, 1);
        var rule = new LocalExpectationEstimator();
        var random = new RandomSource(1);
        var ex = Assert.Throws<ArgumentException>(() => rule.Estimate(f, new double[8], random, new double[9], new double[9]));
        Assert.Equal("logits", ex.ParamName);
        Assert.Contains("needs 9", ex.Message);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => rule.Estimate(f, CategoricalLogits, random, new double[9], new double[4])).ParamName);
        Assert.Equal("configurations", Assert.Throws<ArgumentException>(() => new LocalExpectationEstimator(2).Estimate(f, CategoricalLogits, random, new double[9], new double[9])).ParamName);
        double[] bad = [.. CategoricalLogits];
        bad[4] = double.NaN;
        Assert.Contains("variable 1", Assert.Throws<ArgumentException>(() => rule.Estimate(f, bad, random, new double[9], new double[9])).Message);
        Assert.Contains("two classes", Assert.Throws<NotSupportedException>(() => new RebarEstimator().Estimate(f, CategoricalLogits, random, new double[9], new double[9])).Message);
        var plain = new PlainObjective(layer);
        Assert.Contains(nameof(IRelaxedDiscreteObjective), Assert.Throws<NotSupportedException>(() => new GumbelSoftmaxEstimator().Estimate(plain, CategoricalLogits, random, new double[9], new double[9])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GumbelSoftmaxEstimator(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalExpectationEstimator(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReinforceEstimator(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiscreteLayer(3, 1));
    }

    /// <summary>An objective without a relaxation (values only).</summary>
    private sealed class PlainObjective(DiscreteLayer layer) : IDiscreteObjective
    {
        private readonly int[] _scratch = new int[layer.Variables];
        public DiscreteLayer Layer => layer;
        public double Value(ReadOnlySpan<int> state) => state[0] - 2.0 * state[^1];
        public double EvaluateFlipped(ReadOnlySpan<int> state, Span<double> values) => DiscreteObjective.FlipByValues(this, state, _scratch, values);
    }

    [Fact]
    public void Estimates_allocate_nothing_once_warm()
    {
        var (layer, logits) = Problem(true);
        var f = new SmallObjective(layer, 2, logits);
        IDiscreteGradientEstimator[] estimators =
        [
            new LocalExpectationEstimator(2), new ReinforceEstimator(), new GumbelSoftmaxEstimator(0.5, true),
            new GumbelSoftmaxEstimator(0.5, false), new RebarEstimator(), new RebarEstimator(learned: true, hidden: 4),
        ];
        var random = new RandomSource(1);
        foreach (var estimator in estimators)
        {
            var y = new double[estimator.Configurations * layer.FullSize];
            var g = new double[layer.FullSize];
            void Batch()
            {
                estimator.BeginBatch();
                for (int i = 0; i < 20; i++) estimator.Estimate(f, logits, random, y, g);
                estimator.EndBatch(0.5);
            }
            Batch();
            long before = GC.GetAllocatedBytesForCurrentThread();
            Batch();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{estimator.Name} allocated {allocated} bytes per batch once warm");
        }
    }
}
