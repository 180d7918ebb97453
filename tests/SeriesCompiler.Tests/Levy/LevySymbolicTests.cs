using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Levy;
using SeriesCompiler.Symbolic.Model;
using Xunit;

namespace SeriesCompiler.Tests.Levy;

/// <summary>
/// The compiler's side of the Lévy generator rules: the constant C_alpha of the Lévy density against quadrature, the
/// split of a characteristic exponent into analytic and stable parts however it is written, the rules each parameter
/// gets, and the samplers' characteristic functions.
/// </summary>
public sealed class LevySymbolicTests
{
    private static RuleModel Derive(string parameters, string characteristic)
    {
        string text = $"distribution D({parameters}) {{\n    support real\n    {characteristic}\n}}\n";
        var ws = Workspace.Create([new SourceText("d.dist", text)]);
        Assert.DoesNotContain(ws.Diagnostics, d => d.Descriptor.Severity == DiagnosticSeverity.Error);
        var (rule, diagnostics) = ws.Derive(ws.Distributions[0], 6);
        Assert.True(rule is not null, string.Join("\n", diagnostics));
        return rule!;
    }

    /// <summary>
    /// 2 INT_0^inf (1 - cos x) x^(-1-alpha) dx * C_alpha = 1 (that is, INT (1 - cos(w x)) C_alpha |x|^(-1-alpha) dx = |w|^alpha at
    /// w = 1; other w follow by scaling). The integral by quadrature: on (0, 1) with x = u^(1/(2-alpha)) (smooth integrand),
    /// beyond 1 as 1/alpha - INT_1^L cos(x) x^(-1-alpha) dx, Simpson on a fine grid, the rest beyond L bounded by 2 L^(-1-alpha).
    /// </summary>
    [Theory]
    [InlineData(1, 2)]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(7, 10)]
    [InlineData(19, 10)]
    public void Levy_constant_normalises_the_density(int numerator, int denominator)
    {
        var alpha = new Rational(numerator, denominator);
        double a = (double)numerator / denominator;
        double c = ExprEvaluator.Evaluate(LevyExponent.LevyConstant(alpha), new Dictionary<Symbol, double>());
        // Near part: INT_0^1 (1 - cos x) x^(-1-a) dx; x = u^(1/(2-a)), dx = x^(a-1) du/(2-a): integrand (1 - cos x)/x^2 /(2-a),
        // with 1 - cos x written 2 sin(x/2)^2 (no cancellation at the tiny x that u^(1/(2-a)) reaches).
        double near = Simpson(u => { double x = Math.Pow(u, 1 / (2 - a)); double half = Math.Sin(x / 2); return x == 0 ? 0.5 / (2 - a) : 2 * half * half / (x * x) / (2 - a); }, 0, 1, 20_000);
        const double l = 4000;
        double oscillating = Simpson(x => Math.Cos(x) * Math.Pow(x, -1 - a), 1, l, 4_000_000);
        double total = 2 * (near + 1 / a - oscillating);
        Assert.True(Math.Abs(c * total - 1) < 4 * Math.Pow(l, -1 - a) + 1e-6, $"alpha = {alpha}: C = {c}, C * integral = {c * total}");
    }

    private static double Simpson(Func<double, double> f, double lo, double hi, int n)
    {
        double h = (hi - lo) / n, sum = f(lo) + f(hi);
        for (int i = 1; i < n; i++) sum += (i % 2 == 1 ? 4 : 2) * f(lo + i * h);
        return sum * h / 3;
    }

    [Fact]
    public void Cauchy_location_keeps_its_exact_rule_and_the_scale_gets_the_generator_rule()
    {
        var rule = Derive("x0, g > 0", "logcf(w) = i*x0*w - g*abs(w)");
        Assert.True(rule.HasLevyPart);
        Assert.Equal("1 * E[f'(z)]", rule.Resummation[0].Rule!.ToString());
        Assert.Equal("1/pi * E[f''(z + (V1 - V2)*V3^(1))] + 2/pi * E[f(z + ±V^(-1))] + -2/pi * E[f(z)]", rule.Resummation[1].Rule!.ToString());
        // The series is the analytic part's (c_1 = x0); the stable part has none.
        Assert.Equal("x0", rule.Coefficients[0].Value.ToString());
        Assert.All(rule.Coefficients.Skip(1), c => Assert.True(c.Value.IsZero));
        Assert.Null(rule.ClosedFormCgf);
        Assert.False(rule.CgfDomain.Known);
    }

    /// <summary>The same law however its exponent is written: cf or logcf, (s|w|)^1.5 or s^1.5 |w|^1.5, terms merged.</summary>
    [Theory]
    [InlineData("cf(w) = exp(i*x0*w - (s*abs(w))^1.5)")]
    [InlineData("logcf(w) = i*x0*w - (s*abs(w))^1.5")]
    [InlineData("logcf(w) = i*x0*w - s^1.5*abs(w)^1.5")]
    [InlineData("cf(w) = exp(i*x0*w)*exp(-s^(3/2)*abs(w)^(3/2))")]
    [InlineData("logcf(w) = i*x0*w - s^1.5*abs(w)^1.5/2 - s^1.5*abs(w)^(3/2)/2")]
    [InlineData("logcf(w) = log(3*exp(i*x0*w - (s*abs((w)))^1.5)) - log(3)")]
    [InlineData("cf(w) = exp((i*x0*w - (s*abs(w))^1.5)/2)^2")]
    public void Stable_exponent_is_split_the_same_way_however_written(string characteristic)
    {
        var rule = Derive("x0, s > 0", characteristic);
        var term = Assert.Single(rule.Levy);
        Assert.Equal(new Rational(3, 2), term.Alpha);
        Assert.Equal(Ex.Pow(Ex.Sym("s", SymbolKind.Parameter), Ex.Num(new Rational(3, 2))), term.Scale);
        Assert.Equal("9*sqrt(s)/(4*sqrt(2*pi)) * E[f''(z + (V1 - V2)*V3^(2))] + 3*sqrt(s)/(2*sqrt(2*pi)) * E[f(z + ±V^(-2/3))] + -3*sqrt(s)/(2*sqrt(2*pi)) * E[f(z)]",
            rule.Resummation[1].Rule!.ToString());
    }

    /// <summary>
    /// levy(x) = DENSITY declares the stable part by its Lévy density: g/(pi x^2) is Cauchy's (C_1 = 1/pi, so c = g), and
    /// a stable density C |x|^(-2.5) is alpha = 3/2 with c = C / C_(3/2). Both get the same rules as the abs(w) forms.
    /// </summary>
    [Fact]
    public void A_declared_Levy_density_gives_the_rule_of_its_exponent()
    {
        var byDensity = Derive("x0, g > 0", "logcf(w) = i*x0*w\n    levy(x) = g/(pi*x^2)");
        var byExponent = Derive("x0, g > 0", "logcf(w) = i*x0*w - g*abs(w)");
        var (a, b) = (Assert.Single(byExponent.Levy), Assert.Single(byDensity.Levy));
        Assert.Equal(a.Alpha, b.Alpha);
        Assert.Equal(a.Scale.ToString(), b.Scale.ToString());
        Assert.Equal(byExponent.Resummation[1].Rule!.ToString(), byDensity.Resummation[1].Rule!.ToString());

        var stable = Derive("s > 0", "logcf(w) = 0\n    levy(x) = 3*s/(4*sqrt(2*pi))*abs(x)^(-2.5)");
        var term = Assert.Single(stable.Levy);
        Assert.Equal(new Rational(3, 2), term.Alpha);
        Assert.Equal(Ex.Sym("s", SymbolKind.Parameter), term.Scale);
    }

    [Fact]
    public void A_Levy_density_without_a_generator_rule_is_refused_at_its_statement()
    {
        string text = "distribution D(g > 0) {\n    support real\n    logcf(w) = 0\n    levy(x) = g*exp(-abs(x))\n}\n";
        var ws = Workspace.Create([new SourceText("d.dist", text)]);
        Assert.DoesNotContain(ws.Diagnostics, d => d.IsError);
        var (rule, diagnostics) = ws.Derive(ws.Distributions[0], 4);
        Assert.Null(rule);
        var error = Assert.Single(diagnostics, d => d.IsError);
        Assert.Equal("SC1001", error.Descriptor.Id);
        Assert.Contains("d.dist(4,5)", error.ToString());
        Assert.Contains("has no generator rule", error.Message);
    }

    /// <summary>A Gaussian and a Cauchy part together: sigma keeps Normal's f'' rule, g gets the generator rule, added.</summary>
    [Fact]
    public void Analytic_and_stable_parts_of_one_parameter_add()
    {
        var rule = Derive("mu, s > 0", "logcf(w) = i*mu*w - s^2*w^2/2 - s*abs(w)");
        string r = rule.Resummation[1].Rule!.ToString();
        Assert.StartsWith("s * E[f''(z)] + 1/pi * E[f''(z + (V1 - V2)*V3^(1))]", r);
        Assert.Equal("s^2/2", rule.Coefficients[1].Value.ToString()); // c_2 = variance/2
    }

    /// <summary>
    /// The samplers' characteristic functions: the mean of cos(w X) over draws against exp(-|w|^alpha), within 5 standard
    /// errors, for the runtime's Chambers-Mallows-Stuck sampler and for stable.dist's sample statement (sigma = 1).
    /// </summary>
    [Theory]
    [InlineData(0.7)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(1.9)]
    public void Chambers_Mallows_Stuck_draws_have_the_stable_characteristic_function(double alpha)
    {
        var random = new RandomSource(17);
        var draws = new double[200_000];
        for (int i = 0; i < draws.Length; i++) draws[i] = StableLaw.Symmetric(random, alpha);
        CheckCf(draws, alpha);
    }

    [Fact]
    public void Stable_declaration_samples_its_own_law()
    {
        var rule = SeriesCompiler.Generated.StableRule.Instance;
        var random = new RandomSource(18);
        var draws = new double[200_000];
        var z = new double[1];
        for (int i = 0; i < draws.Length; i++) { rule.Sample([0.0, 1.0], random, z); draws[i] = z[0]; }
        CheckCf(draws, 1.5);
        var cauchy = SeriesCompiler.Generated.CauchyRule.Instance;
        for (int i = 0; i < draws.Length; i++) { cauchy.Sample([0.0, 1.0], random, z); draws[i] = z[0]; }
        CheckCf(draws, 1.0);
    }

    private static void CheckCf(double[] draws, double alpha)
    {
        foreach (double w in new[] { 0.3, 1.0, 2.5 })
        {
            double mean = 0, square = 0;
            foreach (double x in draws) { double c = Math.Cos(w * x); mean += c; square += c * c; }
            mean /= draws.Length;
            double se = Math.Sqrt((square / draws.Length - mean * mean) / draws.Length);
            double exact = Math.Exp(-Math.Pow(w, alpha));
            Assert.True(Math.Abs(mean - exact) <= 5 * se, $"alpha = {alpha}, w = {w}: E cos(wX) = {mean} +- {se}, cf {exact}");
        }
    }

    /// <summary>The proposals: X = V^(1/(2-alpha)) in (0, 1) and |Y| = V^(-1/alpha) above 1, by their means (closed forms).</summary>
    [Fact]
    public void Proposals_have_their_laws()
    {
        var random = new RandomSource(19);
        const int n = 400_000;
        const double alpha = 1.5;
        // E[(T X)^2] = E[T^2] E[X^2] = (1/6) (2 - alpha)/(4 - alpha); for the tail E[Y^(alpha/4)] = alpha/(alpha - alpha/4) = 4/3.
        double m2 = 0, m2sq = 0, tail = 0, tailSq = 0;
        for (int i = 0; i < n; i++)
        {
            double u = LevyShifts.Near(random, alpha);
            Assert.InRange(u, -1, 1);
            m2 += u * u; m2sq += u * u * u * u;
            double y = LevyShifts.Tail(random, alpha);
            Assert.True(Math.Abs(y) >= 1);
            double q = Math.Pow(Math.Abs(y), alpha / 4); // E[Y^(alpha/4)] = alpha/(alpha - alpha/4) = 4/3, finite variance
            tail += q; tailSq += q * q;
        }
        m2 /= n; tail /= n;
        double se2 = Math.Sqrt((m2sq / n - m2 * m2) / n), seTail = Math.Sqrt((tailSq / n - tail * tail) / n);
        Assert.True(Math.Abs(m2 - (1.0 / 6) * (2 - alpha) / (4 - alpha)) <= 5 * se2, $"E[U^2] = {m2} +- {se2}");
        Assert.True(Math.Abs(tail - 4.0 / 3) <= 5 * seTail, $"E[Y^(alpha/4)] = {tail} +- {seTail}");
    }
}
