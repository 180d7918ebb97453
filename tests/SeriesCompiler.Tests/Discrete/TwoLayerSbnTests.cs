using SeriesCompiler.Experiments.Discrete;
using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Tests.Discrete;

/// <summary>
/// The two-layer SBN with 4 units per layer and 5 pixels: the ELBO enumerated over all 2^8 (z1, z2) is the reference;
/// its finite differences in the encoder's parameters give the exact gradient the estimators must match on average.
/// </summary>
public sealed class TwoLayerSbnTests
{
    private static readonly double[] X = [1, 0, 1, 1, 0];

    private static TwoLayerSbn Make()
    {
        var model = new TwoLayerSbn(4, 5, 1e-3, new RandomSource(3));
        var random = new RandomSource(4);
        foreach (var layer in new[] { model.Q1, model.Q2, model.P1, model.PX })
        {
            for (int i = 0; i < layer.Parameters.Length; i++) layer.Parameters[i] *= 2;
            for (int i = 0; i < layer.Out; i++) layer.Bias[i] = random.Normal();
        }
        for (int k = 0; k < 4; k++) model.PriorLogits[k] = random.Normal();
        return model;
    }

    private static double LogBernoulli(double z, double logit) => z * logit - Math.Log(1 + Math.Exp(logit));

    private static double[] Logits(DenseLayer layer, double[] input) =>
        Enumerable.Range(0, layer.Out).Select(o => layer.Bias[o] + Enumerable.Range(0, layer.In).Sum(k => input[k] * layer.Parameters[k * layer.Out + o])).ToArray();

    /// <summary>sum over (z1, z2) of q(z1 | x) q(z2 | z1) [log p(x, z1, z2) - log q(z1, z2 | x)], written out directly.</summary>
    private static double EnumeratedElbo(TwoLayerSbn m)
    {
        double total = 0;
        var l1 = Logits(m.Q1, X);
        for (int a = 0; a < 16; a++)
        {
            var z1 = Enumerable.Range(0, 4).Select(j => (double)((a >> j) & 1)).ToArray();
            var l2 = Logits(m.Q2, z1);
            var sx = Logits(m.PX, z1);
            double lq1 = Enumerable.Range(0, 4).Sum(j => LogBernoulli(z1[j], l1[j]));
            double lx = Enumerable.Range(0, 5).Sum(i => LogBernoulli(X[i], sx[i]));
            for (int b = 0; b < 16; b++)
            {
                var z2 = Enumerable.Range(0, 4).Select(j => (double)((b >> j) & 1)).ToArray();
                var s1 = Logits(m.P1, z2);
                double lq2 = Enumerable.Range(0, 4).Sum(j => LogBernoulli(z2[j], l2[j]));
                double lz1 = Enumerable.Range(0, 4).Sum(j => LogBernoulli(z1[j], s1[j]));
                double lp2 = Enumerable.Range(0, 4).Sum(j => LogBernoulli(z2[j], m.PriorLogits[j]));
                total += Math.Exp(lq1 + lq2) * (lx + lz1 + lp2 - lq1 - lq2);
            }
        }
        return total;
    }

    private static double[] ExactEncoderGradient(TwoLayerSbn m)
    {
        var result = new List<double>();
        foreach (var layer in m.EncoderLayers)
            for (int i = 0; i < layer.Parameters.Length; i++)
            {
                const double h = 1e-5;
                double saved = layer.Parameters[i];
                layer.Parameters[i] = saved + h; double up = EnumeratedElbo(m);
                layer.Parameters[i] = saved - h; double down = EnumeratedElbo(m);
                layer.Parameters[i] = saved;
                result.Add((up - down) / (2 * h));
            }
        return [.. result];
    }

    /// <summary>REBAR with eta = 1.3 at temperature 0.7, or RELAX with a nonzero network (w2, b0 drawn) and eta = 0.7: every term active.</summary>
    private static RebarEstimator MakeRebar(bool learned)
    {
        var rebar = new RebarEstimator(learned, temperature: 0.7, hidden: 5, seed: 8);
        rebar.Prepare(4); // layer 1's estimator (layer 2 gets a sibling at its defaults)
        if (learned)
        {
            var random = new RandomSource(9);
            var cp = rebar.ControlParameters;
            for (int i = 4 * 5; i < cp.Length - 1; i++) cp[i] = random.Normal();
        }
        rebar.Eta = learned ? 0.7 : 1.3;
        return rebar;
    }

    [Theory]
    [InlineData("rule")]
    [InlineData("reinforce")]
    [InlineData("rebar")]
    [InlineData("relax")]
    public void Estimators_agree_with_the_enumerated_gradient_within_five_standard_errors(string which)
    {
        var m = Make();
        var exact = ExactEncoderGradient(m);
        IDiscreteGradientEstimator estimator = which switch
        {
            "rule" => new LocalExpectationEstimator(),
            "reinforce" => new ReinforceEstimator { Baseline = -9.0 },
            _ => MakeRebar(which == "relax"),
        };
        var random = new RandomSource(77);
        var stats = new SeriesCompiler.Runtime.Statistics.Welford(exact.Length);
        var x = (double[])X.Clone();
        for (int t = 0; t < 20_000; t++)
        {
            m.ComputeGradient(x, 1, estimator, random);
            stats.Add(m.EncoderLayers.SelectMany(l => l.Gradient).ToArray());
        }
        Assert.Contains(exact, g => Math.Abs(g) > 0.05); // the check is not vacuous
        for (int i = 0; i < exact.Length; i++)
        {
            double mean = stats.Mean[i], se = stats.StandardError(i);
            Assert.True(Math.Abs(mean - exact[i]) <= 5 * se + 1e-9, $"{which} parameter {i}: {mean:G6} +- {se:G3} vs exact {exact[i]:G6}");
        }
    }

