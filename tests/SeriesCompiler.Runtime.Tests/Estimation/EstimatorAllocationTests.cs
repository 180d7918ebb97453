using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using Xunit;
using F = SeriesCompiler.Runtime.Functions.FunctionExpression;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// The sampling loops allocate nothing: an estimate with 20,000 more samples (80 more blocks) allocates no more than a
/// shorter one, up to less than one small allocation per extra block (the report's text, formatted from the numbers, may
/// differ in length by a few characters between the two; the set-up, once per call, is the same).
/// </summary>
public sealed class EstimatorAllocationTests
{
    private static readonly Rule Gamma = Rule.From(HandGamma.Instance);
    private static readonly Rule Bernoulli = Rule.From(HandBernoulli.Instance);
    private static readonly Rule Beta = Rule.From(HandBeta.Instance, [HandGamma.Instance, HandGamma.Instance]);

    private static long Allocated(GradientEstimator estimator, double[] theta, Objective f, int samples, int copies)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        estimator.Estimate(theta, f, samples, seed: 1, copies);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    public static TheoryData<string> Cases => ["fourier", "fourier-auto", "fourier-expression", "score", "pathwise", "bernoulli", "beta-fourier", "beta-pathwise", "ridge", "pathwise-expression"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Samples_do_not_allocate(string which)
    {
        var quadratic = Objective.Sum(z => Jet.Square(z - 0.49));
        double[] gammas = [2.5, 0.7, 1.5, 0.3, 3.5, 1.2];
        (GradientEstimator estimator, double[] theta, Objective f, int copies) = which switch
        {
            "fourier" => ((GradientEstimator)new FourierEstimator(Gamma, 8), gammas, quadratic, 3),
            "fourier-auto" => (new FourierEstimator(Gamma, 8, autoOrder: true), gammas, quadratic, 3),
            "fourier-expression" => (new FourierEstimator(Gamma, 8), gammas,
                new ExpressionObjective(F.Apply(ElementaryFunction.LogSigmoid, F.Variable(0)) * 3.0, 1), 3),
            "score" => (new ScoreFunctionEstimator(Gamma), gammas, quadratic, 3),
            // One variable per copy: values and gradients through the compiled delegates.
            "pathwise-expression" => (new PathwiseEstimator(Gamma), gammas,
                new ExpressionObjective(F.Apply(ElementaryFunction.LogSigmoid, F.Variable(0)) * 3.0, 1), 3),
            "pathwise" => (new PathwiseEstimator(Gamma), gammas, quadratic, 3),
            "bernoulli" => (new FourierEstimator(Bernoulli), [0.3, 0.6], Objective.Of((ReadOnlySpan<Jet> z) => z[0] * z[1], 2), 2),
            "beta-fourier" => (new FourierEstimator(Beta, 6), [20.0, 30.0], Objective.Of(z => Jet.Square(z)), 1),
            "beta-pathwise" => (new PathwiseEstimator(Beta), [20.0, 30.0], Objective.Of(z => Jet.Square(z)), 1),
            _ => (new FourierEstimator(Gamma, 8), gammas, Objective.Ridge(Jet.LogSigmoid, [0.5, -1, 2]), 3),
        };
        for (int i = 0; i < 3; i++) Allocated(estimator, theta, f, 2000, copies); // warm-up: arenas, tiered JIT
        // A per-sample allocation shows in every attempt; a one-off (the runtime promoting a method to its next tier
        // in the middle of a measurement, seen on a loaded machine) does not: up to three attempts.
        const long slack = 1024;   // below 80 extra blocks x the smallest object (24 B) = 1920 B
        long small = 0, large = 0;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            small = Allocated(estimator, theta, f, 1000, copies);
            large = Allocated(estimator, theta, f, 21_000, copies);
            if (Math.Abs(large - small) < slack) break;
        }
        Assert.True(Math.Abs(large - small) < slack, $"1,000 samples allocate {small} B, 21,000 allocate {large} B");
    }
}
