using SeriesCompiler.Experiments;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Tests.Experiments;

/// <summary>
/// Issue 14, item 3: Laplace's cumulant series in the scale b has only even orders (K(t) = i t mu - log(1 + b^2 t^2)),
/// so the Fourier estimator truncated at N = 2k + 1 is the one at N = 2k: with the same draws, the b-gradients agree to
/// rounding. N = 2k and N = 2k + 2 do not (the comparison can fail).
/// </summary>
public sealed class ExperimentTruncationTests
{
    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void Odd_and_even_truncations_give_the_same_scale_gradient(double b)
    {
        var model = new LaplaceLogisticModel(LogisticData.BreastCancer(), RuleLibrary.Load("laplace"));
        int d = model.Dimension;
        var parameters = new double[2 * d];
        var setup = new RandomSource(7);
        for (int j = 0; j < d; j++) { parameters[j] = 0.3 * (setup.NextDouble() - 0.5); parameters[d + j] = Math.Log(b); }
        var batch = Enumerable.Range(0, 64).Select(_ => setup.NextInt(model.Data.Count)).ToArray();
        var ws = new LaplaceLogisticModel.Workspace(model, 64);
        double[] Gradient(int n)
        {
            var g = new double[2 * d];
            model.Gradient("fourier N=" + n, parameters, batch, 50, new RandomSource(99), g, ws);
            return g;
        }
        for (int k = 1; k <= 5; k++)
        {
            double[] even = Gradient(2 * k), odd = Gradient(2 * k + 1), next = Gradient(2 * k + 2);
            for (int j = d; j < 2 * d; j++)
                Assert.True(Math.Abs(even[j] - odd[j]) <= 1e-12 * Math.Max(1, Math.Abs(even[j])), $"N = {2 * k} vs {2 * k + 1}, b_{j - d}: {even[j]} vs {odd[j]}");
            Assert.Contains(Enumerable.Range(d, d), j => Math.Abs(even[j] - next[j]) > 1e-6 * Math.Max(1, Math.Abs(even[j])));
        }
    }
}
