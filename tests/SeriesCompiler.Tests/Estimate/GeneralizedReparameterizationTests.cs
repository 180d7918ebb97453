using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// Issue 14 item 4: the generalized reparameterization gradient (G-REP, Ruiz, Titsias and Blei 2016) on Gamma(k, mu),
/// at fixed seeds, against gradients of closed forms derived by hand, within 5 standard errors.
/// </summary>
public sealed class GeneralizedReparameterizationTests
{
    private static readonly Rule Gamma = Rules.Load("gamma");
    private const double C = 0.49;

    // E[(z - c)^2] = k mu^2 + (k mu - c)^2: d/dk = mu^2 + 2 mu (k mu - c), d/dmu = 2 k mu + 2 k (k mu - c).
    private static double[] Quadratic(double k, double mu) => [mu * mu + 2 * mu * (k * mu - C), 2 * k * mu + 2 * k * (k * mu - C)];

    // E[exp(-z)] = (1 + mu)^-k: d/dk = -log(1 + mu) (1 + mu)^-k, d/dmu = -k (1 + mu)^(-k-1).
    private static double[] Exponential(double k, double mu) => [-Math.Log(1 + mu) * Math.Pow(1 + mu, -k), -k * Math.Pow(1 + mu, -k - 1)];

    public static TheoryData<string, double, double> Points => new()
    {
        { "quadratic", 2.5, 0.7 },
        { "quadratic", 0.6, 1.8 },
        { "exp", 2.5, 0.7 },
        { "exp", 0.6, 1.8 },
    };

    private static Objective F(string name) =>
        name == "quadratic" ? Objective.Sum(z => Jet.Square(z - C)) : Objective.Exponential(-1.0);

    private static double[] Exact(string name, double k, double mu) => name == "quadratic" ? Quadratic(k, mu) : Exponential(k, mu);

    private static void Within(double exact, double estimate, double standardError, string what) =>
        Assert.True(Math.Abs(estimate - exact) <= 5 * standardError, $"{what}: {estimate:R} +- {standardError:R}, exact {exact:R}");

    [Theory]
    [MemberData(nameof(Points))]
    public void Unbiased_against_the_closed_form(string f, double k, double mu)
    {
        var estimator = new GeneralizedReparameterizationEstimator(Gamma);
        Assert.Null(estimator.WhyNotApplicable(F(f)));
        var e = estimator.Estimate([k, mu], F(f), samples: 40_000, seed: 2016);
        Assert.Equal("grep", e.Estimator);
        var exact = Exact(f, k, mu);
        Assert.Equal(2, e.Gradient.Length);
        for (int p = 0; p < 2; p++)
        {
            Assert.True(e.StandardError[p] > 0 && e.StandardError[p] < 0.05 * Math.Max(0.1, Math.Abs(exact[p])),
                $"{f} at k = {k}, mu = {mu}, {e.Name(p)}: standard error {e.StandardError[p]} too large for a meaningful test");
            Within(exact[p], e.Gradient[p], e.StandardError[p], $"{f} at k = {k}, mu = {mu}, {e.Name(p)}");
        }
    }

    [Fact]
    public void The_correction_term_has_mean_zero()
    {
        // For a constant f the gradient is 0 and g_rep vanishes (f' = 0): the estimate is 3 E[u], u the k-score of eps's law.
        var f = Objective.Sum(z => z * 0.0 + 3.0);
        foreach (var (k, mu) in new[] { (0.3, 1.0), (2.5, 0.7), (40.0, 0.1) })
        {
            var e = new GeneralizedReparameterizationEstimator(Gamma).Estimate([k, mu], f, samples: 40_000, seed: 7);
            Assert.True(e.StandardError[0] > 0, $"k = {k}: the correction has no spread");
            Within(0, e.Gradient[0], e.StandardError[0], $"constant f at k = {k}, d/dk");
            Assert.Equal(0.0, e.Gradient[1]); // mu is a scale: no correction, and f' = 0
        }
    }

