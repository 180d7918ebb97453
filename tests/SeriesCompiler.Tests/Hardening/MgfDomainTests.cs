using Xunit;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Series;
using SeriesCompiler.Tests.Cli;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Issue 18, item 2: the domain of the moment generating function, derived by the compiler and used by the exponential
/// shortcut. Every expected interval and gradient below is the textbook closed form, written here independently.
/// </summary>
public class MgfDomainTests
{
    private static IDistributionRule Generated(string name) => SeriesCompiler.Generated.RuleRegistry.Find(name)!;

    // The bundled families with a bounded domain: (name, theta, lower, upper) from the textbook MGFs.
    public static TheoryData<string, double[], double, double> Bounded => new()
    {
        { "Gamma", [2.5, 0.7], double.NegativeInfinity, 1 / 0.7 },           // (1 - mu t)^-k
        { "Exponential", [2.0], double.NegativeInfinity, 0.5 },               // (1 - mu t)^-1
        { "ChiSquared", [3.0], double.NegativeInfinity, 0.5 },                // (1 - 2t)^(-nu/2)
        { "Erlang", [3.0, 0.4], double.NegativeInfinity, 2.5 },               // (1 - mu t)^-n
        { "Laplace", [0.3, 3.0], -1 / 3.0, 1 / 3.0 },                         // e^(mu t) / (1 - b^2 t^2)
        { "Logistic", [0.0, 0.5], -2.0, 2.0 },                                // e^(mu t) B(1 - s t, 1 + s t)
        { "NegativeBinomial", [2.0, 0.3], double.NegativeInfinity, -Math.Log(0.3) }, // ((1 - p)/(1 - p e^t))^r
    };

    public static TheoryData<string, double[]> Entire => new()
    {
        { "Normal", [0.5, 2.0] }, { "Poisson", [3.0] }, { "Binomial", [5, 0.3] }, { "Bernoulli", [0.3] },
        { "Categorical", [0.2, 0.3] }, { "Uniform", [-1.0, 2.0] }, { "Dirac", [1.5] },
    };

    [Theory]
    [MemberData(nameof(Bounded))]
    public void Bounded_domains_match_the_textbook_mgf(string name, double[] theta, double lower, double upper)
    {
        var rule = Generated(name);
        Assert.True(rule.HasCgfDomain);
        rule.CgfDomain(theta, out double lo, out double hi);
        AssertClose(lower, lo);
        AssertClose(upper, hi);
    }

    [Theory]
    [MemberData(nameof(Entire))]
    public void Entire_domains_are_the_whole_line(string name, double[] theta)
    {
        var rule = Generated(name);
        Assert.True(rule.HasCgfDomain);
        rule.CgfDomain(theta, out double lo, out double hi);
        Assert.Equal(double.NegativeInfinity, lo);
        Assert.Equal(double.PositiveInfinity, hi);
    }

    [Theory]
    [MemberData(nameof(Bounded))]
    public void The_shortcut_refuses_tau_past_each_finite_end(string name, double[] theta, double lower, double upper)
    {
        var fourier = new FourierEstimator(Rule.From(Generated(name)));
        foreach (double end in new[] { lower, upper }.Where(double.IsFinite))
        {
            // Just past the end, and far past it where a periodic closed form is finite again.
            foreach (double tau in new[] { end * 1.0001, end * 2.5 })
            {
                var f = Objective.Exponential(tau);
                Assert.True(fourier.UsesShortcut(f));
                var ex = Assert.Throws<EstimatorNotApplicableException>(() => fourier.Estimate(theta, f, samples: 100));
                Assert.Contains(name, ex.Reason);
                Assert.Contains("is infinite", ex.Reason);
                Assert.Contains(tau.ToString("R", System.Globalization.CultureInfo.InvariantCulture), ex.Reason);
            }
            // At the end itself E[exp(tau z)] is infinite too.
            Assert.Throws<EstimatorNotApplicableException>(() => fourier.Estimate(theta, Objective.Exponential(end), samples: 100));
        }
    }

    [Fact]
    public void The_logistic_probe_of_issue_18_is_refused()
    {
        var fourier = new FourierEstimator(Rule.From(Generated("Logistic")));
        var ex = Assert.Throws<EstimatorNotApplicableException>(() => fourier.Estimate([0.0, 1.0], Objective.Exponential(2.5), samples: 100));
        Assert.Contains("(-1, 1)", ex.Reason);
        Assert.Contains("tau = 2.5", ex.Reason);
    }

