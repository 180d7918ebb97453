using System.Text.Json;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Tests.Cli;
using Xunit;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Issue 18, item 5 acceptance: Poisson at lambda = 1e6, 1e12 and 1e18, and binomial at n = 1e15, within 5 standard
/// errors of the exact gradient in well under a second (f = z and f = z^2, whose gradients are closed forms:
/// d/dlambda E[z^2] = 1 + 2 lambda; d/dp E[z^2] = n (1 - 2p) + 2 n^2 p). Above 2^53, z + 1 rounds to z, so Poisson's
/// shift rule takes f(z + 1) - f(z) from f's Taylor series by jets instead of 0 +- 0.
/// </summary>
public sealed class ExtremeParameterTests
{
    private static Objective Parse(string f) =>
        ObjectiveParser.Parse(f, new ObjectiveShape(1, false, 1), DerivativeMode.Jet, out _)!;

    private static void Within5Se(GradientEstimate e, double exact)
    {
        Assert.True(Math.Abs(e.Gradient[0] - exact) <= 5 * e.StandardError[0] + 1e-12 * Math.Abs(exact),
            $"{e.Estimator} ({e.Method}): {e.Gradient[0]} +- {e.StandardError[0]}, exact {exact}");
        Assert.True(e.Elapsed.TotalSeconds < 2, $"{e.Estimator} took {e.Elapsed.TotalSeconds} s");
    }

    [Theory]
    [InlineData(1e6)]
    [InlineData(1e12)]
    [InlineData(1e18)]
    public void Poisson_at_huge_rates_matches_the_exact_gradient(double lambda)
    {
        var rule = Rules.Load("poisson");
        foreach (var estimator in new GradientEstimator[] { new FourierEstimator(rule, order: 4), new ResummedEstimator(rule) })
        {
            Within5Se(estimator.Estimate([lambda], Parse("z"), samples: 10_000, seed: 3), 1);
            Within5Se(estimator.Estimate([lambda], Parse("z^2"), samples: 10_000, seed: 3), 1 + 2 * lambda);
        }
    }

