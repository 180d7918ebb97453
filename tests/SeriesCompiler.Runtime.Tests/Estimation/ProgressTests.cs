using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>Issue 18: progress and cancellation hooks, looked at once per block of samples, change no number.</summary>
public sealed class ProgressTests
{
    private static readonly Rule Gamma = Rule.From(HandGamma.Instance);
    private static readonly Objective Quadratic = Objective.Sum(z => Jet.Square(z - 0.49));

    private static IEnumerable<GradientEstimator> Estimators() =>
        [new FourierEstimator(Gamma, order: 4), new ScoreFunctionEstimator(Gamma), new PathwiseEstimator(Gamma)];

    private sealed class Recorder : IProgress<EstimateProgress>
    {
        public List<EstimateProgress> Reports { get; } = [];
        public void Report(EstimateProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Progress_is_reported_per_block_and_the_numbers_do_not_change()
    {
        foreach (var estimator in Estimators())
        {
            var plain = estimator.Estimate([2.5, 0.7], Quadratic, samples: 10_000, seed: 5);
            var recorder = new Recorder();
            var watched = estimator.Estimate([2.5, 0.7], Quadratic, 10_000, 5, 1, CancellationToken.None, recorder);
            Assert.Equal(plain.Gradient.ToArray(), watched.Gradient.ToArray());
            Assert.Equal(plain.StandardError.ToArray(), watched.StandardError.ToArray());
            // Blocks of 4096: after 4096 and 8192 samples, then the end.
            Assert.Equal([4096L, 8192L, 10_000L], recorder.Reports.Select(r => r.SamplesDone));
            Assert.All(recorder.Reports, r => Assert.Equal(10_000, r.SamplesTotal));
        }
    }

    [Fact]
    public void A_cancelled_token_stops_the_estimate()
    {
        foreach (var estimator in Estimators())
        {
            using var source = new CancellationTokenSource();
            source.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => estimator.Estimate([2.5, 0.7], Quadratic, 100_000, 1, 1, source.Token));
        }
        // Cancelled from the progress callback, partway: it stops at the next block.
        using var midway = new CancellationTokenSource();
        var stopper = new Stopper(midway);
        Assert.ThrowsAny<OperationCanceledException>(() => new FourierEstimator(Gamma, order: 4).Estimate([2.5, 0.7], Quadratic, 1_000_000, 1, 1, midway.Token, stopper));
        Assert.Equal(1, stopper.Calls);
    }

    private sealed class Stopper(CancellationTokenSource source) : IProgress<EstimateProgress>
    {
        public int Calls { get; private set; }
        public void Report(EstimateProgress value)
        {
            Calls++;
            source.Cancel();
        }
    }
}
