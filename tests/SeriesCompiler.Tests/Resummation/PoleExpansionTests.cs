using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Special;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Symbolic.Series;
using Xunit;

namespace SeriesCompiler.Tests.Resummation;

/// <summary>
/// Issue 16, item 2: the pole table and the rules it gives. Each entry is checked exactly (its mixture's moment series
/// against the series engine's Taylor expansion of the function, to order 10) and numerically (its sum over poles,
/// summed term by term, against the function's value, including outside the Taylor series' radius).
/// </summary>
public sealed class PoleExpansionTests
{
    private static readonly Symbol X = CumulantSeries.T;

    private static Workspace Bundled() =>
        Workspace.Create(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "distributions"), "*.dist").Select(f => SourceText.FromFile(f)));

    private static ResummationOutcome Outcome(Workspace ws, string distribution, string parameter)
    {
        var (rule, diagnostics) = ws.Derive(ws.Find(distribution)!, 8);
        Assert.True(rule is not null, string.Join("\n", diagnostics));
        return rule!.Resummation.Single(o => o.Parameter == parameter);
    }

    // x^Lead F(x), built from the language's functions (the engine expands these independently of the table).
    public static TheoryData<string> Entries => new() { "digamma", "polygamma1", "polygamma2", "cot", "tan", "csc" };

    // Function is x^Lead F(x) as an expression; Value is F(x) in doubles.
    private static (PoleExpansion Entry, Expr Function, Func<double, double> Value) Entry(string name) => name switch
    {
        "digamma" => (PoleExpansions.Digamma, Ex.Digamma(Ex.Add(Ex.One, X)), x => SpecialFunctions.Digamma(1 + x)),
        "polygamma1" => (PoleExpansions.Polygamma(1), Ex.Polygamma(1, Ex.Add(Ex.One, X)), x => SpecialFunctions.Polygamma(1, 1 + x)),
        "polygamma2" => (PoleExpansions.Polygamma(2), Ex.Polygamma(2, Ex.Add(Ex.One, X)), x => SpecialFunctions.Polygamma(2, 1 + x)),
        "cot" => (PoleExpansions.Cot, Ex.Div(Ex.Mul(X, Ex.Cos(X)), Ex.Sin(X)), x => 1 / Math.Tan(x)),
        "tan" => (PoleExpansions.Tan, Ex.Tan(X), Math.Tan),
        "csc" => (PoleExpansions.Csc, Ex.Div(X, Ex.Sin(X)), x => 1 / Math.Sin(x)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static Expr Rebuilt(PoleExpansion e) =>
        Ex.Add([e.Constant, .. e.Components.Select(k =>
            Ex.Mul(k.Weight, Ex.Pow(X, k.Power), new PoleMixtureLaw(k.Scale, k.Kernel, k.Shape, k.ZetaPower, k.OddOnly).Mgf(X)))]);

    [Theory]
    [MemberData(nameof(Entries))]
    public void Each_entry_matches_the_taylor_series_exactly_to_order_10(string name)
    {
        var (entry, function, _) = Entry(name);
        var difference = new SeriesExpander(X).Expand(Ex.Sub(Rebuilt(entry), function), 10).CancelDenominators();
        for (int n = 0; n <= 10; n++) Assert.True(difference.IsZeroAt(n), $"{name}: t^{n} differs: {difference[n]}");
    }

    [Fact]
    public void A_wrong_weight_is_caught_by_the_exact_check()
    {
        // cot with the weight of its pole sum doubled: the series differ from t^2 on.
        var wrong = PoleExpansions.Cot with { Components = [PoleExpansions.Cot.Components[0] with { Weight = Ex.Mul(Ex.Num(2), PoleExpansions.Cot.Components[0].Weight) }] };
        var difference = new SeriesExpander(X).Expand(Ex.Sub(Rebuilt(wrong), Entry("cot").Function), 10).CancelDenominators();
        Assert.False(difference.IsZeroAt(2));
    }

    /// <summary>
    /// The sum over poles itself, term by term (k up to 2 million, the tail bounded by the next integral), against the
    /// function's value: also outside the Taylor radius (tan's is pi/2, digamma(1 + x)'s is 1), where the mixture
    /// still holds though the series diverges.
    /// </summary>
    [Theory]
    [MemberData(nameof(Entries))]
    public void Each_entry_sums_over_its_poles_to_the_function(string name)
    {
        var (entry, _, value) = Entry(name);
        foreach (double x in name is "cot" or "csc" ? new[] { 0.4, -1.3, 2.9 } : name == "tan" ? [0.4, -1.3, 2.5] : [0.4, -0.8, 2.5])
        {
            double sum = ConstantValue(entry.Constant);
            foreach (var k in entry.Components)
            {
                double weight = Value(k.Weight), scale = Value(k.Scale), normaliser = 0, terms = 0;
                for (int i = 1; i <= 2_000_000; i++)
                {
                    if (k.OddOnly && i % 2 == 0) continue;
                    double w = Math.Pow(i, -k.ZetaPower), s = x * scale / i;
                    // The kernel's MGF at s: (1 - s)^-shape (Gamma) or 1/(1 - s^2) (Laplace).
                    double mgf = k.Kernel == PoleKernel.Laplace ? 1 / (1 - s * s) : Math.Pow(1 - s, -k.Shape);
                    normaliser += w;
                    terms += w * mgf;
                }
                // The normaliser is summed over the same k, so the truncation error is that of the tails, ~ 1/2e6 relative.
                sum += weight * Math.Pow(x, k.Power) * terms / normaliser;
            }
            double expected = value(x) * Math.Pow(x, entry.Lead);
            Assert.True(Math.Abs(sum - expected) < 2e-5 * (1 + Math.Abs(expected)), $"{name} at x = {x}: pole sum {sum}, function {expected}");
        }
    }

    private static double Value(Expr e) => ExprEvaluator.Evaluate(e, new Dictionary<Symbol, double>());
    private static double ConstantValue(Expr e) => e.IsZero ? 0 : Value(e);

    [Theory]
    [InlineData("Gumbel", "mu", "1 * E[f'(z)]")]
    [InlineData("Gumbel", "beta", "euler_gamma * E[f'(z)] + beta*pi^2/6 * E[f''(z + (beta)*Exp(1)/K, K ~ Zeta(2))]")]
    [InlineData("Logistic", "mu", "1 * E[f'(z)]")]
    [InlineData("Logistic", "s", "s*pi^2/3 * E[f''(z + (s)*Laplace(0,1)/K, K ~ Zeta(2))]")]
    public void Gumbel_and_logistic_get_exact_rules(string distribution, string parameter, string expected)
    {
        var o = Outcome(Bundled(), distribution, parameter);
        Assert.NotNull(o.Rule);
        Assert.Equal(expected, o.Rule!.ToString());
    }

    /// <summary>The same rules whatever the way the law is written: Gumbel as a cgf, Logistic as a cf with the quotient inverted.</summary>
    [Theory]
    [InlineData("distribution G(mu, beta > 0) {\n support real\n cgf(t) = mu*t + lgamma(1 - beta*t)\n}\n", "beta", "euler_gamma * E[f'(z)] + beta*pi^2/6 * E[f''(z + (beta)*Exp(1)/K, K ~ Zeta(2))]")]
    [InlineData("distribution L(mu, s > 0) {\n support real\n cf(w) = exp(i*mu*w) / (sinh(pi*s*w)/(pi*s*w))\n}\n", "s", "s*pi^2/3 * E[f''(z + (s)*Laplace(0,1)/K, K ~ Zeta(2))]")]
    // The hyperbolic secant law with scale s: cf = sech(pi s w/2), K = -log cos(pi s t/2), dK/ds = (pi t/2) tan(pi s t/2):
    // tan's odd-pole mixture, dL/ds = (pi^2 s/4) E[f''(z + s L/J)], J odd with P(J = j) = 8/(pi^2 j^2).
    [InlineData("distribution H(s > 0) {\n support real\n cf(w) = 1/cosh(pi*s*w/2)\n}\n", "s", "s*pi^2/4 * E[f''(z + (s)*Laplace(0,1)/K, K odd, P(K=k) ~ k^-2)]")]
    public void Other_forms_reach_the_pole_table(string source, string parameter, string expected)
    {
        var ws = Workspace.Create([new SourceText("inline.dist", source)]);
        var name = source.Split(' ', '(')[1];
        var o = Outcome(ws, name, parameter);
        Assert.True(o.Rule is not null, o.Reason);
        Assert.Equal(expected, o.Rule!.ToString());
    }

    /// <summary>
    /// polygamma(1) through a declaration: K = digamma(1 - b t) - digamma(1) gives dK/db = -t psi'(1 - b t)
    /// = -(pi^2/6) t E[(1 - b t/K)^-2], K ~ Zeta(2): a Gamma(2) kernel; the rule compiles and samples.
    /// </summary>
    [Fact]
    public void Polygamma_of_order_one_gets_a_gamma_kernel()
    {
        var ws = Workspace.Create([new SourceText("inline.dist", "distribution P(b > 0) {\n support real\n cgf(t) = digamma(1 - b*t) - digamma(1)\n}\n")]);
        var o = Outcome(ws, "P", "b");
        Assert.True(o.Rule is not null, o.Reason);
        var term = Assert.Single(o.Rule!.Terms);
        Assert.Equal(1, term.Derivative);
        var law = Assert.IsType<PoleMixtureLaw>(term.Law);
        Assert.Equal(("b", PoleKernel.Gamma, 2, 2, false), (law.Scale.ToString(), law.Kernel, law.Shape, law.ZetaPower, law.OddOnly));
        Assert.Equal(-Math.PI * Math.PI / 6, ExprEvaluator.Evaluate(term.Coefficient, new Dictionary<Symbol, double>()), 14);

        // The emitted sampler of U = b G/K, G ~ Gamma(2): its mean is b E[G] E[1/K] = 2 b zeta(3)/zeta(2).
        var rule = (SeriesCompiler.Runtime.Rules.IResummedRule)Rules.FromWorkspace(ws, ws.Find("P")!, 8).Direct!;
        var random = new SeriesCompiler.Runtime.Sampling.RandomSource(5);
        double[] theta = [0.8];
        const int n = 200_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            double u = rule.SampleShift(theta, 0, 0, random);
            sum += u; sumSq += u * u;
        }
        double mean = sum / n, se = Math.Sqrt((sumSq / n - mean * mean) / n);
        double expected = 2 * 0.8 * 1.2020569031595942 * 6 / (Math.PI * Math.PI);
        Assert.True(Math.Abs(mean - expected) <= 5 * se, $"E[U] = {mean} +- {se}, expected {expected}");
        Assert.Equal(-Math.PI * Math.PI / 6, rule.TermCoefficient(theta, 0, 0), 14);
    }

    [Fact]
    public void Hyperbolic_poles_are_refused_with_the_reason()
    {
        // cf = cos(s w): K = log cosh(s t), dK/ds = t tanh(s t), whose poles lie at imaginary t.
        var ws = Workspace.Create([new SourceText("inline.dist", "distribution C(s > 0) {\n support real\n cf(w) = cos(s*w)\n}\n")]);
        var o = Outcome(ws, "C", "s");
        Assert.Null(o.Rule);
        Assert.Contains("imaginary t axis", o.Reason);
    }
}
