using SeriesCompiler.Experiments.Discrete;
using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Tests.Discrete;

/// <summary>
/// The discrete estimators on models small enough to enumerate: 8 Bernoulli units (256 configurations) and 3
/// categorical variables with 4 classes (64), each with a 5-pixel decoder and fixed random weights: linear, or
/// (nonlinear) two tanh layers of 6 and 4 units before the linear output.
/// </summary>
public sealed class DiscreteEstimatorTests
{
    private sealed record Small(LatentSpace Space, DenseLayer[] Layers, double[] Prior, double[] Posterior, double[] X)
    {
        public DenseLayer Decoder => Layers[^1];

        public ElboObjective Objective(double[]? posterior = null, double[]? prior = null)
        {
            var f = new ElboObjective(Space, Layers);
            f.Set(X, prior ?? Prior, posterior ?? Posterior);
            return f;
        }
    }

    private static Small Make(LatentSpace space, ulong seed, bool nonlinear = false)
    {
        var random = new RandomSource(seed);
        var layers = new List<DenseLayer>();
        int inputs = space.DecoderInputs;
        if (nonlinear)
            foreach (var h in new[] { 6, 4 })
            {
                var hidden = new DenseLayer(inputs, h, Activation.Tanh, random, scale: 2);
                for (int i = 0; i < h; i++) hidden.Bias[i] = 0.5 * random.Normal();
                layers.Add(hidden);
                inputs = h;
            }
        var decoder = new DenseLayer(inputs, 5, Activation.Identity, random, scale: 3);
        layers.Add(decoder);
        for (int i = 0; i < 5; i++) decoder.Bias[i] = random.Normal();
        var prior = new double[space.FullSize];
        var posterior = new double[space.FullSize];
        var encoderPrior = Enumerable.Range(0, space.EncoderOutputs).Select(_ => random.Normal()).ToArray();
        var encoderPosterior = Enumerable.Range(0, space.EncoderOutputs).Select(_ => 1.5 * random.Normal()).ToArray();
        space.Expand(encoderPrior, prior);
        space.Expand(encoderPosterior, posterior);
        var x = new double[] { 1, 0, 1, 1, 0 };
        return new Small(space, [.. layers], prior, posterior, x);
    }

    private static IEnumerable<int[]> AllStates(LatentSpace space)
    {
        int total = (int)Math.Pow(space.Classes, space.Variables);
        for (int c = 0; c < total; c++)
        {
            var state = new int[space.Variables];
            for (int j = 0, r = c; j < space.Variables; j++, r /= space.Classes) state[j] = r % space.Classes;
            yield return state;
        }
    }

    private static double Q(ElboObjective f, int[] state) => state.Select((k, j) => f.Probability(j, k)).Aggregate(1.0, (a, b) => a * b);

    /// <summary>E_q f with f's own dependence on the logits (through -log q) included.</summary>
    private static double Expected(Small m, double[] posterior)
    {
        var f = m.Objective(posterior);
        return AllStates(m.Space).Sum(s => Q(f, s) * f.Value(s));
    }

    /// <summary>d E_q f / d logits exactly: sum_z q(z) f(z) d log q(z) / d l (the explicit term has mean zero).</summary>
    private static double[] ExactGradient(Small m)
    {
        var f = m.Objective();
        var g = new double[m.Space.FullSize];
        int K = m.Space.Classes;
        foreach (var s in AllStates(m.Space))
        {
            double w = Q(f, s) * f.Value(s);
            for (int j = 0; j < m.Space.Variables; j++)
                for (int k = 0; k < K; k++) g[j * K + k] += w * ((s[j] == k ? 1 : 0) - f.Probability(j, k));
        }
        return g;
    }

    public static TheoryData<bool> Spaces => new() { true, false };
    public static TheoryData<bool, bool> Decoders => new() { { true, false }, { false, false }, { true, true }, { false, true } };
    private static Small ModelFor(bool binary, bool nonlinear = false) =>
        binary ? Make(LatentSpace.Bernoulli(8), 11, nonlinear) : Make(LatentSpace.Categorical(3, 4), 12, nonlinear);

