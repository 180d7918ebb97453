using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// The paper's one-sample exponential shortcut (eq. 23): <c>f(z) dK/dtheta(tau)</c> with E[f] from the samples, against
/// the closed form of <c>E[exp(-z)] = (1 + mu)^-k</c> for Gamma(k, mu) (shape k, scale mu), within 5 standard errors.
/// </summary>
public sealed class SampledShortcutTests
{
    private static readonly double[] Theta = [2.5, 0.7];

    // d/dk (1 + mu)^-k = -log(1 + mu) (1 + mu)^-k; d/dmu (1 + mu)^-k = -k (1 + mu)^-(k + 1).
    private static readonly double[] Exact = [-Math.Log(1.7) * Math.Pow(1.7, -2.5), -2.5 * Math.Pow(1.7, -3.5)];

    [Fact]
    public void Sampled_mean_is_unbiased_and_has_a_standard_error()
    {
        var estimator = new FourierEstimator(Rules.Load("gamma"), order: 2) { SampleShortcutMean = true };
        var estimate = estimator.Estimate(Theta, Objective.Exponential(-1), samples: 20_000, seed: 7);
        Assert.Equal("exponential shortcut, E[f] sampled", estimate.Method);
        for (int p = 0; p < 2; p++)
        {
            Assert.True(estimate.StandardError[p] > 0);
            Assert.InRange(estimate.Gradient[p], Exact[p] - 5 * estimate.StandardError[p], Exact[p] + 5 * estimate.StandardError[p]);
        }
    }

    [Fact]
    public void One_sample_estimates_average_to_the_closed_form()
    {
        var estimator = new FourierEstimator(Rules.Load("gamma"), order: 2) { SampleShortcutMean = true };
        var mean = new SeriesCompiler.Runtime.Statistics.Welford(2);
        for (ulong seed = 1; seed <= 4000; seed++)
        {
            var one = estimator.Estimate(Theta, Objective.Exponential(-1), samples: 1, seed: seed);
            Assert.True(double.IsNaN(one.StandardError[0]));
            mean.Add(one.Gradient.AsSpan());
        }
        for (int p = 0; p < 2; p++)
            Assert.InRange(mean.Mean[p], Exact[p] - 5 * mean.StandardError(p), Exact[p] + 5 * mean.StandardError(p));
    }

    [Fact]
    public void The_closed_form_stays_the_default()
    {
        var estimate = new FourierEstimator(Rules.Load("gamma"), order: 2).Estimate(Theta, Objective.Exponential(-1), samples: 10, seed: 1);
        Assert.Equal("exponential shortcut", estimate.Method);
        for (int p = 0; p < 2; p++) Assert.Equal(Exact[p], estimate.Gradient[p], 12);
    }
}
