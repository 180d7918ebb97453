using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// The GLM objective through the public estimators with the Laplace rule (the paper's logistic regression): against a
/// quadrature of the expectation in one dimension, and in three against the same f written over jets (same seed, same
/// draws) and a long pathwise run. Tolerances in standard errors.
/// </summary>
public sealed class GlmEstimatorTests
{
    private static readonly Lazy<Rule> Laplace = new(() => Rules.Load("laplace"));

    private static (double[][] X, double[] Y) Data(int rows, int features, ulong seed)
    {
        var random = new RandomSource(seed);
        var x = new double[rows][];
        var y = new double[rows];
        for (int n = 0; n < rows; n++)
        {
            x[n] = new double[features];
            for (int j = 0; j < features; j++) x[n][j] = random.Uniform(-1, 1);
            y[n] = random.NextDouble() < 0.6 ? 1 : 0;
        }
        return (x, y);
    }

    private static double LogSigmoid(double m) => m >= 0 ? -Math.Log(1 + Math.Exp(-m)) : m - Math.Log(1 + Math.Exp(m));

    // E[f(w)] for w ~ Laplace(mu, b), f(w) = sum_n log sigmoid(s_n x_n w): dL/dmu = int f'(w) p dw and
    // dL/db = int f(w) dp/db dw with dp/db = p (|w - mu| / b^2 - 1 / b), by Simpson's rule on each side of mu (p has a
    // kink there) over |w - mu| <= 60 b.
    private static (double DMu, double DB) Quadrature(double[] x, double[] y, double mu, double b)
    {
        double F(double w) => x.Select((xn, n) => LogSigmoid((y[n] > 0 ? 1 : -1) * xn * w)).Sum();
        double F1(double w) => x.Select((xn, n) => { double s = y[n] > 0 ? 1 : -1; return s * xn / (1 + Math.Exp(s * xn * w)); }).Sum();
        const int intervals = 20_000;
        double h = 60 * b / intervals, dMu = 0, dB = 0;
        foreach (int side in new[] { -1, 1 })
            for (int i = 0; i <= intervals; i++)
            {
                double t = i * h, w = mu + side * t, weight = i == 0 || i == intervals ? 1 : i % 2 == 1 ? 4 : 2;
                double p = Math.Exp(-t / b) / (2 * b);
                dMu += weight * F1(w) * p;
                dB += weight * F(w) * p * (t / (b * b) - 1 / b);
            }
        return (dMu * h / 3, dB * h / 3);
    }

    public static TheoryData<string> Estimators => ["fourier", "resummed", "pathwise", "score"];

    private static GradientEstimator Make(string name) => name switch
    {
        "fourier" => new FourierEstimator(Laplace.Value, order: 8),
        "resummed" => new ResummedEstimator(Laplace.Value),
        "pathwise" => new PathwiseEstimator(Laplace.Value),
        _ => new ScoreFunctionEstimator(Laplace.Value),
    };

    [Theory]
    [MemberData(nameof(Estimators))]
    public void One_feature_agrees_with_quadrature(string estimator)
    {
        // b |x| <= 0.15: the Laplace series of log sigmoid shrinks fast up to N = 8 (its terms go like (b x / pi)^n n!).
        var (rows, y) = Data(12, 1, seed: 3);
        double[] x = [.. rows.Select(r => r[0])];
        const double mu = 0.6, b = 0.15;
        var glm = Objective.Glm(rows, y, GlmLink.Logistic);
        var estimate = Make(estimator).Estimate([mu, b], glm, samples: 20_000, seed: 7);
        var (dMu, dB) = Quadrature(x, y, mu, b);
        Assert.True(Math.Abs(estimate.Gradient[0] - dMu) <= 5 * estimate.StandardError[0] + 1e-12,
            $"{estimator} d/dmu: {estimate.Gradient[0]} +- {estimate.StandardError[0]}, quadrature {dMu}");
        Assert.True(Math.Abs(estimate.Gradient[1] - dB) <= 5 * estimate.StandardError[1] + 1e-12,
            $"{estimator} d/db: {estimate.Gradient[1]} +- {estimate.StandardError[1]}, quadrature {dB}");
    }

    private readonly struct LogisticOverJets(double[][] x, double[] y) : IJetFunction
    {
        public Jet Evaluate(ReadOnlySpan<Jet> z)
        {
            Jet? sum = null;
            for (int n = 0; n < x.Length; n++)
            {
                var eta = z[0] * x[n][0];
                for (int j = 1; j < z.Length; j++) eta = eta + z[j] * x[n][j];
                var term = Jet.LogSigmoid(y[n] > 0 ? eta : -eta);
                sum = sum is { } s ? s + term : term;
            }
            return sum!.Value;
        }
    }