    [Theory]
    [InlineData("quadratic")]
    [InlineData("exp")]
    public void Independent_copies_each_find_their_gradient(string name)
    {
        // --dims style: f = sum_j f(z_j) over three copies with their own (k_j, mu_j); slot (j, p) is d/dtheta_{j,p} E f(z_j).
        double[] theta = [2.5, 0.7, 0.6, 1.8, 5.0, 0.2];
        var e = new GeneralizedReparameterizationEstimator(Gamma).Estimate(theta, F(name), samples: 40_000, seed: 99, copies: 3);
        Assert.Equal(6, e.Gradient.Length);
        for (int j = 0; j < 3; j++)
        {
            var exact = Exact(name, theta[2 * j], theta[2 * j + 1]);
            for (int p = 0; p < 2; p++)
                Within(exact[p], e.Gradient[2 * j + p], e.StandardError[2 * j + p], $"{name}, copy {j}, {e.Name(2 * j + p)}");
        }
    }

    [Fact]
    public void One_sample_estimates_average_to_the_closed_form()
    {
        // How the gamma toys train: one draw per step. Independent one-sample estimates (one seed each) average to the
        // closed form within 5 standard errors of their mean (from their own spread); one sample has no standard error.
        var estimator = new GeneralizedReparameterizationEstimator(Gamma);
        foreach (var name in new[] { "quadratic", "exp" })
        {
            var f = F(name);
            var w = new Welford(2);
            for (ulong seed = 1; seed <= 4000; seed++)
            {
                var e = estimator.Estimate([2.5, 0.7], f, samples: 1, seed: seed);
                Assert.False(e.HasStandardError);
                w.Add(e.Gradient.AsSpan());
            }
            var exact = Exact(name, 2.5, 0.7);
            for (int p = 0; p < 2; p++) Within(exact[p], w.Mean[p], w.StandardError(p), $"{name} one-sample mean, slot {p}");
        }
    }

    [Fact]
    public void Same_seed_same_numbers()
    {
        var estimator = new GeneralizedReparameterizationEstimator(Gamma);
        var a = estimator.Estimate([2.5, 0.7], F("exp"), samples: 500, seed: 5);
        var b = estimator.Estimate([2.5, 0.7], F("exp"), samples: 500, seed: 5);
        Assert.Equal(a.Gradient.ToArray(), b.Gradient.ToArray());
    }

    [Theory]
    [InlineData("normal")]
    [InlineData("exponential")]
    [InlineData("erlang")]
    [InlineData("beta")]
    public void Other_distributions_are_refused_with_a_reason(string distribution)
    {
        var rule = Rules.Load(distribution);
        var why = new GeneralizedReparameterizationEstimator(rule).WhyNotApplicable(Objective.Sum(z => Jet.Square(z)));
        Assert.NotNull(why);
        Assert.Contains("Gamma(k, mu)", why);
    }

    [Fact]
    public void A_gamma_with_a_rate_named_like_the_bundled_one_is_refused()
    {
        // Same name and parameter names, but mu is a rate: the transformation above would be wrong for it.
        string dir = Path.Combine(Path.GetTempPath(), "grep-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "gamma.dist");
            File.WriteAllText(path, """
                distribution Gamma(k > 0, mu > 0) {
                    support positive
                    logcf(w) = -k * log(1 - i*w/mu)
                    logpdf(z) = (k - 1)*log(z) - z*mu - lgamma(k) + k*log(mu)
                    sample = gamma(k) / mu
                }
                """);
            var rule = Rules.Compile(path);
            var estimator = new GeneralizedReparameterizationEstimator(rule);
            var f = Objective.Sum(z => Jet.Square(z - C));
            string why = Assert.IsType<string>(estimator.WhyNotApplicable(f));
            Assert.Contains("logpdf is not that of the gamma", why);
            var ex = Assert.Throws<EstimatorNotApplicableException>(() => estimator.Estimate([2.5, 0.7], f, samples: 10));
            Assert.Contains("grep", ex.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_parameter_out_of_bounds_names_the_parameter()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new GeneralizedReparameterizationEstimator(Gamma).Estimate([2.5, -0.7], F("exp"), samples: 10));
        Assert.Contains("mu", ex.Message);
    }
}
