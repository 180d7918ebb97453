using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using Xunit;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// Issue 13, item 1, for the compiled rules: the resummed rules (and the Fourier series, pathwise) run by the batched core
/// give the same numbers for every block size and thread count, agree with closed forms within standard errors, and a
/// prepared session repeats Estimate's numbers, for an <c>Objective.Sum</c> and for the parsed <c>--f</c>.
/// </summary>
public sealed class BatchedResummedTests
{
    private static readonly double[] GammaTheta = [2.5, 0.7, 1.5, 0.3, 3.5, 1.2];
    private static readonly double[] LaplaceTheta = [0.3, 1.5, -1.0, 0.4, 2.0, 2.5];

    private static Objective Quadratic(bool parsed) => parsed
        ? ObjectiveParser.Parse("(z - 0.49)^2", new ObjectiveShape(1, false, 3))
        : Objective.Sum(z => Jet.Square(z - 0.49));

    // Closed forms of d/dtheta E[(z - 0.49)^2] per copy, derived by hand:
    // Gamma(k, mu): E = k mu^2 + (k mu - c)^2, so d/dk = mu^2 + 2 (k mu - c) mu, d/dmu = 2 k mu + 2 (k mu - c) k.
    // Laplace(mu, b): E = 2 b^2 + (mu - c)^2, so d/dmu = 2 (mu - c), d/db = 4 b.
    private static double[] Exact(string distribution, double[] theta)
    {
        var g = new double[theta.Length];
        for (int c = 0; c < theta.Length / 2; c++)
        {
            double a = theta[2 * c], b = theta[2 * c + 1];
            if (distribution == "gamma")
            {
                double bias = a * b - 0.49;
                (g[2 * c], g[2 * c + 1]) = (b * b + 2 * bias * b, 2 * a * b + 2 * bias * a);
            }
            else (g[2 * c], g[2 * c + 1]) = (2 * (a - 0.49), 4 * b);
        }
        return g;
    }

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "gamma", "resummed", false }, { "gamma", "resummed", true }, { "laplace", "resummed", false }, { "laplace", "resummed", true },
        { "gamma", "fourier", true }, { "gamma", "pathwise", true },
    };

    private static GradientEstimator Make(Rule rule, string estimator) => estimator switch
    {
        "resummed" => new ResummedEstimator(rule),
        "fourier" => new FourierEstimator(rule, 2),
        _ => new PathwiseEstimator(rule),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Blocked_threaded_and_prepared_estimates_agree(string distribution, string which, bool parsed)
    {
        var rule = Rules.Load(distribution);
        var theta = distribution == "gamma" ? GammaTheta : LaplaceTheta;
        var estimator = Make(rule, which);
        var reference = estimator.Estimate(theta, Quadratic(parsed), 1000, seed: 4, copies: 3, new EstimateOptions { BlockSize = 64 });
        foreach (var options in new[] { new EstimateOptions { BlockSize = 512 }, new EstimateOptions { BlockSize = 192, Threads = 4 } })
        {
            var other = estimator.Estimate(theta, Quadratic(parsed), 1000, seed: 4, copies: 3, options);
            Assert.Equal(reference.Gradient.ToArray(), other.Gradient.ToArray());
            Assert.Equal(reference.StandardError.ToArray(), other.StandardError.ToArray());
        }
        var session = estimator.Prepare(theta, Quadratic(parsed), copies: 3);
        var gradient = new double[6];
        var error = new double[6];
        session.Estimate(1000, 4, gradient, error);
        Assert.Equal(reference.Gradient.ToArray(), gradient);
        Assert.Equal(reference.StandardError.ToArray(), error);

        var exact = Exact(distribution, theta);
        var large = estimator.Estimate(theta, Quadratic(parsed), 40_000, seed: 9, copies: 3, new EstimateOptions { Threads = 2 });
        for (int i = 0; i < exact.Length; i++)
            // Laplace's b is exact (2 b E[f''] with f'' = 2): standard error 0, agreement to rounding.
            Assert.True(Math.Abs(large.Gradient[i] - exact[i]) <= 4.5 * large.StandardError[i] + 1e-12 * Math.Abs(exact[i]),
                $"{distribution} {which} slot {i}: {large.Gradient[i]} vs exact {exact[i]} (se {large.StandardError[i]})");
    }

    [Fact]
    public void Laplace_rule_draws_its_scale_shift_in_lanes()
    {
        // d/db = 2 b E[f''(z + U)], U ~ Laplace(0, b) (b E1 - b E2): emitted as the lane law, in both the one-copy and the
        // every-copy members.
        var rule = Rules.Load("laplace");
        var shifted = Assert.IsAssignableFrom<ILaneShiftedRule>(rule.Direct);
        Assert.True(shifted.TryLaneShift([0.3, 1.5], 1, 0, out var law, out double a, out double scale));
        Assert.Equal((LaneShift.Laplace, 0.0, 1.5), (law, a, scale));
        var batched = Assert.IsAssignableFrom<ICopyBatchedRule>(rule.Direct);
        var shiftA = new double[4];
        var shiftScale = new double[4];
        batched.LaneShiftsOfCopies([0.3, 1.5, -1.0, 0.4], 2, shiftA, shiftScale);
        Assert.Equal([0.0, 1.5, 0.0, 0.4], [shiftScale[0], shiftScale[1], shiftScale[2], shiftScale[3]]);
    }

    [Fact]
    public void Compiled_gamma_draws_and_shifts_in_lanes_and_its_sessions_follow_new_parameters()
    {
        // The block-sampling members emitted from 'sample = mu * gamma(k)' and the rules' shift laws mu U Exp(1), mu Gamma(1).
        var rule = Rules.Load("gamma");
        var lane = Assert.IsAssignableFrom<ILaneSampledRule>(rule.Direct);
        Assert.True(lane.HasLaneDraws);
        Assert.Equal([LaneDraw.Gamma], lane.LaneDraws.ToArray());
        var arguments = new double[1];
        lane.DrawArguments([2.5, 0.7], arguments);
        Assert.Equal(2.5, arguments[0]);
        var shifted = Assert.IsAssignableFrom<ILaneShiftedRule>(rule.Direct);
        Assert.True(shifted.TryLaneShift([2.5, 0.7], 0, 0, out var law, out _, out double scale));
        Assert.Equal((LaneShift.UniformTimesExponential, 0.7), (law, scale));
        Assert.True(shifted.TryLaneShift([2.5, 0.7], 1, 0, out law, out double a, out scale));
        Assert.Equal((LaneShift.Gamma, 1.0, 0.7), (law, a, scale));

        double[] other = [1.5, 0.9, 3.0, 0.2, 0.8, 1.4];
        foreach (var estimator in new GradientEstimator[] { new ResummedEstimator(rule), new FourierEstimator(rule, 2), new PathwiseEstimator(rule) })
        {
            var session = estimator.Prepare(GammaTheta, Quadratic(false), copies: 3);
            var fresh = estimator.Prepare(other, Quadratic(false), copies: 3);
            var gradient = new double[6];
            var error = new double[6];
            var expected = new double[6];
            var expectedError = new double[6];
            session.Estimate(700, 3, gradient, error);
            session.SetParameters(other);
            session.Estimate(700, 3, gradient, error);
            fresh.Estimate(700, 3, expected, expectedError);
            Assert.Equal(expected, gradient);
            Assert.Equal(expectedError, error);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 6; i++)
            {
                session.SetParameters(i % 2 == 0 ? GammaTheta : other);
                session.Estimate(i == 5 ? 1 : 300, (ulong)i, gradient, error);
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void Parsed_f_and_Objective_Sum_give_the_same_resummed_numbers()
    {
        // The same draws (same seed, same streams) and derivatives equal up to the duals' rounding: agreement to 1e-12.
        var rule = Rules.Load("gamma");
        var sum = new ResummedEstimator(rule).Estimate(GammaTheta, Quadratic(false), 2000, seed: 2, copies: 3);
        var parsed = new ResummedEstimator(rule).Estimate(GammaTheta, Quadratic(true), 2000, seed: 2, copies: 3);
        for (int i = 0; i < 6; i++) Assert.Equal(sum.Gradient[i], parsed.Gradient[i], 1e-12 * Math.Abs(sum.Gradient[i]));
    }
}