    [Theory, MemberData(nameof(Spaces))]
    public void Exact_gradient_matches_finite_differences_of_the_enumerated_elbo(bool binary)
    {
        var m = ModelFor(binary);
        var exact = ExactGradient(m);
        // Binary: only the class-1 logit is free; categorical: every logit.
        for (int i = 0; i < m.Space.FullSize; i++)
        {
            if (binary && i % 2 == 0) continue;
            const double h = 1e-5;
            var plus = (double[])m.Posterior.Clone(); plus[i] += h;
            var minus = (double[])m.Posterior.Clone(); minus[i] -= h;
            double fd = (Expected(m, plus) - Expected(m, minus)) / (2 * h);
            Assert.True(Math.Abs(fd - exact[i]) < 1e-6 * (1 + Math.Abs(exact[i])), $"logit {i}: fd {fd} exact {exact[i]}");
        }
    }

    [Theory, MemberData(nameof(Decoders))]
    public void Flipped_evaluations_equal_recomputed_values(bool binary, bool nonlinear)
    {
        var m = ModelFor(binary, nonlinear);
        var f = m.Objective();
        var values = new double[m.Space.FullSize];
        var random = new RandomSource(5);
        var state = new int[m.Space.Variables];
        for (int t = 0; t < 10; t++)
        {
            f.Draw(random, state);
            f.EvaluateFlipped(state, values);
            for (int j = 0; j < m.Space.Variables; j++)
                for (int k = 0; k < m.Space.Classes; k++)
                {
                    var changed = (int[])state.Clone();
                    changed[j] = k;
                    Assert.Equal(f.Value(changed), values[j * m.Space.Classes + k], 1e-10);
                }
        }
    }

    [Theory, MemberData(nameof(Decoders))]
    public void The_rule_averaged_over_every_configuration_is_the_exact_gradient(bool binary, bool nonlinear)
    {
        var m = ModelFor(binary, nonlinear);
        var f = m.Objective();
        var exact = ExactGradient(m);
        var average = new double[m.Space.FullSize];
        var values = new double[m.Space.FullSize];
        foreach (var s in AllStates(m.Space))
            LocalExpectationEstimator.Accumulate(f, f.LogQ, s, values, average, Q(f, s));
        for (int i = 0; i < exact.Length; i++)
            Assert.True(Math.Abs(average[i] - exact[i]) < 1e-10, $"logit {i}: rule {average[i]:R} exact {exact[i]:R}");
        if (binary) // the paper's form: sigmoid'(l_j) E[f(z_-j, 1) - f(z_-j, 0)]
            for (int j = 0; j < 8; j++)
            {
                double p = f.Probability(j, 1), diff = 0;
                foreach (var s in AllStates(m.Space))
                {
                    var one = (int[])s.Clone(); one[j] = 1;
                    var zero = (int[])s.Clone(); zero[j] = 0;
                    diff += Q(f, s) * (f.Value(one) - f.Value(zero));
                }
                Assert.True(Math.Abs(p * (1 - p) * diff - exact[2 * j + 1]) < 1e-10);
            }
    }

    private static (double[] Mean, double[] StandardError) MonteCarlo(Small m, IDiscreteGradientEstimator estimator, int n, ulong seed)
    {
        var f = m.Objective();
        var random = new RandomSource(seed);
        var y = new double[m.Space.FullSize];
        var g = new double[m.Space.FullSize];
        var stats = new SeriesCompiler.Runtime.Statistics.Welford(g.Length);
        for (int t = 0; t < n; t++)
        {
            estimator.Estimate(f, m.Posterior, random, y, g);
            stats.Add(g);
        }
        return (stats.Mean.ToArray(), Enumerable.Range(0, g.Length).Select(stats.StandardError).ToArray());
    }

    public static TheoryData<bool, string, bool> Unbiased => new()
    {
        { true, "rule", false }, { false, "rule", false }, { true, "reinforce", false }, { false, "reinforce", false },
        { true, "rebar", false }, { true, "relax", false }, { true, "rebar", true }, { true, "relax", true }, { true, "reinforce", true },
    };

    /// <summary>A RELAX estimator with a nonzero network (w2 and b0 drawn) and eta = 0.7, so every term of c is active.</summary>
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

