using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Discrete;

/// <summary>The README's "Discrete latent variables" example (also in the XML docs of IDiscreteGradientEstimator), as written.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_runs_and_its_estimates_average_to_the_exact_gradient()
    {
        // --- the README's example, verbatim ---
        var layer = DiscreteLayer.Bernoulli(3);
        var f = DiscreteObjective.FromRelaxed(layer, (y, dy) =>
        {
            double s = y[1] + y[3] + y[5] - 1.5;            // units on, minus 1.5 (class 1 of unit j is y[2j + 1])
            if (!dy.IsEmpty) { dy.Clear(); dy[1] = dy[3] = dy[5] = 2 * s; }
            return s * s;
        });
        double[] logits = [0, 0.3, 0, -1.0, 0, 2.0];        // (0, l_j) per unit
        var rule = new LocalExpectationEstimator(samples: 4);
        var gradient = new double[layer.FullSize];
        var configurations = new double[rule.Configurations * layer.FullSize];
        var random = new RandomSource(1);
        rule.Estimate(f, logits, random, configurations, gradient);
        // --- end of the example ---

        Assert.Equal(4.0 * layer.Variables, configurations.Sum()); // four one-hot configurations
        // d/dl_j E(b_0 + b_1 + b_2 - 1.5)^2 = p_j (1 - p_j) * 2 (sum_{i != j} p_i - 1.5 + 1/2) (closed form, independent units).
        double[] p = [.. Enumerable.Range(0, 3).Select(j => 1 / (1 + Math.Exp(-logits[2 * j + 1])))];
        var stats = new Welford(layer.FullSize);
        stats.Add(gradient);
        for (int t = 0; t < 20_000; t++)
        {
            rule.Estimate(f, logits, random, configurations, gradient);
            stats.Add(gradient);
        }
        for (int j = 0; j < 3; j++)
        {
            double others = p.Sum() - p[j];
            double exact = p[j] * (1 - p[j]) * 2 * (others - 1.0);
            Assert.True(Math.Abs(stats.Mean[2 * j + 1] - exact) <= 5 * stats.StandardError(2 * j + 1) + 1e-12, $"unit {j}: {stats.Mean[2 * j + 1]} vs {exact}");
            Assert.True(Math.Abs(stats.Mean[2 * j] + exact) <= 5 * stats.StandardError(2 * j) + 1e-12, $"unit {j}, class 0");
        }
    }
    [Fact]
    public void The_readme_two_layer_example_runs_and_its_estimates_average_to_the_exact_gradient()
    {
        // --- the README's two-layer example, verbatim ---
        double[] w = [0.8, -0.5, 0.3, -1.1, 0.6, 0.9], c = [0.2, -0.4, 0.7]; // 2 units in z1, 3 in z2: W is 2 x 3
        var model = new TwoLayerBernoulliModel(w, c, (row, v1, v2, dv1, dv2) =>
        {
            double s = v1[0] - v1[1] + v2[0] + v2[1] - v2[2] - 0.5;          // f = s^2
            if (!dv1.IsEmpty) { dv1[0] = 2 * s; dv1[1] = -2 * s; dv2[0] = dv2[1] = 2 * s; dv2[2] = -2 * s; }
            return s * s;
        });
        double[] logits1 = [0.4, -0.9];                                      // q(z1 | x) of one data point
        var chain = new TwoLayerBernoulliEstimator(new LocalExpectationEstimator()); // or REINFORCE, Gumbel, REBAR/RELAX
        double[] dl1 = new double[2], dl2 = new double[3], z1 = new double[2], z2 = new double[3];
        chain.BeginBatch();
        double meanF = chain.Estimate(model, logits1, 1, new RandomSource(1), dl1, dl2, z1, z2);
        chain.EndBatch(meanF);                                               // dW_jk = z1[j] * dl2[k], dc = dl2
        // --- end of the example ---

        // Exact d E f / d (l1, c, W) by enumerating the 32 (z1, z2): sum_z f(z) dq(z)/dtheta, dq/dtheta = q times the score.
        static double Sig(double x) => 1 / (1 + Math.Exp(-x));
        var exact = new double[2 + 3 + 6];
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 8; b++)
            {
                double[] y1 = [a & 1, (a >> 1) & 1], y2 = [b & 1, (b >> 1) & 1, (b >> 2) & 1];
                double[] l2 = [.. Enumerable.Range(0, 3).Select(k => c[k] + y1[0] * w[k] + y1[1] * w[3 + k])];
                double q = 1;
                for (int j = 0; j < 2; j++) q *= y1[j] == 1 ? Sig(logits1[j]) : 1 - Sig(logits1[j]);
                for (int k = 0; k < 3; k++) q *= y2[k] == 1 ? Sig(l2[k]) : 1 - Sig(l2[k]);
                double s = y1[0] - y1[1] + y2[0] + y2[1] - y2[2] - 0.5, f = s * s;
                for (int j = 0; j < 2; j++) exact[j] += q * f * (y1[j] - Sig(logits1[j]));
                for (int k = 0; k < 3; k++)
                {
                    exact[2 + k] += q * f * (y2[k] - Sig(l2[k]));
                    for (int j = 0; j < 2; j++) exact[5 + 3 * j + k] += q * f * y1[j] * (y2[k] - Sig(l2[k]));
                }
            }
        var random = new RandomSource(2);
        var stats = new Welford(exact.Length);
        var g = new double[exact.Length];
        for (int t = 0; t < 20_000; t++)
        {
            chain.Estimate(model, logits1, 1, random, dl1, dl2, z1, z2);
            dl1.CopyTo(g, 0);
            dl2.CopyTo(g, 2);
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 3; k++) g[5 + 3 * j + k] = z1[j] * dl2[k];
            stats.Add(g);
        }
        for (int i = 0; i < exact.Length; i++)
            Assert.True(Math.Abs(stats.Mean[i] - exact[i]) <= 5 * stats.StandardError(i) + 1e-12, $"{i}: {stats.Mean[i]} vs {exact[i]}");
    }
}
