using SeriesCompiler.Experiments.Discrete;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Tests.Discrete;

/// <summary>
/// The discrete estimators on models small enough to enumerate: 8 Bernoulli units (256 configurations) and 3
/// categorical variables with 4 classes (64), each with a 5-pixel linear decoder and fixed random weights.
/// </summary>
public sealed class DiscreteEstimatorTests
{
    private sealed record Small(LatentSpace Space, DenseLayer Decoder, double[] Prior, double[] Posterior, double[] X)
    {
        public ElboObjective Objective(double[]? posterior = null)
        {
            var f = new ElboObjective(Space, Decoder);
            f.Set(X, Prior, posterior ?? Posterior);
            return f;
        }
    }

    private static Small Make(LatentSpace space, ulong seed)
    {
        var random = new RandomSource(seed);
        var decoder = new DenseLayer(space.DecoderInputs, 5, Activation.Identity, random, scale: 3);
        for (int i = 0; i < 5; i++) decoder.Bias[i] = random.Normal();
        var prior = new double[space.FullSize];
        var posterior = new double[space.FullSize];
        var encoderPrior = Enumerable.Range(0, space.EncoderOutputs).Select(_ => random.Normal()).ToArray();
        var encoderPosterior = Enumerable.Range(0, space.EncoderOutputs).Select(_ => 1.5 * random.Normal()).ToArray();
        space.Expand(encoderPrior, prior);
        space.Expand(encoderPosterior, posterior);
        var x = new double[] { 1, 0, 1, 1, 0 };
        return new Small(space, decoder, prior, posterior, x);
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
    private static Small ModelFor(bool binary) => binary ? Make(LatentSpace.Bernoulli(8), 11) : Make(LatentSpace.Categorical(3, 4), 12);

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

    [Theory, MemberData(nameof(Spaces))]
    public void Rank_one_neighbours_equal_recomputed_values(bool binary)
    {
        var m = ModelFor(binary);
        var f = m.Objective();
        var values = new double[m.Space.FullSize];
        var random = new RandomSource(5);
        var state = new int[m.Space.Variables];
        for (int t = 0; t < 10; t++)
        {
            f.Sample(random, state);
            f.Neighbours(state, values);
            for (int j = 0; j < m.Space.Variables; j++)
                for (int k = 0; k < m.Space.Classes; k++)
                {
                    var changed = (int[])state.Clone();
                    changed[j] = k;
                    Assert.Equal(f.Value(changed), values[j * m.Space.Classes + k], 1e-10);
                }
        }
    }

    [Theory, MemberData(nameof(Spaces))]
    public void The_rule_averaged_over_every_configuration_is_the_exact_gradient(bool binary)
    {
        var m = ModelFor(binary);
        var f = m.Objective();
        var exact = ExactGradient(m);
        var average = new double[m.Space.FullSize];
        var values = new double[m.Space.FullSize];
        foreach (var s in AllStates(m.Space))
            LocalExpectationEstimator.Gradient(f, s, values, average, Q(f, s));
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

    private static (double[] Mean, double[] StandardError) MonteCarlo(Small m, IDiscreteEstimator estimator, int n, ulong seed)
    {
        var f = m.Objective();
        var random = new RandomSource(seed);
        var y = new double[m.Space.FullSize];
        var g = new double[m.Space.FullSize];
        var stats = new SeriesCompiler.Runtime.Statistics.Welford(g.Length);
        for (int t = 0; t < n; t++)
        {
            estimator.Estimate(f, random, y, g);
            stats.Add(g);
        }
        return (stats.Mean.ToArray(), Enumerable.Range(0, g.Length).Select(stats.StandardError).ToArray());
    }

    public static TheoryData<bool, string> Unbiased => new() { { true, "rule" }, { false, "rule" }, { true, "reinforce" }, { false, "reinforce" } };

    [Theory, MemberData(nameof(Unbiased))]
    public void Unbiased_estimators_agree_with_enumeration_within_five_standard_errors(bool binary, string which)
    {
        var m = ModelFor(binary);
        var exact = ExactGradient(m);
        IDiscreteEstimator estimator = which == "rule" ? new LocalExpectationEstimator() : new ReinforceEstimator { Baseline = -8.0 };
        var (mean, se) = MonteCarlo(m, estimator, 20_000, 99);
        for (int i = 0; i < exact.Length; i++)
        {
            if (binary && i % 2 == 0) continue;
            Assert.True(Math.Abs(mean[i] - exact[i]) <= 5 * se[i] + 1e-12, $"{which} logit {i}: {mean[i]:G6} +- {se[i]:G3} vs exact {exact[i]:G6}");
        }
    }

    [Fact]
    public void The_rule_has_lower_variance_than_reinforce_on_the_small_model()
    {
        var m = ModelFor(true);
        var (_, ruleSe) = MonteCarlo(m, new LocalExpectationEstimator(), 5000, 3);
        var (_, scoreSe) = MonteCarlo(m, new ReinforceEstimator { Baseline = -8.0 }, 5000, 3);
        Assert.True(ruleSe.Sum() < scoreSe.Sum(), $"rule {ruleSe.Sum()} vs reinforce {scoreSe.Sum()}");
    }

    [Theory, MemberData(nameof(Spaces))]
    public void Relaxed_gradient_and_model_gradient_match_finite_differences(bool binary)
    {
        var m = ModelFor(binary);
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
        // The decoder's and the prior's gradients at y.
        Array.Clear(m.Decoder.Gradient);
        var priorGradient = new double[m.Space.FullSize];
        f.AccumulateModelGradient(y, priorGradient);
        for (int i = 0; i < m.Decoder.Parameters.Length; i += 3)
        {
            const double h = 1e-6;
            double saved = m.Decoder.Parameters[i];
            m.Decoder.Parameters[i] = saved + h; double up = f.ValueAndGradient(y, scratch);
            m.Decoder.Parameters[i] = saved - h; double down = f.ValueAndGradient(y, scratch);
            m.Decoder.Parameters[i] = saved;
            Assert.Equal((up - down) / (2 * h), m.Decoder.Gradient[i], 1e-6);
        }
        for (int i = 0; i < m.Space.FullSize; i++)
        {
            const double h = 1e-6;
            var p = (double[])m.Prior.Clone(); p[i] += h;
            var q = (double[])m.Prior.Clone(); q[i] -= h;
            var fp = new ElboObjective(m.Space, m.Decoder); fp.Set(m.X, p, m.Posterior);
            var fq = new ElboObjective(m.Space, m.Decoder); fq.Set(m.X, q, m.Posterior);
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
