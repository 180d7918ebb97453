using SeriesCompiler.Experiments.Discrete;
using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Tests.Discrete;

/// <summary>
/// The rule with S samples per data point (the paper's S = 5, 10) is the mean of S one-sample estimates, for every
/// parameter: the encoder's through the logits, and the decoder's and prior's, which are differentiated at each
/// sample (at the samples' mean configuration a nonlinear likelihood would give a different, biased gradient).
/// </summary>
public sealed class MultiSampleRuleTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void S_samples_give_the_mean_of_S_one_sample_gradients(bool binary, bool nonlinear)
    {
        const int S = 3, pixels = 12;
        var space = binary ? LatentSpace.Bernoulli(6) : LatentSpace.Categorical(3, 4);
        int[] hidden = nonlinear ? [7] : [];
        var x = Enumerable.Range(0, pixels).Select(i => (double)(i % 3 == 0 ? 1 : 0)).ToArray();
        var model = new DiscreteLatentModel(space, pixels, hidden, 1e-3, new RandomSource(5));
        for (int i = 0; i < model.PriorLogits.Length; i++) model.PriorLogits[i] = 0.3 * i - 1;

        double[] Gradient() =>
        [
            .. model.Encoder.FlatGradient(), .. model.Decoder.FlatGradient(), .. model.PriorGradient,
        ];

        model.ComputeGradient(x, 1, new LocalExpectationEstimator(S), new RandomSource(11));
        var many = Gradient();

        // The S-sample estimator draws its samples one after another from the same stream, as S one-sample calls do.
        var random = new RandomSource(11);
        var mean = new double[many.Length];
        for (int s = 0; s < S; s++)
        {
            model.ComputeGradient(x, 1, new LocalExpectationEstimator(1), random);
            var one = Gradient();
            for (int i = 0; i < mean.Length; i++) mean[i] += one[i] / S;
        }
        Assert.Contains(mean.Skip(model.Encoder.FlatGradient().Length), g => Math.Abs(g) > 1e-3);
        for (int i = 0; i < mean.Length; i++)
            Assert.True(Math.Abs(many[i] - mean[i]) <= 1e-12 * (1 + Math.Abs(mean[i])), $"parameter {i}: S = {S} gives {many[i]:R}, the mean of one-sample estimates {mean[i]:R}");
    }
}
