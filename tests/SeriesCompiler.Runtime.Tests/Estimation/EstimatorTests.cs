using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// The estimators on hand-written rules (no compiler involved), at fixed seeds, against closed forms derived by hand.
/// Statistical tolerance: 5 standard errors.
/// </summary>
public sealed class EstimatorTests
{
    private static readonly Rule Gamma = Rule.From(HandGamma.Instance);
    private static readonly Rule Bernoulli = Rule.From(HandBernoulli.Instance);
    private static readonly Rule Beta = Rule.From(HandBeta.Instance, [HandGamma.Instance, HandGamma.Instance], Rules.SupportKind.Interval);

    private static readonly Objective Quadratic = Objective.Sum(z => Jet.Square(z - 0.49));

    internal static void Within(double expected, GradientEstimate e, int slot, double standardErrors = 5)
    {
        double se = e.StandardError[slot], error = Math.Abs(e.Gradient[slot] - expected);
        Assert.True(error <= standardErrors * se + 1e-12 * Math.Max(1, Math.Abs(expected)),
            $"{e.Estimator} {e.Name(slot)}: {e.Gradient[slot]:R} ± {se:R}, expected {expected:R} ({error / se:F1} standard errors)");
    }

    // E[(z - c)^2] = k mu^2 + (k mu - c)^2 for z ~ Gamma(k, mu) (mean k mu, variance k mu^2).
    private static (double K, double Mu) QuadraticGradient(double k, double mu, double c = 0.49) =>
        (mu * mu + 2 * mu * (k * mu - c), 2 * k * mu + 2 * k * (k * mu - c));

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void Fourier_on_a_quadratic_is_exact_in_expectation(int order)
    {
        var e = new FourierEstimator(Gamma, order).Estimate([2.5, 0.7], Quadratic, samples: 20_000, seed: 3);
        var (dk, dmu) = QuadraticGradient(2.5, 0.7);
        Within(dk, e, 0);
        Within(dmu, e, 1);
        Assert.Equal(Truncation.Exact, e.Truncation);
        Assert.Equal("series", e.Method);
        // The second-order term is a_2 E[f''] = (mu^2/2, k mu) * 2, with no noise at all (f'' = 2).
        Assert.Equal(0.7 * 0.7, e.Terms[1].Values[0], 12);
        Assert.Equal(2 * 2.5 * 0.7, e.Terms[1].Values[1], 12);
        Assert.Equal(0, e.Terms[1].StandardErrors[0]);
        Assert.All(e.Terms.Skip(2), t => Assert.Equal(0, t.Magnitude));
    }

    [Fact]
    public void Score_and_pathwise_agree_with_the_closed_form()
    {
        var (dk, dmu) = QuadraticGradient(2.5, 0.7);
        foreach (GradientEstimator estimator in new GradientEstimator[] { new ScoreFunctionEstimator(Gamma), new PathwiseEstimator(Gamma) })
        {
            var e = estimator.Estimate([2.5, 0.7], Quadratic, samples: 20_000, seed: 5);
            Within(dk, e, 0);
            Within(dmu, e, 1);
            Assert.Equal(Truncation.None, e.Truncation);
        }
    }

    [Fact]
    public void Exponential_shortcut_is_exact_and_draws_nothing()
    {
        // E[exp(-z)] = (1 + mu)^-k: d/dk = -log(1 + mu) (1 + mu)^-k, d/dmu = -k (1 + mu)^-(k+1).
        double k = 2.5, mu = 0.7;
        var e = new FourierEstimator(Gamma).Estimate([k, mu], Objective.Exponential(-1), samples: 1000);
        Assert.Equal("exponential shortcut", e.Method);
        Assert.Equal(0, e.Samples);
        Assert.Equal(-Math.Log(1 + mu) * Math.Pow(1 + mu, -k), e.Gradient[0], 14);
        Assert.Equal(-k * Math.Pow(1 + mu, -k - 1), e.Gradient[1], 14);
        Assert.All(e.StandardError, se => Assert.Equal(0, se));
    }

    [Fact]
    public void Exponential_through_the_series_converges_to_the_same_gradient()
    {
        // With the shortcut off: sum_n a_n E[(-1)^n e^{-z}], terms shrinking like (mu/(1+mu))^n; mu = 0.3 leaves < 1e-10 beyond order 24.
        double k = 2.5, mu = 0.3;
        var e = new FourierEstimator(Gamma, order: 24, exponentialShortcut: false).Estimate([k, mu], Objective.Exponential(-1), samples: 20_000, seed: 7);
        Assert.Equal("series", e.Method);
        Within(-Math.Log(1 + mu) * Math.Pow(1 + mu, -k), e, 0);
        Within(-k * Math.Pow(1 + mu, -k - 1), e, 1);
        Assert.Equal(Truncation.Convergent, e.Truncation);
        Assert.True(e.Terms[^1].Magnitude < 1e-10 * e.Terms[0].Magnitude);
    }

    [Fact]
    public void Bernoulli_rule_is_exact_with_one_sample()
    {
        // dE[f]/dp = f(1) - f(0) for any f: here 4 - 1 = 3; no randomness is left with one coordinate.
        var f = Objective.Of(z => z * z * z + 2 * z + 1);
        foreach (ulong seed in new ulong[] { 1, 2, 99 })
        {
            var e = new FourierEstimator(Bernoulli).Estimate([0.3], f, samples: 1, seed: seed);
            Assert.Equal("discrete (Theorem 2)", e.Method);
            Assert.Equal(3.0, e.Gradient[0], 15);
            Assert.Equal(0, e.StandardError[0]);
        }
    }