    [Fact]
    public void Rule_has_lower_variance_than_reinforce()
    {
        double TotalSe(IDiscreteGradientEstimator estimator)
        {
            var m = Make();
            var random = new RandomSource(5);
            var stats = new SeriesCompiler.Runtime.Statistics.Welford(m.EncoderLayers.Sum(l => l.Parameters.Length));
            for (int t = 0; t < 3000; t++)
            {
                m.ComputeGradient((double[])X.Clone(), 1, estimator, random);
                stats.Add(m.EncoderLayers.SelectMany(l => l.Gradient).ToArray());
            }
            return Enumerable.Range(0, stats.Mean.Length).Sum(stats.StandardError);
        }
        double rule = TotalSe(new LocalExpectationEstimator()), score = TotalSe(new ReinforceEstimator { Baseline = -9.0 });
        Assert.True(rule < score, $"rule {rule} vs reinforce {score}");
    }

    private static double[] AllGradients(TwoLayerSbn m) => new[] { m.Q1, m.Q2, m.P1, m.PX }.SelectMany(l => l.Gradient).ToArray();

    /// <summary>d value / d parameter i of the layer, by a central difference (value re-evaluated at the same noise).</summary>
    private static double CentralDifference(DenseLayer layer, int i, Func<double> value)
    {
        const double h = 1e-6;
        double saved = layer.Parameters[i];
        layer.Parameters[i] = saved + h; double up = value();
        layer.Parameters[i] = saved - h; double down = value();
        layer.Parameters[i] = saved;
        return (up - down) / (2 * h);
    }

    private static IEnumerable<(DenseLayer Layer, int Index)> AllParameters(TwoLayerSbn m) =>
        new[] { m.Q1, m.Q2, m.P1, m.PX }.SelectMany(l => Enumerable.Range(0, l.Parameters.Length).Select(i => (l, i)));

    /// <summary>
    /// The relaxed Gumbel-softmax estimate at fixed noise is the exact gradient of the relaxed objective it returns:
    /// central differences of that value (same seed, so the same noise) in every parameter of all four layers.
    /// </summary>
    [Fact]
    public void Relaxed_gumbel_gradient_is_the_derivative_of_the_relaxed_objective_at_fixed_noise()
    {
        var m = Make();
        var estimator = new GumbelSoftmaxEstimator(0.6, straightThrough: false);
        double Value() => m.ComputeGradient((double[])X.Clone(), 1, estimator, new RandomSource(12));
        Value();
        var analytic = AllGradients(m);
        int index = 0;
        foreach (var (layer, i) in AllParameters(m))
        {
            double fd = CentralDifference(layer, i, Value);
            Assert.True(Math.Abs(fd - analytic[index]) <= 1e-6 * (1 + Math.Abs(fd)), $"parameter {index}: fd {fd:G8} analytic {analytic[index]:G8}");
            index++;
        }
        Assert.Contains(analytic.Take(m.Q1.Parameters.Length + m.Q2.Parameters.Length), g => Math.Abs(g) > 1e-3);
    }

    /// <summary>
    /// Straight-through: the forward value is f at a hard (z1, z2) drawn from q (its average matches the enumerated
    /// ELBO), and the decoders' gradient is exact at that sample (central differences at the same noise: the decoders
    /// do not move the sample).
    /// </summary>
    [Fact]
    public void Straight_through_evaluates_f_at_hard_samples_and_differentiates_the_decoders_exactly()
    {
        var m = Make();
        var estimator = new GumbelSoftmaxEstimator(0.6, straightThrough: true);
        var random = new RandomSource(13);
        var values = Enumerable.Range(0, 20_000).Select(_ => m.ComputeGradient((double[])X.Clone(), 1, estimator, random)).ToArray();
        double mean = values.Average(), se = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1) / values.Length);
        double elbo = EnumeratedElbo(m);
        Assert.True(Math.Abs(mean - elbo) <= 5 * se, $"mean f {mean} +- {se} vs enumerated ELBO {elbo}");

        double Value() => m.ComputeGradient((double[])X.Clone(), 1, estimator, new RandomSource(14));
        Value();
        var analytic = AllGradients(m);
        int offset = m.Q1.Parameters.Length + m.Q2.Parameters.Length, index = 0;
        foreach (var (layer, i) in AllParameters(m))
        {
            if (index++ < offset) continue;
            double fd = CentralDifference(layer, i, Value);
            Assert.True(Math.Abs(fd - analytic[index - 1]) <= 1e-6 * (1 + Math.Abs(fd)), $"decoder parameter {index - 1}: fd {fd:G8} analytic {analytic[index - 1]:G8}");
        }
    }
}