    [Fact]
    public void Poisson_above_2_to_the_53_refuses_a_kinked_f_instead_of_returning_zero()
    {
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => new ResummedEstimator(Rules.Load("poisson")).Estimate([1e18], Parse("abs(z - 3)"), samples: 100));
        Assert.Contains("2^53", ex.Reason);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.7)]
    public void Binomial_at_n_1e15_matches_the_exact_gradient(double p)
    {
        var rule = Rules.Load("binomial");
        double n = 1e15;
        var fourier = new FourierEstimator(rule, order: 4);
        Within5Se(fourier.Estimate([n, p], Parse("z"), samples: 10_000, seed: 4), n);
        Within5Se(fourier.Estimate([n, p], Parse("z^2"), samples: 10_000, seed: 4), n * (1 - 2 * p) + 2 * n * n * p);
        Within5Se(new ScoreFunctionEstimator(rule).Estimate([n, p], Parse("z"), samples: 10_000, seed: 4), n);
    }

    [Fact]
    public void Gamma_at_k_1e308_refuses_the_score_and_the_resummed_rule_is_exact()
    {
        var rule = Rules.Load("gamma");
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => new ScoreFunctionEstimator(rule).Estimate([1e308, 1.0], Parse("z"), samples: 100));
        Assert.Contains("k = 1E+308", ex.Reason);
        Assert.Contains("same z", ex.Reason);
        // d/dk E[z] = mu, d/dmu E[z] = k.
        var e = new ResummedEstimator(rule).Estimate([1e308, 1.0], Parse("z"), samples: 100);
        Assert.Equal(1.0, e["k"], 12);
        Assert.Equal(1e308, e["mu"], 1e296);
    }

    [Fact]
    public void Gamma_pathwise_at_a_tiny_shape_names_the_shape_not_a_dotnet_parameter()
    {
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => new PathwiseEstimator(Rules.Load("gamma")).Estimate([1e-300, 1.0], Parse("z"), samples: 10));
        Assert.Contains("k = 1E-300", ex.Reason);
        Assert.DoesNotContain("(Parameter", ex.Message);
        Assert.DoesNotContain("Actual value", ex.Message);
    }

    [Fact]
    public void The_resummed_refusal_shows_the_parameters_given_beside_the_compilers_example()
    {
        // Bernoulli's reason names the compiler's example point (p = 0.02267); the user's p must be stated too.
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => new ResummedEstimator(Rules.Load("bernoulli")).Estimate([1e-320], Parse("z"), samples: 10));
        Assert.Contains("given: p = 1E-320", ex.Reason);
    }

    [Theory]
    [InlineData("gamma", "k=1e-300,mu=1", "underflowed to 0")]
    public void Run_time_errors_name_the_users_values_not_dotnet_parameters(string distribution, string at, string expected)
    {
        var result = CliHarness.Run("estimate", distribution, "--at", at, "--f", "z", "--estimator", "all", "--samples", "100");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Out);
        Assert.DoesNotContain("(Parameter", result.Out + result.Err);
        Assert.DoesNotContain("Actual value", result.Out + result.Err);
    }

    [Fact]
    public void Categorical_weights_that_do_not_sum_below_one_are_refused_by_their_constraint_before_any_draw()
    {
        // p0 = 1 - p1 - p2 = -0.4: the declaration's 'constraint p1 + p2 < 1' names it in the user's words (exit 2, as any bad --at).
        var result = CliHarness.Run("estimate", "categorical", "--at", "p1=0.7,p2=0.7", "--f", "z", "--estimator", "all", "--samples", "100");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("p1 + p2 < 1", result.Err);
        Assert.DoesNotContain("(Parameter", result.Out + result.Err);
        Assert.DoesNotContain("weights", result.Out + result.Err);
    }

    [Theory]
    [InlineData("poisson", "lambda=1e18", "z^2", "lambda", 2e18 + 1)]
    [InlineData("poisson", "lambda=1e12", "z", "lambda", 1.0)]
    [InlineData("binomial", "n=1e15,p=0.3", "z", "p", 1e15)]
    public void The_cli_gives_the_exact_gradient_at_huge_parameters(string distribution, string at, string f, string parameter, double exact)
    {
        var result = CliHarness.Run("estimate", distribution, "--at", at, "--f", f, "--order", "4", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var fourier = json.RootElement.GetProperty("estimates")[0];
        double g = fourier.GetProperty("gradient").GetProperty(parameter).GetDouble(), se = fourier.GetProperty("stderr").GetProperty(parameter).GetDouble();
        Assert.True(Math.Abs(g - exact) <= 5 * se + 1e-12 * exact, $"{g} +- {se} vs {exact}: {result.Out}");
        Assert.True(fourier.GetProperty("seconds").GetDouble() < 2);
        Assert.DoesNotContain("(Parameter", result.Out + result.Err);
    }
}

/// <summary>Issue 18, item 4: a stencil derivative carries its error; an order where it is not small against the standard error is flagged.</summary>
public sealed class StencilErrorTests
{
    [Fact]
    public void High_order_stencils_on_exp_under_gamma_are_flagged_not_convergent()
    {
        // The probe: exact d/dmu = -0.390 (the exponential shortcut's closed form); stencils at order 16 gave -0.215 +- 0.001.
        var result = CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "exp(-z)", "--derivatives", "stencil", "--order", "16", "--no-shortcut", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var fourier = json.RootElement.GetProperty("estimates")[0];
        Assert.Equal("unreliable", fourier.GetProperty("truncation").GetString());
        Assert.Contains("stencils' error", result.Out);
    }

    [Fact]
    public void Low_order_stencils_are_not_flagged_and_agree_with_jets()
    {
        var rule = Rules.Load("gamma");
        var f = ObjectiveParser.Parse("exp(-z)", new ObjectiveShape(1, false, 1), DerivativeMode.Stencil, out _)!;
        var jets = ObjectiveParser.Parse("exp(-z)", new ObjectiveShape(1, false, 1), DerivativeMode.Jet, out _)!;
        var stencil = new FourierEstimator(rule, order: 4, exponentialShortcut: false).Estimate([2.5, 0.7], f, samples: 5000, seed: 9);
        var exact = new FourierEstimator(rule, order: 4, exponentialShortcut: false).Estimate([2.5, 0.7], jets, samples: 5000, seed: 9);
        Assert.False(stencil.IsFlagged, string.Join("; ", stencil.Warnings));
        Assert.NotEqual(Truncation.Unreliable, stencil.Truncation);
        for (int i = 0; i < 2; i++) Assert.Equal(exact.Gradient[i], stencil.Gradient[i], 1e-6);
    }
}