    [Fact]
    public void Bernoulli_coordinates_are_exact_per_coordinate_and_unbiased_jointly()
    {
        // f = z0 z1 + z2 on three independent Bernoullis: d/dp_j E[f] = p_1, p_0, 1.
        var f = Objective.Of((ReadOnlySpan<Jet> z) => z[0] * z[1] + z[2], arity: 3);
        var e = new FourierEstimator(Bernoulli).Estimate([0.2, 0.7, 0.4], f, samples: 20_000, seed: 11, copies: 3);
        Within(0.7, e, 0);
        Within(0.2, e, 1);
        Assert.Equal(1.0, e.Gradient[2], 12);
        Assert.Equal(0, e.StandardError[2], 12);
    }

    [Fact]
    public void Derived_beta_at_large_concentrations_matches_the_closed_form()
    {
        // E[z] = alpha / (alpha + beta): d/dalpha = beta/(alpha+beta)^2, d/dbeta = -alpha/(alpha+beta)^2.
        double a = 40, b = 60, s = a + b;
        var f = Objective.Of(z => z);
        foreach (GradientEstimator estimator in new GradientEstimator[] { new FourierEstimator(Beta, 8), new ScoreFunctionEstimator(Beta), new PathwiseEstimator(Beta) })
        {
            var e = estimator.Estimate([a, b], f, samples: 10_000, seed: 13);
            Within(b / (s * s), e, 0);
            Within(-a / (s * s), e, 1);
        }
    }

    [Fact]
    public void Beta_at_small_concentrations_is_reported_asymptotic()
    {
        // At alpha + beta < n, E[(g1 + g2)^-n] is infinite: the terms explode, and the estimate says so.
        var e = new FourierEstimator(Beta, 10).Estimate([0.4, 0.5], Objective.Of(z => z), samples: 5_000, seed: 1);
        Assert.Equal(Truncation.Asymptotic, e.Truncation);
        Assert.Contains("alpha", e.Note);
        var auto = new FourierEstimator(Beta, 10, autoOrder: true).Estimate([0.4, 0.5], Objective.Of(z => z), samples: 5_000, seed: 1);
        Assert.All(auto.Orders, n => Assert.True(n < 10));
    }

    [Fact]
    public void Copies_each_get_their_own_gradient()
    {
        double[] theta = [1.5, 0.4, 2.5, 0.7, 4.0, 1.1];
        var e = new FourierEstimator(Gamma, 2).Estimate(theta, Quadratic, samples: 10_000, seed: 17, copies: 3);
        Assert.Equal(6, e.Gradient.Length);
        for (int c = 0; c < 3; c++)
        {
            var (dk, dmu) = QuadraticGradient(theta[2 * c], theta[2 * c + 1]);
            Within(dk, e, 2 * c);
            Within(dmu, e, 2 * c + 1);
            Assert.Equal(("k", c), e.Slots[2 * c]);
        }
    }

    [Fact]
    public void Stencils_and_supplied_derivatives_give_the_same_estimate()
    {
        var (dk, dmu) = QuadraticGradient(2.5, 0.7);
        var stencil = Objective.Numeric(z => (z - 0.49) * (z - 0.49), sum: true);
        var supplied = Objective.WithDerivatives(z => (z - 0.49) * (z - 0.49), (z, d) =>
        {
            d.Clear();
            d[0] = (z - 0.49) * (z - 0.49);
            if (d.Length > 1) d[1] = 2 * (z - 0.49);
            if (d.Length > 2) d[2] = 2;
        }, sum: true);
        foreach (var f in new[] { stencil, supplied })
        {
            var e = new FourierEstimator(Gamma, 4).Estimate([2.5, 0.7], f, samples: 10_000, seed: 3);
            Within(dk, e, 0);
            Within(dmu, e, 1);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_numbers()
    {
        var estimator = new FourierEstimator(Gamma, 4);
        var a = estimator.Estimate([2.5, 0.7], Quadratic, samples: 500, seed: 42);
        var b = estimator.Estimate([2.5, 0.7], Quadratic, samples: 500, seed: 42);
        var c = estimator.Estimate([2.5, 0.7], Quadratic, samples: 500, seed: 43);
        Assert.Equal(a.Gradient.ToArray(), b.Gradient.ToArray());
        Assert.Equal(a.StandardError.ToArray(), b.StandardError.ToArray());
        Assert.NotEqual(a.Gradient.ToArray(), c.Gradient.ToArray());
    }

    [Fact]
    public void Invalid_parameters_name_the_parameter_and_its_bound()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FourierEstimator(Gamma).Estimate([2.5, -0.7], Quadratic));
        Assert.Contains("mu", ex.Message);
        Assert.Contains("mu > 0", ex.Message);
    }

    [Fact]
    public void Estimators_that_do_not_apply_say_why()
    {
        Assert.NotNull(new PathwiseEstimator(Bernoulli).WhyNotApplicable(Quadratic));
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => new PathwiseEstimator(Bernoulli).Estimate([0.3], Objective.Of(z => z)));
        Assert.Contains("discrete", ex.Reason);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FourierEstimator(Gamma, order: 40));
    }
}
