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
}