    [Theory]
    [MemberData(nameof(Estimators))]
    public void Three_features_agree_with_the_same_f_over_jets_draw_for_draw_and_with_a_long_pathwise_run(string estimator)
    {
        var (x, y) = Data(20, 3, seed: 5);
        double[] posterior = [0.4, 0.2, -0.3, 0.1, 0.8, 0.25];   // (mu, b) of each weight
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var jets = Objective.Of(new LogisticOverJets(x, y), arity: 3);
        var ours = Make(estimator).Estimate(posterior, glm, samples: 4_000, seed: 11, copies: 3);
        var reference = Make(estimator).Estimate(posterior, jets, samples: 4_000, seed: 11, copies: 3);
        var pathwise = new PathwiseEstimator(Laplace.Value).Estimate(posterior, glm, samples: 200_000, seed: 13, copies: 3);
        for (int i = 0; i < posterior.Length; i++)
        {
            // The same draws: only rounding differs (the jets sum the rows in another order).
            Assert.True(Math.Abs(ours.Gradient[i] - reference.Gradient[i]) <= 1e-9 * (1 + Math.Abs(reference.Gradient[i])),
                $"{estimator} slot {i}: glm {ours.Gradient[i]:R}, jets {reference.Gradient[i]:R}");
            double se = Math.Sqrt(ours.StandardError[i] * ours.StandardError[i] + pathwise.StandardError[i] * pathwise.StandardError[i]);
            Assert.True(Math.Abs(ours.Gradient[i] - pathwise.Gradient[i]) <= 5 * se,
                $"{estimator} slot {i}: {ours.Gradient[i]} +- {ours.StandardError[i]}, pathwise {pathwise.Gradient[i]} +- {pathwise.StandardError[i]}");
        }
    }
    public static TheoryData<string> SessionEstimators => ["fourier", "resummed", "pathwise"];

    [Theory]
    [MemberData(nameof(SessionEstimators))]
    public void A_session_over_a_mini_batch_repeats_Estimate_bit_for_bit_and_allocates_nothing_once_warm(string estimator)
    {
        // The logistic bench's call: a session prepared once, SelectRows then Estimate per gradient, 50 samples in one
        // block of 64; the GLM's fused block passes must give the one-off Estimate's numbers (same seed, same draws).
        var (x, y) = Data(40, 5, seed: 9);
        double[] posterior = [0.4, 0.2, -0.3, 0.1, 0.8, 0.25, 0.0, 0.3, -0.1, 0.15];
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        int[] batch = [3, 17, 17, 0, 39, 22, 8];
        var session = Make(estimator).Prepare(posterior, glm, copies: 5, new EstimateOptions { BlockSize = 64 });
        var gradient = new double[10];
        var error = new double[10];
        for (ulong seed = 1; seed <= 3; seed++)
        {
            glm.SelectRows(batch);
            session.Estimate(50, seed, gradient, error);
            var reference = Make(estimator).Estimate(posterior, glm, samples: 50, seed: seed, copies: 5);
            Assert.Equal(reference.Gradient.ToArray(), gradient);
            Assert.Equal(reference.StandardError.ToArray(), error);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong seed = 4; seed <= 8; seed++)
        {
            glm.SelectRows(batch);
            session.Estimate(50, seed, gradient, error);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // The GLM with its block methods hidden: the batched core then takes Objective's defaults, which gather one sample at a
    // time and call the scalar methods (of a second, independent instance).
    private sealed class ScalarOnly(GlmObjective inner) : Objective
    {
        public override int? Arity => inner.Arity;
        public override bool SupportsJets => inner.SupportsJets;
        public override double Value(ReadOnlySpan<double> z) => inner.Value(z);
        public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result) => inner.PurePartials(z, order, result);
        public override void Gradient(ReadOnlySpan<double> z, Span<double> gradient) => inner.Gradient(z, gradient);
        public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x) => inner.CoordinateSlice(z, coordinate, x);
        public override double CoordinatePartial(ReadOnlySpan<double> z, int coordinate, double x, int order) => inner.CoordinatePartial(z, coordinate, x, order);
        public override Jet Evaluate(ReadOnlySpan<Jet> z) => inner.Evaluate(z);
    }

    [Theory]
    [MemberData(nameof(SessionEstimators))]
    public void A_session_at_the_benchmarks_shape_gives_the_scalar_path_bits(string estimator)
    {
        // The experiments' shape (d = 31, a mini-batch of 64 with repeats, 50 samples in a block of 64): the GLM's block
        // kernels (four or eight lanes, whichever the machine runs) must give, bit for bit, the gradient and standard
        // error that the same session gets from the per-sample scalar methods (GlmObjectiveTests pins those to a direct
        // evaluation written in the test).
        var (x, y) = Data(90, 31, seed: 21);
        var random = new RandomSource(5);
        var theta = new double[62];
        for (int j = 0; j < 31; j++) (theta[2 * j], theta[2 * j + 1]) = (0.1 * random.Normal(), 0.1);
        int[] batch = [.. Enumerable.Range(0, 64).Select(_ => random.NextInt(90))];
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var plain = Objective.Glm(x, y, GlmLink.Logistic);
        var options = new EstimateOptions { BlockSize = 64 };
        var fast = Make(estimator).Prepare(theta, glm, copies: 31, options);
        var slow = Make(estimator).Prepare(theta, new ScalarOnly(plain), copies: 31, options);
        double[] gradient = new double[62], error = new double[62], expected = new double[62], expectedError = new double[62];
        for (ulong seed = 1; seed <= 2; seed++)
        {
            glm.SelectRows(batch);
            plain.SelectRows(batch);
            fast.Estimate(50, seed, gradient, error);
            slow.Estimate(50, seed, expected, expectedError);
            Assert.Equal(expected, gradient);
            Assert.Equal(expectedError, error);
        }
    }
}
