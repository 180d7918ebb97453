using System.Text.Json;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Issue 18, item 1: f with a kink (abs). The series and the resummed rules need f's distributional derivatives
/// (|x|'' = 2 delta), which derivatives at the samples drop: they must refuse, never report "exact" with a wrong value.
/// The baselines stay available and agree with independent references (closed forms, quadrature) within 5 SE.
/// </summary>
public sealed class NonSmoothTests
{
    private static Objective AbsShifted(double c) =>
        new ExpressionObjective(FunctionExpression.Apply(ElementaryFunction.Abs, FunctionExpression.Variable(0) - c), 1);

    private static void Within5Se(GradientEstimate e, string parameter, double reference)
    {
        int i = Enumerable.Range(0, e.Slots.Length).First(s => e.Name(s) == parameter);
        Assert.True(Math.Abs(e.Gradient[i] - reference) <= 5 * e.StandardError[i] + 1e-12,
            $"{e.Estimator} d/d{parameter} = {e.Gradient[i]} +- {e.StandardError[i]}, reference {reference}");
    }

    [Fact]
    public void Expression_smoothness_is_known_exactly()
    {
        Assert.True(new ExpressionObjective(FunctionExpression.Apply(ElementaryFunction.Exp, FunctionExpression.Variable(0)), 1).Smoothness.IsSmooth);
        var kinked = AbsShifted(1.75).Smoothness;
        Assert.Equal(1, kinked.Order);
        Assert.Contains("abs", kinked.Reason);
        // abs deep inside a smooth function still makes f only Lipschitz.
        var nested = FunctionExpression.Apply(ElementaryFunction.Exp, FunctionExpression.Apply(ElementaryFunction.Abs, FunctionExpression.Variable(0)) * 2.0);
        Assert.Equal(1, nested.GetSmoothness().Order);
    }

    [Theory]
    [InlineData("normal", new[] { 0.0, 1.0 }, 0.0)]
    [InlineData("laplace", new[] { 0.3, 1.0 }, 0.0)]
    [InlineData("gamma", new[] { 2.5, 0.7 }, 1.75)]
    public void The_series_refuses_abs_where_a_parameter_needs_f_second(string distribution, double[] theta, double c)
    {
        var rule = Rules.Load(distribution);
        foreach (var estimator in new GradientEstimator[] { new FourierEstimator(rule, order: 4), new FourierEstimator(rule, order: 8, autoOrder: true) })
        {
            var ex = Assert.Throws<EstimatorNotApplicableException>(() => estimator.Estimate(theta, AbsShifted(c), samples: 100));
            Assert.Contains("not smooth enough", ex.Reason);
            Assert.Contains("abs", ex.Reason);
        }
    }