    [Fact]
    public void The_cli_refuses_the_logistic_probe_and_names_the_interval()
    {
        var result = CliHarness.Run("estimate", "logistic", "--at", "mu=0,s=1", "--f", "exp(2.5*z)", "--format", "json");
        string all = result.Out + result.Err;
        Assert.Contains("is infinite for Logistic", all);
        Assert.Contains("(-1, 1)", all);
        Assert.DoesNotContain("\"exact\"", all);
        Assert.DoesNotContain("exponential shortcut\"", all);
    }

    // Inside the domain the shortcut is the closed form: dL/dtheta = d/dtheta M(tau), with M the textbook MGF.
    public static TheoryData<string, double[], double, double[]> Inside => new()
    {
        // Gamma: M = (1 - mu t)^-k; dM/dk = -log(1 - mu t) M; dM/dmu = k t/(1 - mu t) M.
        { "Gamma", [2.5, 0.7], 1.2, Gamma(2.5, 0.7, 1.2) },
        { "Gamma", [2.5, 0.7], -3.0, Gamma(2.5, 0.7, -3.0) },
        // Logistic: M = e^(mu t) pi s t / sin(pi s t); dM/dmu = t M; dM/ds = M (1/s - pi t cot(pi s t)).
        { "Logistic", [0.4, 0.5], 1.5, Logistic(0.4, 0.5, 1.5) },
        { "Logistic", [0.4, 0.5], -1.9, Logistic(0.4, 0.5, -1.9) },
        // Laplace: M = e^(mu t)/(1 - b^2 t^2); dM/dmu = t M; dM/db = 2 b t^2/(1 - b^2 t^2) M.
        { "Laplace", [0.3, 3.0], 0.3, Laplace(0.3, 3.0, 0.3) },
        // Negative binomial: M = ((1 - p)/(1 - p e^t))^r; dM/dr = log((1 - p)/(1 - p e^t)) M; dM/dp = r (e^t/(1 - p e^t) - 1/(1 - p)) M.
        { "NegativeBinomial", [2.0, 0.3], 1.0, NegativeBinomial(2.0, 0.3, 1.0) },
        // Exponential: M = 1/(1 - mu t); dM/dmu = t/(1 - mu t)^2.
        { "Exponential", [2.0], 0.45, [0.45 / Math.Pow(1 - 2.0 * 0.45, 2)] },
        // Chi-squared: M = (1 - 2t)^(-nu/2); dM/dnu = -log(1 - 2t)/2 M.
        { "ChiSquared", [3.0], 0.4, [-Math.Log(1 - 0.8) / 2 * Math.Pow(1 - 0.8, -1.5)] },
        // Erlang (n fixed): dM/dmu = n t/(1 - mu t) M.
        { "Erlang", [3.0, 0.4], 2.0, [3 * 2.0 / (1 - 0.8) * Math.Pow(1 - 0.8, -3)] },
    };

    [Theory]
    [MemberData(nameof(Inside))]
    public void Inside_the_domain_the_shortcut_gives_the_closed_form(string name, double[] theta, double tau, double[] expected)
    {
        var estimate = new FourierEstimator(Rule.From(Generated(name))).Estimate(theta, Objective.Exponential(tau), samples: 100);
        Assert.Equal("exponential shortcut", estimate.Method);
        Assert.Equal(expected.Length, estimate.Gradient.Length);
        for (int p = 0; p < expected.Length; p++)
            Assert.True(Math.Abs(estimate.Gradient[p] - expected[p]) <= 1e-9 * Math.Abs(expected[p]), $"{name} d/dtheta_{p}: {estimate.Gradient[p]} vs {expected[p]}");
    }

    private static double[] Gamma(double k, double mu, double t)
    {
        double m = Math.Pow(1 - mu * t, -k);
        return [-Math.Log(1 - mu * t) * m, k * t / (1 - mu * t) * m];
    }

    private static double[] Logistic(double mu, double s, double t)
    {
        double x = Math.PI * s * t, m = Math.Exp(mu * t) * x / Math.Sin(x);
        return [t * m, m * (1 / s - Math.PI * t * Math.Cos(x) / Math.Sin(x))];
    }

    private static double[] Laplace(double mu, double b, double t)
    {
        double m = Math.Exp(mu * t) / (1 - b * b * t * t);
        return [t * m, 2 * b * t * t / (1 - b * b * t * t) * m];
    }

    private static double[] NegativeBinomial(double r, double p, double t)
    {
        double q = 1 - p * Math.Exp(t), m = Math.Pow((1 - p) / q, r);
        return [Math.Log((1 - p) / q) * m, r * (Math.Exp(t) / q - 1 / (1 - p)) * m];
    }