    [Theory, MemberData(nameof(Unbiased))]
    public void Unbiased_estimators_agree_with_enumeration_within_five_standard_errors(bool binary, string which, bool nonlinear)
    {
        var m = ModelFor(binary, nonlinear);
        var exact = ExactGradient(m);
        IDiscreteGradientEstimator estimator = which switch
        {
            "rule" => new LocalExpectationEstimator(),
            "reinforce" => new ReinforceEstimator { Baseline = -8.0 },
            "rebar" => new RebarEstimator { },
            _ => Relax(m.Space.Variables, 21),
        };
        if (estimator is RebarEstimator { Learned: false } rebar) { rebar.Prepare(m.Space.Variables); rebar.Eta = 1.3; }
        var (mean, se) = MonteCarlo(m, estimator, 20_000, 99);
        for (int i = 0; i < exact.Length; i++)
        {
            if (binary && i % 2 == 0) continue;
            Assert.True(Math.Abs(mean[i] - exact[i]) <= 5 * se[i] + 1e-12, $"{which} logit {i}: {mean[i]:G6} +- {se[i]:G3} vs exact {exact[i]:G6}");
        }
    }

    /// <summary>REBAR or RELAX on the 8-unit nonlinear model, and sum_j g_j^2 of one estimate at the same noise each call.</summary>
    private static (RebarEstimator Estimator, Func<double> SumOfSquares) AtFixedNoise(bool learned)
    {
        var m = ModelFor(true, nonlinear: true);
        var f = m.Objective();
        var estimator = learned ? Relax(8, 5) : new RebarEstimator();
        estimator.Prepare(8);
        var y = new double[16];
        var g = new double[16];
        return (estimator, () =>
        {
            estimator.BeginBatch();
            estimator.Estimate(f, m.Posterior, new RandomSource(31), y, g);
            // Over the class-1 logits (g_j; the class-0 entries are -g_j): the sum of squares the estimator descends.
            return g.Where((_, i) => i % 2 == 1).Sum(v => v * v);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rebar_and_relax_variance_gradient_matches_finite_differences_at_fixed_noise(bool learned)
    {
        var (estimator, SumOfSquares) = AtFixedNoise(learned);
        SumOfSquares();
        var analytic = (double[])estimator.VarianceGradient.Clone();
        var cp = estimator.ControlParameters;
        Assert.Contains(analytic, v => v != 0);
        for (int i = learned ? 0 : cp.Length - 1; i < cp.Length; i++)
        {
            const double h = 1e-6;
            double saved = cp[i];
            cp[i] = saved + h; double up = SumOfSquares();
            cp[i] = saved - h; double down = SumOfSquares();
            cp[i] = saved;
            double fd = (up - down) / (2 * h);
            Assert.True(Math.Abs(fd - analytic[i]) <= 1e-5 * (1 + Math.Abs(fd)), $"parameter {i}: fd {fd:G8} analytic {analytic[i]:G8}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Temperature_gradient_matches_finite_differences_at_fixed_noise(bool learned)
    {
        var (estimator, SumOfSquares) = AtFixedNoise(learned);
        const double tau = 0.8, h = 1e-5;
        estimator.Temperature = tau;
        SumOfSquares();
        double analytic = estimator.TemperatureGradient;
        estimator.Temperature = tau * Math.Exp(h); double up = SumOfSquares();
        estimator.Temperature = tau * Math.Exp(-h); double down = SumOfSquares();
        double fd = (up - down) / (2 * h);
        Assert.True(Math.Abs(analytic) > 1e-6, $"the temperature gradient {analytic} is zero");
        Assert.True(Math.Abs(fd - analytic) <= 1e-4 * (1 + Math.Abs(fd)), $"fd {fd:G8} vs the estimator's {analytic:G8}");
    }

    [Fact]
    public void Learning_the_temperature_lowers_the_variance_at_fixed_logits()
    {
        // REBAR from a poor temperature (3), with eta learned in both: the one that also learns log lambda should end
        // with the smaller summed standard error.
        var m = ModelFor(true);
        var f = m.Objective();
        RebarEstimator Trained(bool learnTemperature)
        {
            var rebar = new RebarEstimator(temperature: 3.0, learningRate: 3e-2, learnTemperature: learnTemperature);
            var random = new RandomSource(51);
            var y = new double[16];
            var g = new double[16];
            for (int step = 0; step < 200; step++)
            {
                rebar.BeginBatch();
                for (int r = 0; r < 20; r++) rebar.Estimate(f, m.Posterior, random, y, g);
                rebar.EndBatch(0);
            }
            return rebar;
        }
        var learned = Trained(true);
        var fixedTemperature = Trained(false);
        Assert.NotEqual(3.0, learned.Temperature, 3);
        var (_, learnedSe) = MonteCarlo(m, learned, 5000, 53);
        var (_, fixedSe) = MonteCarlo(m, fixedTemperature, 5000, 53);
        Assert.True(learnedSe.Sum() < fixedSe.Sum(), $"learned lambda {learned.Temperature:G4}: {learnedSe.Sum()} vs fixed lambda 3: {fixedSe.Sum()}");
    }

    [Fact]
    public void Relax_training_lowers_the_variance_below_rebar_at_fixed_logits()
    {
        // The control variate's Adam steps at fixed logits should reduce sum_j Var g_j (the quantity they descend).
        var m = ModelFor(true);
        var f = m.Objective();
        var relax = new RebarEstimator(learned: true, hidden: 10, learningRate: 1e-2);
        var random = new RandomSource(41);
        var y = new double[16];
        var g = new double[16];
        for (int step = 0; step < 300; step++)
        {
            relax.BeginBatch();
            for (int r = 0; r < 20; r++) relax.Estimate(f, m.Posterior, random, y, g);
            relax.EndBatch(0);
        }
        var (_, relaxSe) = MonteCarlo(m, relax, 5000, 43);
        var (_, rebarSe) = MonteCarlo(m, new RebarEstimator(), 5000, 43);
        Assert.True(relaxSe.Sum() < rebarSe.Sum(), $"relax {relaxSe.Sum()} vs untrained rebar {rebarSe.Sum()}");
    }

    [Fact]
    public void The_rule_has_lower_variance_than_reinforce_on_the_small_model()
    {
        var m = ModelFor(true);
        var (_, ruleSe) = MonteCarlo(m, new LocalExpectationEstimator(), 5000, 3);
        var (_, scoreSe) = MonteCarlo(m, new ReinforceEstimator { Baseline = -8.0 }, 5000, 3);
        Assert.True(ruleSe.Sum() < scoreSe.Sum(), $"rule {ruleSe.Sum()} vs reinforce {scoreSe.Sum()}");
    }

    [Theory, MemberData(nameof(Decoders))]
    public void Relaxed_gradient_and_model_gradient_match_finite_differences(bool binary, bool nonlinear)
    {
        var m = ModelFor(binary, nonlinear);
        var f = m.Objective();
        var random = new RandomSource(8);
        var y = Enumerable.Range(0, m.Space.FullSize).Select(_ => random.NextDouble()).ToArray();
        var dy = new double[y.Length];
        f.ValueAndGradient(y, dy);
        var scratch = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            const double h = 1e-6;
            var p = (double[])y.Clone(); p[i] += h;
            var q = (double[])y.Clone(); q[i] -= h;
            double fd = (f.ValueAndGradient(p, scratch) - f.ValueAndGradient(q, scratch)) / (2 * h);
            Assert.Equal(fd, dy[i], 1e-6);
        }
        // Every decoder layer's and the prior's gradients at y.
        foreach (var layer in m.Layers) Array.Clear(layer.Gradient);
        var priorGradient = new double[m.Space.FullSize];
        f.AccumulateModelGradient(y, priorGradient);
        foreach (var layer in m.Layers)
            for (int i = 0; i < layer.Parameters.Length; i += 2)
            {
                const double h = 1e-6;
                double saved = layer.Parameters[i];
                layer.Parameters[i] = saved + h; double up = f.ValueAndGradient(y, scratch);
                layer.Parameters[i] = saved - h; double down = f.ValueAndGradient(y, scratch);
                layer.Parameters[i] = saved;
                Assert.Equal((up - down) / (2 * h), layer.Gradient[i], 1e-6);
            }
        for (int i = 0; i < m.Space.FullSize; i++)
        {
            const double h = 1e-6;
            var p = (double[])m.Prior.Clone(); p[i] += h;
            var q = (double[])m.Prior.Clone(); q[i] -= h;
            var fp = m.Objective(prior: p);
            var fq = m.Objective(prior: q);
            Assert.Equal((fp.ValueAndGradient(y, scratch) - fq.ValueAndGradient(y, scratch)) / (2 * h), priorGradient[i], 1e-6);
        }
    }

    [Fact]
    public void Gumbel_estimators_run_and_are_finite()
    {
        foreach (var binary in new[] { true, false })
            foreach (var st in new[] { true, false })
            {
                var (mean, se) = MonteCarlo(ModelFor(binary), new GumbelSoftmaxEstimator(0.5, st), 500, 4);
                Assert.All(mean.Concat(se), v => Assert.True(double.IsFinite(v)));
            }
    }
}
