using SeriesCompiler.Symbolic.Objectives;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using Xunit;
using Xunit.Abstractions;

namespace SeriesCompiler.Tests.Levy;

/// <summary>
/// Issue 16, item 4's acceptance: the Lévy generator rules of Cauchy (x0, g) and of the symmetric stable law of index
/// 1.5 (x0, sigma) are unbiased for bounded smooth f, within 5 standard errors at fixed seeds, against gradients
/// computed here by quadrature that never uses a rule: Cauchy by integrating f against the derivative of its density,
/// the stable law (which has no closed-form density) by Parseval against its characteristic function. Pathwise (and,
/// for Cauchy, the score function) run beside them; the variances are printed for the README's table.
/// </summary>
public sealed class LevyRuleEstimateTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, Func<double, double>> Functions = new()
    {
        ["1/(1 + z^2)"] = z => 1 / (1 + z * z),
        ["tanh(z)"] = Math.Tanh,
        ["exp(-z^2)"] = z => Math.Exp(-z * z),
    };

    /// <summary>
    /// Cauchy: z = x0 + g tan(phi), phi uniform on (-pi/2, pi/2), so E[h(z)] = (1/pi) INT h(x0 + g tan phi) dphi. The scores
    /// d log p/dx0 = 2y/(g(1 + y^2)) and d log p/dg = (y^2 - 1)/(g(1 + y^2)) at y = tan(phi) are sin(2 phi)/g and
    /// -cos(2 phi)/g, so dL/dx0 = INT f sin(2 phi) dphi/(pi g) and dL/dg = -INT f cos(2 phi) dphi/(pi g): smooth integrands on
    /// a finite interval, composite Simpson.
    /// </summary>
    private static (double X0, double G) CauchyQuadrature(double x0, double g, Func<double, double> f)
    {
        const int n = 200_000; // even
        double lo = -Math.PI / 2, h = Math.PI / n, dx0 = 0, dg = 0;
        for (int i = 1; i < n; i++) // f is bounded: the end points carry weight 0 against sin(2 phi), cos(2 phi) finite; Simpson's weight at +-pi/2 times f(+-inf) is added below
        {
            double phi = lo + i * h;
            double w = (i % 2 == 1 ? 4 : 2) * h / 3;
            double fz = f(x0 + g * Math.Tan(phi));
            dx0 += w * fz * Math.Sin(2 * phi);
            dg -= w * fz * Math.Cos(2 * phi);
        }
        // The end points phi = -+pi/2: sin(2 phi) = 0, cos(2 phi) = -1, f at -+infinity (its limit, f bounded).
        double fMinus = f(-1e300), fPlus = f(1e300);
        dg -= h / 3 * (fMinus * -1 + fPlus * -1);
        return (dx0 / (Math.PI * g), dg / (Math.PI * g));
    }

    /// <summary>
    /// Stable: E[f(z)] = (1/2pi) INT fhat(w) phi(w) dw (Parseval; fhat(w) = INT f(z) e^{-iwz} dz, phi the cf), with f even and
    /// phi(w) = exp(i x0 w - (sigma|w|)^alpha): E[f] = (1/pi) INT_0^inf fhat(w) e^{-(sigma w)^alpha} cos(x0 w) dw. Differentiating
    /// under the integral: d/dsigma brings -alpha sigma^(alpha-1) w^alpha, d/dx0 turns cos(x0 w) into -w sin(x0 w).
    /// fhat of exp(-z^2) is sqrt(pi) e^{-w^2/4}; of 1/(1 + z^2) it is pi e^{-|w|}.
    /// </summary>
    private static (double X0, double Sigma) StableQuadrature(double x0, double sigma, double alpha, string f)
    {
        Func<double, double> fhat = f == "exp(-z^2)" ? w => Math.Sqrt(Math.PI) * Math.Exp(-w * w / 4) : w => Math.PI * Math.Exp(-w);
        const int n = 1_200_000; // even
        const double hi = 80;
        double h = hi / n, dx0 = 0, ds = 0;
        for (int i = 0; i <= n; i++)
        {
            double w = i * h;
            double weight = (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * h / 3;
            double common = fhat(w) * Math.Exp(-Math.Pow(sigma * w, alpha));
            dx0 += weight * common * -w * Math.Sin(x0 * w);
            ds += weight * common * -alpha * Math.Pow(sigma, alpha - 1) * Math.Pow(w, alpha) * Math.Cos(x0 * w);
        }
        return (dx0 / Math.PI, ds / Math.PI);
    }

    public static TheoryData<double, double, string> CauchyCases()
    {
        var data = new TheoryData<double, double, string>();
        foreach (var (x0, g) in new[] { (0.3, 0.5), (0.3, 2.0) })
            foreach (var f in new[] { "1/(1 + z^2)", "tanh(z)", "exp(-z^2)" })
                data.Add(x0, g, f);
        return data;
    }

    [Theory]
    [MemberData(nameof(CauchyCases))]
    public void Cauchy_generator_rule_agrees_with_quadrature(double x0, double g, string f)
    {
        var rule = Rule.From(SeriesCompiler.Generated.CauchyRule.Instance);
        var (rx0, rg) = CauchyQuadrature(x0, g, Functions[f]);
        Check("cauchy", rule, [x0, g], [rx0, rg], f, withScore: true);
    }

    public static TheoryData<double, double, string> StableCases()
    {
        var data = new TheoryData<double, double, string>();
        foreach (var (x0, sigma) in new[] { (0.2, 0.5), (0.2, 1.5) })
            foreach (var f in new[] { "1/(1 + z^2)", "exp(-z^2)" })
                data.Add(x0, sigma, f);
        return data;
    }

    [Theory]
    [MemberData(nameof(StableCases))]
    public void Stable_generator_rule_agrees_with_quadrature(double x0, double sigma, string f)
    {
        var rule = Rule.From(SeriesCompiler.Generated.StableRule.Instance);
        var (rx0, rs) = StableQuadrature(x0, sigma, 1.5, f);
        Check("stable(1.5)", rule, [x0, sigma], [rx0, rs], f, withScore: false);
    }

    private void Check(string law, Rule rule, double[] theta, double[] exact, string f, bool withScore)
    {
        var objective = ObjectiveParser.Parse(f, new ObjectiveShape(1, false));
        var generator = new ResummedEstimator(rule);
        Assert.Null(generator.WhyNotApplicable(objective));
        const int samples = 100_000;
        var estimates = new List<(string Name, GradientEstimate E)>
        {
            ("generator", generator.Estimate(theta, objective, samples, seed: 31)),
            ("pathwise", new PathwiseEstimator(rule).Estimate(theta, objective, samples, seed: 32)),
        };
        if (withScore) estimates.Add(("score", new ScoreFunctionEstimator(rule).Estimate(theta, objective, samples, seed: 33)));
        for (int p = 0; p < 2; p++)
        {
            foreach (var (name, e) in estimates)
                Assert.True(Math.Abs(e.Gradient[p] - exact[p]) <= 5 * e.StandardError[p],
                    $"{law} {name} parameter {p} at ({theta[0]}, {theta[1]}), f = {f}: {e.Gradient[p]} +- {e.StandardError[p]}, quadrature {exact[p]}");
            // Variance per sample: S * stderr^2.
            string variances = string.Join(", ", estimates.Select(x => $"{x.Name} {samples * Math.Pow(x.E.StandardError[p], 2):G3}"));
            output.WriteLine($"VARIANCE {law} ({theta[0]}, {theta[1]}) p{p} f = {f}: quadrature {exact[p]:G6}, generator {estimates[0].E.Gradient[p]:G6} +- {estimates[0].E.StandardError[p]:G2}; per-sample variance {variances}");
        }
    }

    /// <summary>
    /// The estimate also holds through the blocked core with several threads and a session (the same numbers for every
    /// block size and thread count), and the two paths agree within standard errors.
    /// </summary>
    [Fact]
    public void Blocked_and_threaded_runs_give_the_same_numbers()
    {
        var rule = Rule.From(SeriesCompiler.Generated.StableRule.Instance);
        var objective = ObjectiveParser.Parse("exp(-z^2)", new ObjectiveShape(1, false));
        var estimator = new ResummedEstimator(rule);
        var a = estimator.Estimate([0.2, 0.8], objective, 20_000, 5, 1, new EstimateOptions { BlockSize = 64, Threads = 1 });
        var b = estimator.Estimate([0.2, 0.8], objective, 20_000, 5, 1, new EstimateOptions { BlockSize = 512, Threads = 3 });
        Assert.Equal(a.Gradient.ToArray(), b.Gradient.ToArray());
        Assert.Equal(a.StandardError.ToArray(), b.StandardError.ToArray());
        var (rx0, rs) = StableQuadrature(0.2, 0.8, 1.5, "exp(-z^2)");
        Assert.True(Math.Abs(a.Gradient[0] - rx0) <= 5 * a.StandardError[0], $"{a.Gradient[0]} +- {a.StandardError[0]} vs {rx0}");
        Assert.True(Math.Abs(a.Gradient[1] - rs) <= 5 * a.StandardError[1], $"{a.Gradient[1]} +- {a.StandardError[1]} vs {rs}");
    }

    /// <summary>The Fourier series does not exist for a law with a stable part: refused with the reason, not a wrong number.</summary>
    [Fact]
    public void Fourier_series_is_refused_with_the_reason()
    {
        var rule = Rule.From(SeriesCompiler.Generated.CauchyRule.Instance);
        var objective = ObjectiveParser.Parse("tanh(z)", new ObjectiveShape(1, false));
        string? why = new FourierEstimator(rule, order: 4).WhyNotApplicable(objective);
        Assert.NotNull(why);
        Assert.Contains("no Taylor series", why);
        Assert.Throws<EstimatorNotApplicableException>(() => new FourierEstimator(rule, order: 4).Estimate([0.0, 1.0], objective, 100, seed: 1));
    }
}