    [Fact]
    public void An_undecidable_domain_is_unknown_and_the_estimate_falls_back_to_the_series()
    {
        // 1 + a t vanishes at t = -1/a, whose sign the unconstrained a does not fix.
        string path = WriteDist("distribution Shifted(a) {\n    support real\n    cgf(t) = a*t + log(1 + a*t)\n    sample = a + normal()\n}\n");
        var workspace = Workspace.Create([SourceText.FromFile(path)]);
        var (model, _) = workspace.Derive(workspace.Distributions[0], 4);
        Assert.False(model!.CgfDomain.Known);
        Assert.Contains("sign", model.CgfDomain.Reason);

        var rule = Rules.Load(path, 4);
        Assert.False(rule.Direct!.HasCgfDomain);
        Assert.Throws<NotSupportedException>(() => rule.Direct.CgfDomain([1.0], out _, out _));
        // Not exact: the shortcut is not taken, the sampled series runs instead.
        Assert.False(new FourierEstimator(rule, order: 4).UsesShortcut(Objective.Exponential(0.1)));
    }

    [Fact]
    public void A_constrained_parameter_decides_the_sign()
    {
        string path = WriteDist("distribution Shifted(a > 0) {\n    support real\n    cgf(t) = log(1 + a*t) - log(1 - a*t)\n}\n");
        var workspace = Workspace.Create([SourceText.FromFile(path)]);
        var (model, _) = workspace.Derive(workspace.Distributions[0], 2);
        Assert.True(model!.CgfDomain.Known);
        Assert.Equal("-1/a < tau < 1/a", model.CgfDomain.Describe());
    }

    // Hyperbolic secant (density sech(pi x / 2) / 2): M(t) = sec(t), finite for |t| < pi/2.
    // Gumbel(mu, beta): M(t) = Gamma(1 - beta t) e^(mu t), finite for t < 1/beta (the pole of Gamma at 0).
    [Theory]
    [InlineData("distribution Sech() {\n    support real\n    cgf(t) = -log(cos(t))\n}\n", new double[0], -Math.PI / 2, Math.PI / 2)]
    [InlineData("distribution Gumbel(mu, beta > 0) {\n    support real\n    cgf(t) = mu*t + lgamma(1 - beta*t)\n}\n", new[] { 0.3, 0.8 }, double.NegativeInfinity, 1 / 0.8)]
    public void Periodic_and_gamma_singularities_bound_the_domain(string text, double[] theta, double lower, double upper)
    {
        var workspace = Workspace.Create([new SourceText("x.dist", text)]);
        var (model, diagnostics) = workspace.Derive(workspace.Distributions[0], 2);
        Assert.True(model is not null, string.Join("\n", diagnostics));
        var domain = model.CgfDomain;
        Assert.True(domain.Known, domain.Reason);
        var values = model.Parameters.Select((p, i) => (p.Symbol, theta[i])).ToDictionary(x => x.Symbol, x => x.Item2);
        double Eval(IEnumerable<SeriesCompiler.Symbolic.Expressions.Expr> c, Func<double, double, double> pick, double none) =>
            c.Select(e => SeriesCompiler.Symbolic.Expressions.ExprEvaluator.Evaluate(e, values)).DefaultIfEmpty(none).Aggregate(pick);
        AssertClose(lower, Eval(domain.LowerCandidates, Math.Max, double.NegativeInfinity));
        AssertClose(upper, Eval(domain.UpperCandidates, Math.Min, double.PositiveInfinity));
    }

    [Fact]
    public void Categorical_without_its_joint_constraint_has_an_unknown_domain()
    {
        // p0 = 1 - p1 - p2 of either sign: p0 + p1 e^t + p2 e^(2t) may vanish on the real axis.
        string text = "distribution Cat(p1 in (0, 1), p2 in (0, 1)) {\n    support {0, 1, 2}\n    cf(w) = (1 - p1 - p2) + p1*exp(i*w) + p2*exp(2*i*w)\n}\n";
        var without = Workspace.Create([new SourceText("cat.dist", text)]);
        Assert.False(without.Derive(without.Distributions[0], 2).Rule!.CgfDomain.Known);
        var with = Workspace.Create([new SourceText("cat.dist", text.Replace("support {0, 1, 2}\n", "support {0, 1, 2}\n    constraint p1 + p2 < 1\n"))]);
        Assert.True(with.Derive(with.Distributions[0], 2).Rule!.CgfDomain.IsEntire);
    }

    private static string WriteDist(string text)
    {
        string path = Path.Combine(TempDirectory.Create(), "shifted.dist");
        File.WriteAllText(path, text);
        return path;
    }

    private static void AssertClose(double expected, double actual)
    {
        if (double.IsInfinity(expected)) Assert.Equal(expected, actual);
        else Assert.True(Math.Abs(expected - actual) <= 1e-14 * Math.Abs(expected), $"{actual} vs {expected}");
    }
}
