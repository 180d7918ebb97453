using SeriesCompiler.Symbolic.Objectives;
using System.Numerics;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Special;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Symbolic.Series;
using Xunit;
using Xunit.Abstractions;

namespace SeriesCompiler.Tests.Resummation;

/// <summary>
/// Issue 16, item 3: the compound Poisson law with exponential jumps (a random sum, <c>gamma(poisson(lambda))/beta</c>)
/// and the variance gamma (a bilateral gamma, its MGF written as the power of one quadratic) get exact rules for every
/// parameter. Each rule is checked exactly against the truncated series to order 10 through moments written here from
/// the laws' closed forms, and each estimate against quadrature of f against the derivative of the density (not from any
/// rule), for f = log(1 + exp(z)) and f = log(1 + z^2) at two parameter values, within 5 standard errors, with
/// pathwise and score estimators beside it (the README quotes the variance ratios printed here).
/// </summary>
public sealed class CompoundAndBilateralTests(ITestOutputHelper output)
{
    private static readonly object Gate = new();

    private static RuleModel Model(string name, int order)
    {
        lock (Gate)
        {
            var ws = Workspace.Create(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "distributions"), "*.dist").Select(f => SourceText.FromFile(f)));
            var (rule, diagnostics) = ws.Derive(ws.Find(name)!, order);
            Assert.True(diagnostics.All(d => !d.IsError), string.Join("\n", diagnostics));
            return rule!;
        }
    }

    [Theory]
    [InlineData("CompoundPoisson", "lambda", "1 * E[f(z + (1/beta)*Exp(1)) - f(z)]")]
    [InlineData("CompoundPoisson", "beta", "-lambda/beta^2 * E[f'(z + (1/beta)*Gamma(2))]")]
    [InlineData("VarianceGamma", "m", "b1 * E[f'(z + (b1)*U(0,1)*Exp(1))] + -b2 * E[f'(z + (-b2)*U(0,1)*Exp(1))]")]
    [InlineData("VarianceGamma", "b1", "m * E[f'(z + (b1)*Exp(1))]")]
    [InlineData("VarianceGamma", "b2", "-m * E[f'(z + (-b2)*Exp(1))]")]
    public void The_new_families_get_exact_rules_for_every_parameter(string distribution, string parameter, string expected)
    {
        var outcome = Model(distribution, 8).Resummation.Single(o => o.Parameter == parameter);
        Assert.True(outcome.Rule is not null, outcome.Reason);
        Assert.Equal(expected, outcome.Rule!.ToString());
    }

    /// <summary>
    /// sum over terms C t^j E[e^{tU}] has t^n coefficient sum C E[U^(n-j)]/(n-j)!, which must be a_{n,p} = d c_n/d theta_p
    /// from the series engine, for n = 0..10, as exact expressions. The moments come from the laws' definitions:
    /// E[(s G)^k] = s^k a (a+1)...(a+k-1) for G ~ Gamma(a), E[(s V E)^k] = s^k k!/(k+1) for V ~ U(0,1), E ~ Exp(1).
    /// </summary>
    [Theory]
    [InlineData("CompoundPoisson")]
    [InlineData("VarianceGamma")]
    public void Every_new_rule_equals_the_truncated_series_to_order_10(string distribution)
    {
        const int order = 10;
        var model = Model(distribution, order);
        for (int p = 0; p < model.Resummation.Length; p++)
        {
            var rule = model.Resummation[p].Rule;
            Assert.NotNull(rule);
            for (int n = 0; n <= order; n++)
            {
                var expected = n == 0 ? Ex.Zero : model.Coefficients.Single(c => c.Index[0] == n).Derivatives[p];
                var terms = new List<Expr>();
                foreach (var term in rule!.Terms.Where(t => t.Derivative <= n))
                {
                    int k = n - term.Derivative;
                    terms.Add(Ex.Mul(term.Coefficient, Moment(term.Law, k), Ex.Num(new Rational(BigInteger.One, Factorial(k)))));
                }
                var actual = Ex.Add(terms.ToArray());
                Assert.True(Same(expected, actual), $"{distribution} d/d{model.Resummation[p].Parameter} at t^{n}: rule {actual}, series {expected}");
            }
        }
    }

    private static BigInteger Factorial(int k) => Enumerable.Range(1, k).Aggregate(BigInteger.One, (a, i) => a * i);

    private static Expr Moment(AuxiliaryLaw law, int k) => law switch
    {
        ZeroLaw => k == 0 ? Ex.One : Ex.Zero,
        GammaLaw g => Ex.Mul(Ex.Pow(g.Scale, k), Ex.Mul(Enumerable.Range(0, k).Select(i => Ex.Add(g.Shape, Ex.Num(i))).Prepend(Ex.One).ToArray())),
        UniformExponentialLaw u => Ex.Mul(Ex.Pow(u.Scale, k), Ex.Num(new Rational(Factorial(k), k + 1))),
        // E[(X + Y)^k] = sum_i C(k, i) E[X^i] E[Y^(k-i)] for independent parts.
        SumLaw { Parts: [var x, .. var rest] } => rest.Length == 0 ? Moment(x, k)
            : Ex.Add(Enumerable.Range(0, k + 1).Select(i => Ex.Mul(Ex.Num(new Rational(Factorial(k), Factorial(i) * Factorial(k - i))),
                Moment(x, i), Moment(rest.Length == 1 ? rest[0] : new SumLaw([.. rest]), k - i))).ToArray()),
        _ => throw new InvalidOperationException($"no moments written for {law}"),
    };

    private static bool Same(Expr a, Expr b) =>
        a.Equals(b) || TruncatedSeries.Constant(Ex.Sub(a, b), 0).CancelDenominators().IsZeroAt(0);

    [Fact]
    public void Quadratics_factor_only_with_an_exact_square_root_of_the_discriminant()
    {
        var (a, b, c) = (Ex.Sym("a"), Ex.Sym("b"), Ex.Sym("c"));
        var square = Ex.Add(a, Ex.Mul(Ex.Num(2), b), Ex.Neg(c));
        Assert.True(PolynomialFactors.TrySquareRoot(Ex.Mul(square, square), out var root));
        Assert.True(Same(Ex.Mul(root, root), Ex.Mul(square, square)));
        Assert.True(Same(root, square) || Same(root, Ex.Neg(square)));
        Assert.False(PolynomialFactors.TrySquareRoot(Ex.Add(Ex.Mul(a, a), Ex.Mul(b, b)), out _));
        Assert.False(PolynomialFactors.TrySquareRoot(Ex.Add(Ex.Mul(a, a), Ex.Num(2)), out _));
        // 1 - (b1 - b2) t - b1 b2 t^2 = (1 - b1 t)(1 + b2 t): roots b1 and -b2.
        var t = CumulantSeries.T;
        var (b1, b2) = (Ex.Sym("b1"), Ex.Sym("b2"));
        var quadratic = Ex.Add(Ex.One, Ex.Neg(Ex.Mul(Ex.Sub(b1, b2), t)), Ex.Neg(Ex.Mul(b1, b2, t, t)));
        Assert.True(PolynomialFactors.TryLinearFactors(quadratic, t, out var c0, out var l1, out var l2));
        Assert.True(c0.IsOne);
        Assert.True((Same(l1, b1) && Same(l2, Ex.Neg(b2))) || (Same(l2, b1) && Same(l1, Ex.Neg(b2))), $"{l1}, {l2}");
        // 1 + b^2 t^2 has complex roots: not factored.
        Assert.False(PolynomialFactors.TryLinearFactors(Ex.Add(Ex.One, Ex.Mul(b, b, t, t)), t, out _, out _, out _));
    }

    [Fact]
    public void A_random_sum_of_no_jumps_is_zero_and_other_shapes_draw_as_the_gamma_sampler()
    {
        var random = new RandomSource(5);
        Assert.Equal(0.0, RandomSums.Gamma(random, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomSums.Gamma(random, -1));
        var (x, y) = (new RandomSource(9), new RandomSource(9));
        for (int i = 0; i < 100; i++) Assert.Equal(x.Gamma(0.3 + i), RandomSums.Gamma(y, 0.3 + i));
    }

    // ---- statistics against quadrature ----------------------------------------------------------------

    private static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static (Func<double, double> F, Func<double, double> Df) Objective(string f) => f == "log(1 + z^2)"
        ? (z => Math.Log(1 + z * z), z => 2 * z / (1 + z * z))
        : (Softplus, Sigmoid);

    private static double Simpson(int i, int n, double h) => (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * h / 3;

    /// <summary>
    /// z = 0 with probability e^-lambda, else z | N = n ~ Gamma(n, rate beta): the density of the continuous part is
    /// q(z) = sum_n P(n) p_n(z) with P(n) p_n(z) = e^-lambda lambda^n/n! beta^n z^(n-1) e^(-beta z)/(n-1)!. Differentiating
    /// under the integral: d/dlambda gives (n/lambda - 1) per term and -e^-lambda f(0) from the atom, d/dbeta gives
    /// (n/beta - z) per term. Composite Simpson on [0, (60 + 4 lambda)/beta].
    /// </summary>
    private static (double Lambda, double Beta) CompoundPoissonQuadrature(double lambda, double beta, Func<double, double> f)
    {
        double hi = (60 + 4 * lambda) / beta;
        const int n = 200_000;
        double h = hi / n, dLambda = -Math.Exp(-lambda) * f(0), dBeta = 0;
        for (int i = 0; i <= n; i++)
        {
            double z = i * h, term = Math.Exp(-lambda - beta * z) * lambda * beta, sl = 0, sb = 0;
            for (int k = 1; k < 4000; k++)
            {
                sl += term * (k / lambda - 1);
                sb += term * (k / beta - z);
                double next = term * lambda * beta * z / (k * (k + 1.0));
                if (k > 3 && next < 1e-18 * Math.Abs(term) + 1e-300) break;
                term = next;
            }
            double w = Simpson(i, n, h) * f(z);
            dLambda += w * sl;
            dBeta += w * sb;
        }
        return (dLambda, dBeta);
    }

    /// <summary>
    /// z = b1 G1 - b2 G2, G1, G2 ~ Gamma(m): d/dtheta E[f] = E[f(z) s_theta] with the scores of the gammas,
    /// s_m = log G1 + log G2 - 2 psi(m), s_b1 = (G1 - m)/b1, s_b2 = (G2 - m)/b2. Two-dimensional Simpson in g = u^2
    /// (density 2 u^(2m-1) e^(-u^2)/Gamma(m), smooth at 0 for these m), u in [0, sqrt(60)].
    /// </summary>
    private static double[] VarianceGammaQuadrature(double m, double b1, double b2, Func<double, double> f)
    {
        const int n = 1200;
        double hi = Math.Sqrt(60), h = hi / n, psi = SpecialFunctions.Digamma(m), norm = 2 / Math.Exp(SpecialFunctions.LogGamma(m));
        var g = new double[n + 1];
        var w = new double[n + 1];
        var logG = new double[n + 1];
        for (int i = 0; i <= n; i++)
        {
            double u = i * h;
            g[i] = u * u;
            w[i] = Simpson(i, n, h) * norm * Math.Pow(u, 2 * m - 1) * Math.Exp(-u * u);
            logG[i] = i == 0 ? 0 : Math.Log(g[i]); // weight 0 at u = 0 anyway
        }
        double dm = 0, db1 = 0, db2 = 0;
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++)
            {
                double wf = w[i] * w[j] * f(b1 * g[i] - b2 * g[j]);
                dm += wf * (logG[i] + logG[j] - 2 * psi);
                db1 += wf * (g[i] - m) / b1;
                db2 += wf * (g[j] - m) / b2;
            }
        return [dm, db1, db2];
    }

    /// <summary>Mean and standard error of each column of per-sample contributions.</summary>
    private static (double[] Mean, double[] Se) Moments(double[][] rows)
    {
        int d = rows[0].Length, s = rows.Length;
        var mean = new double[d];
        var se = new double[d];
        for (int k = 0; k < d; k++)
        {
            double a = rows.Average(r => r[k]);
            mean[k] = a;
            se[k] = Math.Sqrt(rows.Sum(r => (r[k] - a) * (r[k] - a)) / (s - 1) / s);
        }
        return (mean, se);
    }

    public static TheoryData<double, double, string> CompoundCases => new()
    {
        { 2.0, 1.5, "log(1 + exp(z))" }, { 0.6, 0.8, "log(1 + exp(z))" },
        { 2.0, 1.5, "log(1 + z^2)" }, { 0.6, 0.8, "log(1 + z^2)" },
    };

    [Theory]
    [MemberData(nameof(CompoundCases))]
    public void Compound_poisson_rules_agree_with_quadrature(double lambda, double beta, string f)
    {
        var (fd, dfd) = Objective(f);
        var (refLambda, refBeta) = CompoundPoissonQuadrature(lambda, beta, fd);
        double[] exact = [refLambda, refBeta];
        var rule = Rules.Load("compoundpoisson");
        var objective = ObjectiveParser.Parse(f, new ObjectiveShape(1, false));
        var resummed = new ResummedEstimator(rule);
        Assert.Null(resummed.WhyNotApplicable(objective));
        const int samples = 200_000;
        var r = resummed.Estimate([lambda, beta], objective, samples, seed: 31);
        // No logpdf (the density is a series) and no pathwise for lambda (N is discrete): the baselines are written here
        // on the pair (N, z): score (N/lambda - 1, N/beta - z) and pathwise dz/dbeta = -z/beta for beta.
        var random = new RandomSource(32);
        var score = new double[samples][];
        var pathwise = new double[samples][];
        for (int s = 0; s < samples; s++)
        {
            double count = random.Poisson(lambda), z = RandomSums.Gamma(random, count) / beta, fz = fd(z);
            score[s] = [fz * (count / lambda - 1), fz * (count / beta - z)];
            pathwise[s] = [dfd(z) * -z / beta];
        }
        var (scoreMean, scoreSe) = Moments(score);
        var (pathMean, pathSe) = Moments(pathwise);
        for (int p = 0; p < 2; p++)
        {
            Assert.True(Math.Abs(r.Gradient[p] - exact[p]) <= 5 * r.StandardError[p],
                $"resummed parameter {p} at ({lambda}, {beta}), f = {f}: {r.Gradient[p]} +- {r.StandardError[p]}, quadrature {exact[p]}");
            Assert.True(Math.Abs(scoreMean[p] - exact[p]) <= 5 * scoreSe[p], $"score parameter {p}: {scoreMean[p]} +- {scoreSe[p]}, quadrature {exact[p]}");
        }
        Assert.True(Math.Abs(pathMean[0] - exact[1]) <= 5 * pathSe[0], $"pathwise beta: {pathMean[0]} +- {pathSe[0]}, quadrature {exact[1]}");
        output.WriteLine($"compoundpoisson ({lambda}, {beta}) {f}: quadrature ({exact[0]:G8}, {exact[1]:G8}); resummed ({r.Gradient[0]:G6} +- {r.StandardError[0]:G3}, " +
            $"{r.Gradient[1]:G6} +- {r.StandardError[1]:G3}); variance resummed/score lambda {Math.Pow(r.StandardError[0] / scoreSe[0], 2):G3}, " +
            $"beta {Math.Pow(r.StandardError[1] / scoreSe[1], 2):G3}; resummed/pathwise beta {Math.Pow(r.StandardError[1] / pathSe[0], 2):G3}");
    }

    public static TheoryData<double, double, double, string> VarianceGammaCases => new()
    {
        { 1.5, 0.8, 0.5, "log(1 + exp(z))" }, { 2.5, 0.4, 1.2, "log(1 + exp(z))" },
        { 1.5, 0.8, 0.5, "log(1 + z^2)" }, { 2.5, 0.4, 1.2, "log(1 + z^2)" },
    };

    [Theory]
    [MemberData(nameof(VarianceGammaCases))]
    public void Variance_gamma_rules_agree_with_quadrature(double m, double b1, double b2, string f)
    {
        var (fd, _) = Objective(f);
        var exact = VarianceGammaQuadrature(m, b1, b2, fd);
        var rule = Rules.Load("variancegamma");
        var objective = ObjectiveParser.Parse(f, new ObjectiveShape(1, false));
        var resummed = new ResummedEstimator(rule);
        Assert.Null(resummed.WhyNotApplicable(objective));
        const int samples = 200_000;
        double[] theta = [m, b1, b2];
        var r = resummed.Estimate(theta, objective, samples, seed: 41);
        var pathwise = new PathwiseEstimator(rule).Estimate(theta, objective, samples, seed: 42);
        // No logpdf (the density is a Bessel function): the score estimator is written here on the pair of gammas.
        var random = new RandomSource(43);
        double psi = SpecialFunctions.Digamma(m);
        var score = new double[samples][];
        for (int s = 0; s < samples; s++)
        {
            double g1 = random.Gamma(m), g2 = random.Gamma(m), fz = fd(b1 * g1 - b2 * g2);
            score[s] = [fz * (Math.Log(g1) + Math.Log(g2) - 2 * psi), fz * (g1 - m) / b1, fz * (g2 - m) / b2];
        }
        var (scoreMean, scoreSe) = Moments(score);
        string[] names = ["m", "b1", "b2"];
        for (int p = 0; p < 3; p++)
        {
            foreach (var (name, mean, se) in new[] { ("resummed", r.Gradient[p], r.StandardError[p]), ("pathwise", pathwise.Gradient[p], pathwise.StandardError[p]), ("score", scoreMean[p], scoreSe[p]) })
                Assert.True(Math.Abs(mean - exact[p]) <= 5 * se, $"{name} d/d{names[p]} at ({m}, {b1}, {b2}), f = {f}: {mean} +- {se}, quadrature {exact[p]}");
            output.WriteLine($"variancegamma ({m}, {b1}, {b2}) {f} {names[p]}: quadrature {exact[p]:G8}, resummed {r.Gradient[p]:G6} +- {r.StandardError[p]:G3}, " +
                $"pathwise +- {pathwise.StandardError[p]:G3}, score +- {scoreSe[p]:G3}, variance resummed/pathwise {Math.Pow(r.StandardError[p] / pathwise.StandardError[p], 2):G3}");
        }
    }

    /// <summary>The command line runs the random sum and the exact rules (the fourier default, every parameter has one).</summary>
    [Fact]
    public void Estimate_runs_the_compound_poisson_from_the_command_line()
    {
        var result = SeriesCompiler.Tests.Cli.CliHarness.Run("estimate", "compoundpoisson", "--at", "lambda=2,beta=1.5", "--f", "log(1 + z^2)", "--samples", "2000", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Gamma(2)", result.Out);
    }
}
