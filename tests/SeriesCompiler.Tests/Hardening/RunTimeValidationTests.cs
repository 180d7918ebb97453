using System.Text.Json;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Issue 6, item 3: parameters outside their constraints or not finite, f NaN or infinite at a sample, derivatives of f
/// overflowing at high order, coefficients overflowing, zero samples. Each gives a clear exception (the C# API) or an
/// estimator listed with its error (the CLI), never a NaN gradient.
/// </summary>
public sealed class RunTimeValidationTests
{
    private static readonly Rule Gamma = Rules.Load("gamma");
    private static readonly Rule Normal = Rules.Load("normal");

    private static IEnumerable<GradientEstimator> AllEstimators(Rule rule) =>
        [new FourierEstimator(rule), new ScoreFunctionEstimator(rule), new PathwiseEstimator(rule), new ResummedEstimator(rule)];

    private static readonly Objective Square = Objective.Sum(z => Jet.Square(z - 0.5));

    // ------------------------------------------------------------------ parameters

    [Theory]
    [InlineData("gamma", new[] { -1.0, 0.7 }, "k", "k > 0")]
    [InlineData("gamma", new[] { 2.5, 0.0 }, "mu", "mu > 0")]
    [InlineData("bernoulli", new[] { 1.5 }, "p", "p in (0, 1)")]
    [InlineData("bernoulli", new[] { 0.0 }, "p", "p in (0, 1)")]
    [InlineData("binomial", new[] { 2.5, 0.3 }, "n", "integer")]
    [InlineData("beta", new[] { 0.0, 1.0 }, "alpha", "alpha > 0")]
    [InlineData("bivariatenormal", new[] { 0.0, 0.0, 1.0, 1.0, 1.0 }, "rho", "rho in (-1, 1)")]
    public void A_parameter_outside_its_constraint_names_the_parameter_and_the_bound(string distribution, double[] theta, string parameter, string bound)
    {
        var rule = Rules.Load(distribution);
        foreach (var estimator in AllEstimators(rule))
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Estimate(theta, Objective.Sum(z => z), samples: 10));
            Assert.Equal(parameter, ex.ParamName);
            Assert.Contains($"'{parameter}'", ex.Message);
            Assert.Contains(bound, ex.Message);
        }
    }

    [Theory]
    [InlineData(double.NaN, 1.0, "mu", "finite real number")]
    [InlineData(double.PositiveInfinity, 1.0, "mu", "finite real number")]
    [InlineData(0.0, double.NegativeInfinity, "sigma", "sigma > 0")]
    [InlineData(0.0, double.NaN, "sigma", "sigma > 0")]
    public void A_non_finite_parameter_is_refused_by_name(double mu, double sigma, string parameter, string bound)
    {
        foreach (var estimator in AllEstimators(Normal))
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Estimate([mu, sigma], Square, samples: 10));
            Assert.Equal(parameter, ex.ParamName);
            Assert.Contains("not finite", ex.Message);
            Assert.Contains(bound, ex.Message);
        }
    }

    [Fact]
    public void Every_copy_under_dims_is_checked()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FourierEstimator(Gamma).Estimate([2.5, 0.7, 2.5, -0.7], Square, samples: 10, copies: 2));
        Assert.Equal("mu", ex.ParamName);
    }

    // ------------------------------------------------------------------ samples

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Zero_or_negative_samples_are_refused(int samples)
    {
        foreach (var estimator in AllEstimators(Gamma))
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Estimate([2.5, 0.7], Square, samples));
            Assert.Equal("samples", ex.ParamName);
            Assert.Contains("at least 1", ex.Message);
        }
    }

    // ------------------------------------------------------------------ f not finite

    [Fact]
    public void F_that_is_NaN_at_a_sample_throws_with_the_sample_and_z()
    {
        // log z is NaN for the negative half of a standard normal's samples.
        var f = Objective.Sum(Jet.Log);
        foreach (var estimator in new GradientEstimator[] { new FourierEstimator(Normal), new ScoreFunctionEstimator(Normal), new PathwiseEstimator(Normal) })
        {
            var ex = Assert.Throws<NonFiniteValueException>(() => estimator.Estimate([0.0, 1.0], f, samples: 1000));
            Assert.Equal(estimator.Name, ex.Estimator);
            Assert.True(double.IsNaN(ex.Value), ex.Message);
            Assert.True(ex.Sample >= 0, ex.Message);
            Assert.Single(ex.Z);
            Assert.True(ex.Z[0] < 0, $"log is NaN only below 0; z = {ex.Z[0]}");
            Assert.Contains("NaN at sample", ex.Message);
        }
    }

    [Fact]
    public void F_that_is_infinite_throws_on_every_path()
    {
        // exp(z) at mu = 1000 overflows: through the series (jets), the score function, and the exponential shortcut.
        var f = Objective.Sum(Jet.Exp);
        var series = Assert.Throws<NonFiniteValueException>(() => new FourierEstimator(Normal, exponentialShortcut: false).Estimate([1000.0, 1.0], f, samples: 10));
        Assert.True(double.IsPositiveInfinity(series.Value), series.Message);
        Assert.Contains("infinity", series.Message);
        Assert.Throws<NonFiniteValueException>(() => new ScoreFunctionEstimator(Normal).Estimate([1000.0, 1.0], f, samples: 10));
        var shortcut = Assert.Throws<NonFiniteValueException>(() => new FourierEstimator(Normal).Estimate([1000.0, 1.0], Objective.Exponential(1.0), samples: 10));
        Assert.Equal(-1, shortcut.Sample);
    }

    [Fact]
    public void Discrete_rules_report_a_non_finite_difference()
    {
        // 1/(z - 1) is infinite at Bernoulli's z = 1 (Theorem 2) and at Poisson's z = 1 (the shift rule).
        var f = Objective.Sum(z => Jet.Reciprocal(z - 1));
        var bernoulli = Assert.Throws<NonFiniteValueException>(() => new FourierEstimator(Rules.Load("bernoulli")).Estimate([0.3], f, samples: 10));
        Assert.Contains("difference", bernoulli.Message);
        Assert.Null(bernoulli.DerivativeOrder);
        var poisson = Assert.Throws<NonFiniteValueException>(() => new FourierEstimator(Rules.Load("poisson")).Estimate([2.0], f, samples: 200));
        Assert.Contains("difference", poisson.Message);
    }

    [Fact]
    public void A_derivative_that_overflows_at_high_order_names_the_order()
    {
        // f = 1/(z + 1e-10) is finite at every z > 0, but f^(n) = (-1)^n n! / (z + 1e-10)^(n+1) overflows for n >= 31 when
        // z is tiny, which Gamma(0.01, 1) makes likely: most of its mass lies below 1e-9.
        var gamma32 = Rules.Load("gamma", 32);
        var f = Objective.Sum(z => Jet.Reciprocal(z + 1e-10));
        var ex = Assert.Throws<NonFiniteValueException>(() => new FourierEstimator(gamma32, order: 32).Estimate([0.01, 1.0], f, samples: 100));
        Assert.True(ex.DerivativeOrder is >= 2, ex.Message);
        Assert.True(double.IsInfinity(ex.Value), ex.Message);
        Assert.Contains($"f^({ex.DerivativeOrder})", ex.Message);
        Assert.Contains("--order", ex.Message);
        // The same problem at order 8 is finite.
        var fine = new FourierEstimator(gamma32, order: 8).Estimate([0.01, 1.0], f, samples: 100);
        Assert.All(fine.Gradient, g => Assert.True(double.IsFinite(g)));
    }

    [Fact]
    public void A_coefficient_that_overflows_at_high_order_is_refused()
    {
        // a_{n,mu} = k mu^(n-1) and a_{n,k} = mu^n / n: at mu = 1e10, mu^31 = 1e310 is beyond the double range.
        var gamma32 = Rules.Load("gamma", 32);
        var ex = Assert.Throws<NonFiniteValueException>(() => new FourierEstimator(gamma32, order: 32).Estimate([1.0, 1e10], Square, samples: 10));
        Assert.Contains("coefficient a_{31,", ex.Message);
        Assert.Contains("Gamma", ex.Message);
        Assert.Contains("--order 30", ex.Message);
        // Order 30 stays inside the range: mu^30 = 1e300.
        var fine = new FourierEstimator(gamma32, order: 30).Estimate([1.0, 1e10], Square, samples: 10);
        Assert.All(fine.Gradient, g => Assert.True(double.IsFinite(g)));
    }

    [Fact]
    public void Contributions_whose_sum_overflows_are_not_returned()
    {
        // f = 1e200 z^2 has finite values and derivatives, but the squares in the variance overflow: no infinite standard error.
        var f = Objective.Sum(z => Jet.Square(z) * 1e200);
        var ex = Assert.Throws<NonFiniteValueException>(() => new ScoreFunctionEstimator(Normal).Estimate([0.0, 1.0], f, samples: 100));
        Assert.Contains("standard error", ex.Message);
    }

    [Fact]
    public void Finite_problems_are_not_flagged()
    {
        foreach (var estimator in AllEstimators(Gamma))
        {
            var e = estimator.Estimate([2.5, 0.7], Square, samples: 200);
            Assert.False(e.IsFlagged, string.Join("; ", e.Warnings));
            Assert.All(e.Gradient, g => Assert.True(double.IsFinite(g)));
        }
    }

    // ------------------------------------------------------------------ the command line

    private static JsonElement Estimate(params string[] args)
    {
        var r = CliHarness.Run(["estimate", .. args, "--format", "json"]);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Err}");
        return JsonDocument.Parse(r.Out).RootElement.GetProperty("estimates");
    }

    [Theory]
    [InlineData("k=-1,mu=0.7", "k = -1", "k > 0")]
    [InlineData("k=2.5,mu=0", "mu = 0", "mu > 0")]
    public void Cli_a_parameter_outside_its_constraint_is_a_usage_error_naming_it(string at, string shown, string bound)
    {
        var r = CliHarness.Run("estimate", "gamma", "--at", at, "--f", "z^2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(shown, r.Err);
        Assert.Contains(bound, r.Err);
        Assert.Equal("", r.Out);
    }

    [Theory]
    [InlineData("mu=nan,sigma=1")]
    [InlineData("mu=0,sigma=Infinity")]
    [InlineData("mu=1e999,sigma=1")]
    public void Cli_a_non_finite_parameter_is_a_usage_error(string at)
    {
        var r = CliHarness.Run("estimate", "normal", "--at", at, "--f", "z^2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--at", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Cli_zero_samples_is_a_usage_error()
    {
        var r = CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "z^2", "--samples", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--samples must be at least 1", r.Err);
    }

    [Fact]
    public void Cli_f_that_is_NaN_lists_each_estimator_with_its_error()
    {
        var estimates = Estimate("normal", "--at", "mu=0,sigma=1", "--f", "log(z)", "--estimator", "all", "--samples", "1000");
        foreach (var name in new[] { "fourier", "score", "pathwise" })
        {
            var e = estimates.EnumerateArray().Single(x => x.GetProperty("estimator").GetString() == name);
            Assert.False(e.TryGetProperty("gradient", out _), name);
            string error = e.GetProperty("error").GetString()!;
            Assert.Contains("NaN at sample", error);
            Assert.Contains("z = -", error);
        }
    }

    [Fact]
    public void Cli_derivative_overflow_at_high_order_is_an_error_with_advice()
    {
        var e = Estimate("gamma", "--at", "k=0.01,mu=1", "--f", "1/(z + 1e-10)", "--order", "32", "--samples", "100")[0];
        string error = e.GetProperty("error").GetString()!;
        Assert.Contains("infinity at sample", error);
        Assert.Contains("--order", error);
    }

    [Fact]
    public void Cli_coefficient_overflow_is_an_error_naming_the_coefficient()
    {
        var e = Estimate("gamma", "--at", "k=1,mu=1e10", "--f", "z^2", "--order", "32", "--samples", "10")[0];
        Assert.Contains("coefficient a_{31,", e.GetProperty("error").GetString());
    }

    [Fact]
    public void Cli_infinite_f_through_the_exponential_shortcut_is_an_error()
    {
        var e = Estimate("normal", "--at", "mu=1000,sigma=1", "--f", "exp(z)", "--samples", "10")[0];
        Assert.Contains("infinity", e.GetProperty("error").GetString());
    }
}