    [Fact]
    public void Laplace_resummed_rule_needs_f_second_and_refuses_abs()
    {
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => new ResummedEstimator(Rules.Load("laplace")).Estimate([0.3, 1.0], AbsShifted(0), samples: 100));
        Assert.Contains("not smooth enough", ex.Reason);
        Assert.Contains("f^(2)", ex.Reason);
    }

    [Fact]
    public void A_jet_objective_that_applies_Jet_Abs_is_detected_while_it_runs()
    {
        var rule = Rules.Load("gamma");
        var f = Objective.Of(z => Jet.Abs(z - 1.75));
        Assert.True(f.Smoothness.IsSmooth); // nothing declared: only running it shows the kink
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => new FourierEstimator(rule, order: 4).Estimate([2.5, 0.7], f, samples: 100));
        Assert.Contains("Jet.Abs", ex.Reason);
        Assert.Throws<EstimatorNotApplicableException>(() => new ResummedEstimator(Rules.Load("laplace")).Estimate([0.3, 1.0], Objective.Of(z => Jet.Abs(z)), samples: 100));
        // A declared kink is refused before any sample.
        var declared = Objective.Numeric(z => Math.Abs(z - 1.75)).WithSmoothness(Smoothness.Kinked("|z - 1.75| has a kink"));
        Assert.Contains("|z - 1.75| has a kink", Assert.Throws<EstimatorNotApplicableException>(() => new FourierEstimator(rule, order: 4).Estimate([2.5, 0.7], declared, samples: 100)).Reason);
    }

    [Fact]
    public void A_rule_that_needs_only_f_prime_holds_for_a_kinked_f()
    {
        // Poisson's shift rule E[f(z+1) - f(z)] needs no derivative: |z - 3.5| under Poisson(3) is estimated, and
        // matches the exact sum of (|k + 1 - 3.5| - |k - 3.5|) p_k.
        var rule = Rules.Load("poisson");
        double lambda = 3, reference = 0, p = Math.Exp(-lambda);
        for (int k = 0; k < 100; k++, p *= lambda / k) reference += (Math.Abs(k + 1 - 3.5) - Math.Abs(k - 3.5)) * p;
        var e = new FourierEstimator(rule, order: 4).Estimate([lambda], AbsShifted(3.5), samples: 20_000, seed: 3);
        Within5Se(e, "lambda", reference);
    }

    [Fact]
    public void Baselines_under_normal_match_the_closed_form()
    {
        // E|z| for z ~ N(mu, sigma) at mu = 0: d/dmu = E[sign z] = 0, d/dsigma = E|N(0,1)| = sqrt(2/pi).
        var rule = Rules.Load("normal");
        foreach (var estimator in new GradientEstimator[] { new PathwiseEstimator(rule), new ScoreFunctionEstimator(rule) })
        {
            var e = estimator.Estimate([0.0, 1.0], AbsShifted(0), samples: 40_000, seed: 5);
            Within5Se(e, "mu", 0);
            Within5Se(e, "sigma", Math.Sqrt(2 / Math.PI));
        }
    }

    [Fact]
    public void Baselines_under_laplace_match_the_closed_form()
    {
        // E|z| for z ~ Laplace(mu, b), mu >= 0: mu + b exp(-mu/b); d/dmu = 1 - exp(-mu/b), d/db = exp(-mu/b) (1 + mu/b).
        var rule = Rules.Load("laplace");
        double mu = 0.3, b = 1.0, e1 = Math.Exp(-mu / b);
        var e = new ScoreFunctionEstimator(rule).Estimate([mu, b], AbsShifted(0), samples: 40_000, seed: 7);
        Within5Se(e, "mu", 1 - e1);
        Within5Se(e, "b", e1 * (1 + mu / b));
    }

    [Fact]
    public void Baselines_under_gamma_match_quadrature()
    {
        // L(k, mu) = integral |z - 1.75| Gamma(z; k, scale mu) dz by Simpson's rule split at the kink; the gradient by
        // central differences of L. Independent of the estimators (no sampling, no series).
        double k = 2.5, mu = 0.7, c = 1.75;
        double L(double kk, double mm)
        {
            double Density(double z) => z <= 0 ? 0 : Math.Exp((kk - 1) * Math.Log(z) - z / mm - SeriesCompiler.Runtime.Special.SpecialFunctions.LogGamma(kk) - kk * Math.Log(mm));
            double Simpson(double a, double bb, int n)
            {
                double h = (bb - a) / n, sum = 0;
                for (int i = 0; i <= n; i++)
                {
                    double z = a + i * h, w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
                    sum += w * Math.Abs(z - c) * Density(z);
                }
                return sum * h / 3;
            }
            return Simpson(0, c, 20_000) + Simpson(c, 60, 200_000);
        }
        const double h = 1e-4;
        double dk = (L(k + h, mu) - L(k - h, mu)) / (2 * h), dmu = (L(k, mu + h) - L(k, mu - h)) / (2 * h);
        var rule = Rules.Load("gamma");
        // Gamma's resummed rules need only f' (mu E[f'(z + mu U Exp(1))], k E[f'(z + mu Exp(1))]), which holds for a
        // Lipschitz f almost everywhere: they give the right answer where the series refuses.
        foreach (var estimator in new GradientEstimator[] { new PathwiseEstimator(rule), new ScoreFunctionEstimator(rule), new ResummedEstimator(rule) })
        {
            var e = estimator.Estimate([k, mu], AbsShifted(c), samples: 40_000, seed: 11);
            Within5Se(e, "k", dk);
            Within5Se(e, "mu", dmu);
        }
    }

    [Theory]
    [InlineData("gamma", "k=2.5,mu=0.7", "abs(z-1.75)", "--order", "4")]
    [InlineData("gamma", "k=2.5,mu=0.7", "abs(z-1.75)", "--order", "8")]
    [InlineData("normal", "mu=0,sigma=1", "abs(z)", "--seed", "2")]
    [InlineData("laplace", "mu=0,b=1", "abs(z)", "--seed", "2")]
    public void The_cli_refuses_the_series_for_abs_and_keeps_the_baselines(string distribution, string at, string f, string option, string value)
    {
        var result = CliHarness.Run("estimate", distribution, "--at", at, "--f", f, "--estimator", "all", option, value, "--samples", "2000", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var estimates = json.RootElement.GetProperty("estimates").EnumerateArray().ToList();
        var fourier = estimates.Single(e => e.GetProperty("estimator").GetString() == "fourier");
        Assert.Contains("not smooth enough", fourier.GetProperty("error").GetString());
        Assert.DoesNotContain("\"exact\"", result.Out);
        foreach (var name in new[] { "score", "pathwise" })
            Assert.False(estimates.Single(e => e.GetProperty("estimator").GetString() == name).TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String,
                $"{name} should give an estimate: {result.Out}");
    }
}

/// <summary>The CLI's default fourier (no --order) is Gamma's resummed rule, which needs f' only: right for abs.</summary>
public sealed class NonSmoothDefaultTests
{
    [Fact]
    public void Gamma_default_fourier_with_abs_is_the_resummed_rule_and_agrees_with_the_baselines()
    {
        var result = CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "abs(z-1.75)", "--estimator", "all", "--samples", "40000", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var byName = json.RootElement.GetProperty("estimates").EnumerateArray().ToDictionary(e => e.GetProperty("estimator").GetString()!, e => e.Clone());
        var fourier = byName["fourier"];
        Assert.StartsWith("resummed", fourier.GetProperty("method").GetString());
        foreach (var parameter in new[] { "k", "mu" })
        {
            double g = fourier.GetProperty("gradient").GetProperty(parameter).GetDouble(), se = fourier.GetProperty("stderr").GetProperty(parameter).GetDouble();
            double gs = byName["score"].GetProperty("gradient").GetProperty(parameter).GetDouble(), ses = byName["score"].GetProperty("stderr").GetProperty(parameter).GetDouble();
            Assert.True(Math.Abs(g - gs) <= 5 * Math.Sqrt(se * se + ses * ses), $"{parameter}: resummed {g} +- {se}, score {gs} +- {ses}");
        }
    }
}
