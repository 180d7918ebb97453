using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using Xunit;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// Every bundled distribution, compiled in memory from its declaration, with every estimator that applies, at fixed
/// seeds, against gradients of E[f] derived by hand (closed forms of the moments). Tolerance: 5 standard errors.
/// </summary>
public sealed class ClosedFormTests
{
    public sealed record Case(string Distribution, double[] Theta, string F, double[] Gradient, string[] Estimators, int Samples = 20_000)
    {
        public override string ToString() => $"{Distribution} f = {F}";
    }

    private const string All = "fourier score pathwise";

    public static TheoryData<Case> Cases =>
    [
        // E[(z - 0.49)^2] = k mu^2 + (k mu - 0.49)^2 (the conformance problem).
        new("gamma", [2.5, 0.7], "(z - 0.49)^2", [0.7 * 0.7 + 2 * 0.7 * (2.5 * 0.7 - 0.49), 2 * 2.5 * 0.7 + 2 * 2.5 * (2.5 * 0.7 - 0.49)], All.Split(' ')),
        // E[exp(-z)] = (1 + mu)^-k.
        new("gamma", [2.5, 0.7], "exp(-z)", [-Math.Log(1.7) * Math.Pow(1.7, -2.5), -2.5 * Math.Pow(1.7, -3.5)], All.Split(' ')),
        // E[z^3] = mu^3 + 3 mu sigma^2.
        new("normal", [0.5, 1.2], "z^3", [3 * 0.25 + 3 * 1.44, 6 * 0.5 * 1.2], All.Split(' ')),
        // E[z^2] = mu^2 + 2 b^2; E[exp(-z)] = e^-mu / (1 - b^2) (b < 1/2 keeps the score function's variance finite).
        new("laplace", [0.3, 0.8], "z^2", [0.6, 3.2], All.Split(' ')),
        new("laplace", [0.3, 0.4], "exp(-z)", [-Math.Exp(-0.3) / (1 - 0.16), Math.Exp(-0.3) * 0.8 / ((1 - 0.16) * (1 - 0.16))], All.Split(' ')),
        // E[z^2] = 2 mu^2; E[exp(-z)] = 1 / (1 + mu).
        new("exponential", [0.8], "z^2", [3.2], All.Split(' ')),
        new("exponential", [0.8], "exp(-z)", [-1 / (1.8 * 1.8)], All.Split(' ')),
        // E[z^2] = 2 nu + nu^2.
        new("chisquared", [3.0], "z^2", [2 + 6.0], All.Split(' ')),
        // E[z^2] = n (n + 1) mu^2 (n fixed).
        new("erlang", [3, 0.5], "z^2", [2 * 0.5 * 12], All.Split(' ')),
        // E[z^2] = mu^2 + pi^2 s^2 / 3.
        new("logistic", [0.4, 0.6], "z^2", [0.8, 2 * Math.PI * Math.PI * 0.6 / 3], All.Split(' ')),
        // E[z^2] = a^2 + a w + w^2/3 (no logpdf: no score function).
        new("uniform", [0.5, 2.0], "z^2", [1 + 2.0, 0.5 + 4.0 / 3], ["fourier", "pathwise"]),
        // d/da a^3 = 3 a^2: ordinary backpropagation.
        new("dirac", [1.5], "z^3", [3 * 2.25], ["fourier", "pathwise"]),
        // E[z^2] = lambda + lambda^2.
        new("poisson", [2.0], "z^2", [5.0], ["fourier", "score"]),
        // E[z] = r p / (1 - p).
        new("negativebinomial", [3.0, 0.4], "z", [0.4 / 0.6, 3.0 / 0.36], ["fourier", "score"]),
        // E[z^2 + 3z] = 4p.
        new("bernoulli", [0.3], "z^2 + 3*z", [4.0], ["fourier", "score"]),
        // E[z^2] = n p (1 - p) + n^2 p^2.
        new("binomial", [5, 0.3], "z^2", [5 * 0.4 + 2 * 25 * 0.3], ["fourier", "score"]),
        // E[z^2] = p1 + 4 p2.
        new("categorical", [0.2, 0.5], "z^2", [1.0, 4.0], ["fourier", "score"]),
        // E[z1 z2] = m1 m2 + rho s1 s2 (no logpdf).
        new("bivariatenormal", [0.5, -1.0, 1.5, 0.7, 0.3], "z1*z2", [-1.0, 0.5, 0.3 * 0.7, 0.3 * 1.5, 1.5 * 0.7], ["fourier", "pathwise"]),
        // E[z] = alpha / (alpha + beta); E[z^2] = alpha (alpha + 1) / ((alpha + beta)(alpha + beta + 1)).
        new("beta", [40.0, 60.0], "z", [60.0 / 10_000, -40.0 / 10_000], All.Split(' '), 10_000),
        new("beta", [40.0, 60.0], "z^2", BetaSecondMoment(40, 60), All.Split(' '), 10_000),
        // E[z_0^2] = a0 (a0 + 1) / (A (A + 1)), A = sum of the alphas.
        new("dirichlet", [20.0, 30.0, 50.0], "z[0]^2", DirichletSecondMoment([20, 30, 50]), All.Split(' '), 10_000),
    ];

    private static double[] BetaSecondMoment(double a, double b)
    {
        double s = a + b, den = s * (s + 1), num = a * (a + 1);
        double dDen = 2 * s + 1; // d den / da = d den / db
        return [((2 * a + 1) * den - num * dDen) / (den * den), -num * dDen / (den * den)];
    }

    private static double[] DirichletSecondMoment(double[] alpha)
    {
        double s = alpha.Sum(), den = s * (s + 1), num = alpha[0] * (alpha[0] + 1), dDen = 2 * s + 1;
        return [.. alpha.Select((_, j) => ((j == 0 ? (2 * alpha[0] + 1) * den : 0) - num * dDen) / (den * den))];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_estimator_that_applies_finds_the_exact_gradient(Case c)
    {
        var rule = Rules.Load(c.Distribution);
        var f = ObjectiveParser.Parse(c.F, ObjectiveShape.For(rule, c.Theta));
        var estimators = new GradientEstimator[] { new FourierEstimator(rule), new ScoreFunctionEstimator(rule), new PathwiseEstimator(rule) };
        foreach (var estimator in estimators)
        {
            bool expected = c.Estimators.Contains(estimator.Name);
            Assert.True(expected == (estimator.WhyNotApplicable(f) is null),
                $"{estimator.Name} on {c.Distribution}: {estimator.WhyNotApplicable(f) ?? "applies"}");
            if (!expected) continue;
            var e = estimator.Estimate(c.Theta, f, c.Samples, seed: 2024);
            Assert.Equal(c.Gradient.Length, e.Gradient.Length);
            for (int p = 0; p < c.Gradient.Length; p++)
            {
                double error = Math.Abs(e.Gradient[p] - c.Gradient[p]);
                Assert.True(error <= 5 * e.StandardError[p] + 1e-9 * Math.Max(1, Math.Abs(c.Gradient[p])),
                    $"{c}: {e.Estimator} ({e.Method}) {e.Name(p)} = {e.Gradient[p]:R} ± {e.StandardError[p]:R}, exact {c.Gradient[p]:R}");
            }
        }
    }
}
