using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using Xunit;
using Xunit.Abstractions;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Tests.Resummation;

/// <summary>
/// Issue 16, item 2's acceptance: the pole-expansion rules of Gumbel (mu, beta) and Logistic (mu, s) are unbiased for
/// f = log(1 + exp(z)) and f = log(1 + z^2), within 5 standard errors at fixed seeds, against gradients computed here by
/// quadrature of f against the derivative of the density (not from any rule), at an ordinary scale and at 1.4, where the
/// truncated series diverges (Gumbel's lgamma(1 - beta t) has radius 1/beta, and the derivatives of both f grow like
/// n!/r^n). Pathwise and score run beside them; the variance ratios are printed (README).
/// </summary>
public sealed class PoleRuleEstimateTests(ITestOutputHelper output)
{
    private static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
    private static double LogOnePlusSquare(double z) => Math.Log(1 + z * z);

    /// <summary>
    /// dL/dtheta = int f(z) d p(z; theta)/dtheta dz, in the standardised variable y = (z - mu)/scale with density g(y):
    /// d/dmu gives g(y) * (-g'(y)/g(y)) / scale and d/dscale gives g(y) * (-1 - y g'(y)/g(y)) / scale. Composite
    /// Simpson over a range where g is below 1e-40 outside.
    /// Gumbel: g = exp(-y - e^-y), -g'/g = 1 - e^-y. Logistic: g = e^-y/(1 + e^-y)^2, -g'/g = tanh(y/2).
    /// </summary>
    private static (double Mu, double Scale) Quadrature(string law, double mu, double scale, Func<double, double> f)
    {
        bool gumbel = law == "gumbel";
        double lo = gumbel ? -6 : -100, hi = gumbel ? 110 : 100;
        const int n = 400_000; // even
        double h = (hi - lo) / n, dMu = 0, dScale = 0;
        for (int i = 0; i <= n; i++)
        {
            double y = lo + i * h;
            double g = gumbel ? Math.Exp(-y - Math.Exp(-y)) : Math.Exp(-Math.Abs(y)) / Math.Pow(1 + Math.Exp(-Math.Abs(y)), 2);
            double score = gumbel ? 1 - Math.Exp(-y) : Math.Tanh(y / 2);
            double w = (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * h / 3;
            double fz = f(mu + scale * y);
            dMu += w * fz * g * score / scale;
            dScale += w * fz * g * (y * score - 1) / scale;
        }
        return (dMu, dScale);
    }

    public static TheoryData<string, double, double, string> Cases => new()
    {
        { "gumbel", 0.3, 0.7, "log(1 + exp(z))" }, { "gumbel", 0.3, 1.4, "log(1 + exp(z))" },
        { "gumbel", -0.5, 0.7, "log(1 + z^2)" }, { "gumbel", -0.5, 1.4, "log(1 + z^2)" },
        { "logistic", 0.2, 0.5, "log(1 + exp(z))" }, { "logistic", 0.2, 1.4, "log(1 + exp(z))" },
        { "logistic", 0.4, 0.5, "log(1 + z^2)" }, { "logistic", 0.4, 1.4, "log(1 + z^2)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pole_rules_agree_with_quadrature(string law, double mu, double scale, string f)
    {
        var rule = Rules.Load(law);
        Func<double, double> fd = f == "log(1 + z^2)" ? LogOnePlusSquare : Softplus;
        var (refMu, refScale) = Quadrature(law, mu, scale, fd);
        double[] exact = [refMu, refScale];
        double[] theta = [mu, scale];
        var objective = ObjectiveParser.Parse(f, new ObjectiveShape(1, false));
        var resummed = new ResummedEstimator(rule);
        Assert.Null(resummed.WhyNotApplicable(objective));
        const int samples = 200_000;
        var r = resummed.Estimate(theta, objective, samples, seed: 21);
        var pathwise = new PathwiseEstimator(rule).Estimate(theta, objective, samples, seed: 22);
        var score = new ScoreFunctionEstimator(rule).Estimate(theta, objective, samples, seed: 23);
        for (int p = 0; p < 2; p++)
        {
            foreach (var (name, e) in new[] { ("resummed", r), ("pathwise", pathwise), ("score", score) })
                Assert.True(Math.Abs(e.Gradient[p] - exact[p]) <= 5 * e.StandardError[p],
                    $"{law} {name} parameter {p} at ({mu}, {scale}), f = {f}: {e.Gradient[p]} +- {e.StandardError[p]}, quadrature {exact[p]}");
            double ratio = Math.Pow(r.StandardError[p] / pathwise.StandardError[p], 2);
            output.WriteLine($"{law} ({mu}, {scale}) {f} p{p}: quadrature {exact[p]:G8}, resummed {r.Gradient[p]:G8} +- {r.StandardError[p]:G3}, " +
                $"pathwise +- {pathwise.StandardError[p]:G3}, score +- {score.StandardError[p]:G3}, variance resummed/pathwise {ratio:G3}");
        }
    }

    /// <summary>seriesc estimate's fourier default is the exact rule for both families (every parameter has one).</summary>
    [Theory]
    [InlineData("gumbel", "mu=0.1,beta=1.4")]
    [InlineData("logistic", "mu=0.1,s=1.4")]
    public void Fourier_default_is_the_pole_rule(string law, string at)
    {
        var result = SeriesCompiler.Tests.Cli.CliHarness.Run("estimate", law, "--at", at, "--f", "log(1 + exp(z))", "--samples", "2000", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("K ~ Zeta(2)", result.Out);
    }
}
