using SeriesCompiler.Symbolic.Calculus;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// Special functions (lgamma, polygamma), removable singularities and cf's whose i must cancel, checked against
/// numbers computed independently (<see cref="NumericReferences"/>) to 1e-9 relative up to order 10.
/// </summary>
public sealed class NumericReferenceTests
{
    private const int Order = 10;
    private const double Tolerance = 1e-9;

    private static void CheckRows(RuleModel rule, double[][] rows, string[] parameters, params (string, double)[] point)
    {
        Assert.Equal(Order, rows.Length);
        for (int n = 1; n <= Order; n++)
        {
            RelClose(rows[n - 1][0], Evaluate(C(rule, n), point), Tolerance, $"{rule.Name} c_{n} = {C(rule, n)}");
            for (int p = 0; p < parameters.Length; p++)
                RelClose(rows[n - 1][1 + p], Evaluate(A(rule, n, parameters[p]), point), Tolerance, $"{rule.Name} a_{n},{parameters[p]} = {A(rule, n, parameters[p])}");
        }
    }

    // ---- lgamma ---------------------------------------------------------------------------------

    private const string LogGammaDeclaration = """
        # the log of a Gamma(k, 1) variable: E[e^(t log g)] = Gamma(k + t) / Gamma(k)
        distribution LogGammaVariable(k > 0) {
            support real
            cgf(t) = lgamma(k + t) - lgamma(k)
        }
        """;

    /// <summary>c_n = psi^(n-1)(k) / n!, symbolically: the lgamma series rule composes with polygamma at the symbolic point k.</summary>
    [Fact]
    public void LogGamma_cgf_coefficients_are_polygammas_over_factorials()
    {
        var rule = Derive(LogGammaDeclaration, Order);
        var k = P("k");
        for (int n = 1; n <= Order; n++)
        {
            var inverse = Ex.Num(new Rational(1, Factorial(n)));
            Assert.Equal(Ex.Mul(inverse, Ex.Polygamma(n - 1, k)), C(rule, n));
            Assert.Equal(Ex.Mul(inverse, Ex.Polygamma(n, k)), A(rule, n, "k"));
        }
        Assert.Equal("digamma(k)", ExprPrinter.ToSource(C(rule, 1)));
        Assert.Equal("polygamma(1, k)/2", ExprPrinter.ToSource(C(rule, 2)));
    }

    [Fact]
    public void LogGamma_cgf_matches_mpmath_polygamma_values()
    {
        var rule = Derive(LogGammaDeclaration, Order);
        CheckRows(rule, NumericReferences.LogGammaK, ["k"], ("k", 2.5));
    }

    /// <summary>Shifting the argument by an integer: lgamma(k + 1 + t) - lgamma(k + 1) has the same rule as the
    /// above at k + 1, and at k = 1 exactly: c_1 = -gamma_E, c_n = (-1)^n zeta(n)/n for n >= 2.</summary>
    [Fact]
    public void LogGamma_at_one_gives_exact_zeta_values()
    {
        var rule = Derive("""
            distribution LogExponential(a) {
                support real
                cgf(t) = a*t + lgamma(1 + t)
            }
            """, 6);
        Assert.Equal(Ex.Sub(P("a"), Ex.EulerGamma), C(rule, 1));
        Assert.Equal(Ex.Mul(Q(1, 12), Ex.Pow(Ex.Pi, 2)), C(rule, 2));               // zeta(2)/2
        Assert.Equal(Ex.Mul(Q(-1, 3), Ex.Zeta(3)), C(rule, 3));                      // -zeta(3)/3
        Assert.Equal(Ex.Mul(Q(1, 360), Ex.Pow(Ex.Pi, 4)), C(rule, 4));              // zeta(4)/4
        Assert.Equal(Ex.Mul(Q(-1, 5), Ex.Zeta(5)), C(rule, 5));                      // -zeta(5)/5
        RelClose(-1.03692775514337 / 5, Evaluate(C(rule, 5)), 1e-14, "-zeta(5)/5");
        RelClose(1.2020569031595942, Evaluate(Ex.Zeta(3)), 1e-15, "zeta(3)");
    }

    /// <summary>At 1 the factory is exact: psi(1) = -gamma_E, psi^(m)(1) = (-1)^(m+1) m! zeta(m+1), zeta(2k) rational times pi^2k.</summary>
    [Fact]
    public void Polygamma_exact_values_at_one()
    {
        Expr pi2 = Ex.Pow(Ex.Pi, 2), pi4 = Ex.Pow(Ex.Pi, 4), pi6 = Ex.Pow(Ex.Pi, 6);
        Assert.Equal(Ex.Mul(Q(1, 6), pi2), Ex.Polygamma(1, Ex.Num(1)));
        Assert.Equal(Ex.Neg(Ex.EulerGamma), Ex.Polygamma(0, Ex.Num(1)));
        Assert.Equal(Ex.Neg(Ex.EulerGamma), Ex.Digamma(Ex.One));
        Assert.Equal(Ex.Mul(Ex.Num(-2), Ex.Zeta(3)), Ex.Polygamma(2, Ex.Num(1)));
        Assert.Equal(Ex.Mul(Q(1, 15), pi4), Ex.Polygamma(3, Ex.Num(1)));
        Assert.Equal(Ex.Mul(Ex.Num(-24), Ex.Zeta(5)), Ex.Polygamma(4, Ex.Num(1)));
        Assert.Equal(Ex.Mul(Q(8, 63), pi6), Ex.Polygamma(5, Ex.Num(1)));   // 5! zeta(6) = 120 pi^6/945
        Assert.Equal(Ex.Mul(Q(1, 90), pi4), Ex.Zeta(4));
        Assert.Equal(Ex.Mul(Q(1, 6), pi2), Ex.Zeta(2));
        Assert.IsType<Call>(Ex.Zeta(3));
    }

    [Fact]
    public void LogGamma_exact_values_at_positive_integers()
    {
        Assert.Equal(Ex.Log(Ex.Num(24)), Ex.LogGamma(Ex.Num(5)));
        Assert.Equal(Ex.Zero, Ex.LogGamma(Ex.Num(1)));
        Assert.Equal(Ex.Zero, Ex.LogGamma(Ex.Num(2)));
        Assert.Throws<SymbolicException>(() => Ex.LogGamma(Ex.Num(0)));
        Assert.Throws<SymbolicException>(() => Ex.Polygamma(1, Ex.Num(-2)));
    }

    [Fact]
    public void Derivatives_of_lgamma_and_polygamma()
    {
        var k = P("k");
        Assert.Equal(Ex.Digamma(k), Derivative.Of(Ex.LogGamma(k), k));
        Assert.Equal(Ex.Polygamma(1, k), Derivative.Of(Ex.Digamma(k), k));
        Assert.Equal(Ex.Mul(Ex.Num(2), Ex.Polygamma(4, Ex.Mul(Ex.Num(2), k))), Derivative.Of(Ex.Polygamma(3, Ex.Mul(Ex.Num(2), k)), k));
        Assert.Equal(Ex.Zero, Derivative.Of(Ex.Zeta(3), k));
    }

    // ---- removable singularities --------------------------------------------------------------

    [Fact]
    public void Uniform_matches_sympy_series()
    {
        var rule = DeriveBundled("Uniform", Order);
        CheckRows(rule, NumericReferences.Uniform, ["a", "w"], ("a", -0.3), ("w", 1.7));
    }

    [Fact]
    public void Logistic_matches_sympy_series()
    {
        var rule = DeriveBundled("Logistic", Order);
        CheckRows(rule, NumericReferences.Logistic, ["mu", "s"], ("mu", 0.4), ("s", 1.3));
    }

    [Fact]
    public void Log_sinh_over_t_matches_sympy_series()
    {
        var rule = Derive(Declaration("a > 0", "cgf(t) = log(sinh(a*t)/(a*t))"), Order);
        CheckRows(rule, NumericReferences.SinhOverT, ["a"], ("a", 0.8));
    }

    /// <summary>Uniform(-a, a) by its cf sin(a w)/(a w): after w = -i t it is sinh(a t)/(a t), and the i's must cancel exactly.</summary>
    [Fact]
    public void Sinc_cf_becomes_real_and_equals_the_sinh_cgf()
    {
        var byCf = Derive(Declaration("a > 0", "cf(w) = sin(a*w)/(a*w)"), Order);
        var byCgf = Derive(Declaration("a > 0", "cgf(t) = log(sinh(a*t)/(a*t))"), Order);
        for (int n = 1; n <= Order; n++)
        {
            Assert.False(C(byCf, n).ContainsImaginary());
            Assert.Equal(C(byCgf, n), C(byCf, n));
            Assert.Equal(A(byCgf, n, "a"), A(byCf, n, "a"));
        }
        // c_2m = 2^(2m) B_2m a^(2m) / (2m (2m)!): a^2/6, -a^4/180, a^6/2835
        var a = P("a");
        Assert.Equal(Ex.Mul(Q(1, 6), Ex.Pow(a, 2)), C(byCf, 2));
        Assert.Equal(Ex.Mul(Q(-1, 180), Ex.Pow(a, 4)), C(byCf, 4));
        Assert.Equal(Ex.Mul(Q(1, 2835), Ex.Pow(a, 6)), C(byCf, 6));
    }

    [Fact]
    public void Log_tan_over_t_matches_sympy_series()
    {
        var rule = Derive(Declaration("a", "cgf(t) = a*t + log(tan(t)/t)"), Order);
        var rows = NumericReferences.TanOverT.Select((r, i) => i == 0 ? new[] { 0.0 } : r).ToArray();
        Assert.Equal(P("a"), C(rule, 1));
        for (int n = 2; n <= Order; n++)
        {
            var c = Assert.IsType<Number>(C(rule, n)); // a rational constant
            RelClose(rows[n - 1][0], c.Re.ToDouble(), Tolerance, $"c_{n}");
        }
        Assert.Equal(Q(7, 90), C(rule, 4));
        Assert.Equal(Q(62, 2835), C(rule, 6));
    }

    /// <summary>The Rademacher variable (+-a with probability 1/2): cf cos(a w) = cosh(a t) after w = -i t.</summary>
    [Fact]
    public void Cosine_cf_becomes_real_log_cosh()
    {
        var rule = Derive(Declaration("a > 0", "cf(w) = cos(a*w)"), Order);
        CheckRows(rule, NumericReferences.LogCosh, ["a"], ("a", 1.5));
        Assert.Equal(Ex.Mul(Q(-1, 12), Ex.Pow(P("a"), 4)), C(rule, 4));
    }

    /// <summary>The normal distribution written by its cf: the i's cancel and the rule is Normal's.</summary>
    [Fact]
    public void Gaussian_cf_with_i_becomes_real()
    {
        var rule = Derive(Declaration("mu, s > 0", "cf(w) = exp(i*mu*w - s^2*w^2/2)"), Order);
        Symbol mu = P("mu"), s = P("s");
        Assert.Equal(mu, C(rule, 1));
        Assert.Equal(Ex.Mul(Ex.Half, Ex.Pow(s, 2)), C(rule, 2));
        for (int n = 3; n <= Order; n++) Assert.Equal(Ex.Zero, C(rule, n));
        Assert.All(rule.Coefficients, c => Assert.False(c.Value.ContainsImaginary() || c.Derivatives.Any(d => d.ContainsImaginary())));

        // logcf form and a cf with the i spread over a product and a quotient give the same rule
        var byLogcf = Derive(Declaration("mu, s > 0", "logcf(w) = i*mu*w - s^2*w^2/2"), Order);
        var byProduct = Derive(Declaration("mu, s > 0", "cf(w) = exp(i*mu*w) / exp(s^2*w^2/2)"), Order);
        for (int n = 1; n <= Order; n++)
        {
            Assert.Equal(C(rule, n), C(byLogcf, n));
            Assert.Equal(C(rule, n), C(byProduct, n));
        }
    }

    /// <summary>A shifted exponential by its cf exp(i m w)/(1 - i mu w): c_1 = m + mu, c_n = mu^n / n.</summary>
    [Fact]
    public void Shifted_exponential_cf_becomes_real()
    {
        var rule = Derive(Declaration("m, mu > 0", "cf(w) = exp(i*m*w)/(1 - i*mu*w)"), Order);
        Symbol m = P("m"), mu = P("mu");
        Assert.Equal(Ex.Add(m, mu), C(rule, 1));
        for (int n = 2; n <= Order; n++) Assert.Equal(Ex.Mul(Q(1, n), Ex.Pow(mu, n)), C(rule, n));
    }

    /// <summary>
    /// Uniform on (a, b) by its endpoints, the example of series-math.md: K(t) = log((e^(bt) - e^(at)) / ((b - a) t)),
    /// c_1 = (a + b)/2, c_2 = (b - a)^2 / 24, c_3 = 0.
    /// </summary>
    [Fact]
    public void Uniform_by_endpoints_is_derived()
    {
        var rule = Derive("""
            distribution UniformAB(a, b) {
                support (a, b)
                cgf(t) = log((exp(b*t) - exp(a*t))/((b - a)*t))
            }
            """, 4);
        Symbol a = P("a"), b = P("b");
        Assert.Equal(Ex.Mul(Ex.Half, Ex.Add(a, b)), C(rule, 1));
        var point = new Dictionary<Symbol, Rational> { [a] = new(-1, 2), [b] = new(3, 2) };
        RelClose(4.0 / 24, EvaluateExactly(C(rule, 2), point), 1e-15, "c_2");
        RelClose(0, EvaluateExactly(C(rule, 3), point), 1e-15, "c_3");
    }

    /// <summary>The triangular distribution on (-a, a), the sum of two uniforms: M(t) = 2 (cosh(a t) - 1) / (a t)^2.</summary>
    private static readonly string Triangular = Declaration("a > 0", "cgf(t) = log(2*(cosh(a*t) - 1)/(a^2*t^2))");

    [Fact]
    public void Triangular_removable_double_zero()
    {
        var rule = Derive(Triangular, Order);
        var a = P("a");
        Assert.Equal(Ex.Zero, C(rule, 1));
        Assert.Equal(Ex.Mul(Q(1, 12), Ex.Pow(a, 2)), C(rule, 2));   // variance a^2/6
        Assert.Equal(Ex.Mul(Q(-1, 1440), Ex.Pow(a, 4)), C(rule, 4));
        // twice the uniform's: K = 2 log(sinh(a t/2)/(a t/2))
        var half = Derive(Declaration("a > 0", "cgf(t) = 2*log(sinh(a*t/2)/(a*t/2))"), Order);
        for (int n = 1; n <= Order; n++) Assert.Equal(C(half, n), C(rule, n));
    }

    /// <summary>A valid declaration is valid at every order: the expander must climb above the order to cancel t^2.</summary>
    [Fact]
    public void Triangular_is_derived_at_order_one()
    {
        var rule = Derive(Triangular, 1);
        Assert.Equal(Ex.Zero, C(rule, 1));
        var other = Derive(Declaration("a", "cgf(t) = (exp(a*t^3) - 1)/t^2"), 1);
        Assert.Equal(P("a"), C(other, 1));
    }

    /// <summary>A removable singularity whose scale is a sum of parameters: sinh((a + b) t) / ((a + b) t).</summary>
    [Fact]
    public void Removable_singularity_scaled_by_a_sum_of_parameters()
    {
        var rule = Derive(Declaration("a, b", "cgf(t) = log(sinh((a + b)*t)/((a + b)*t))"), 6);
        Symbol a = P("a"), b = P("b");
        Assert.Equal(Ex.Zero, C(rule, 1));
        Assert.Equal(Ex.Mul(Q(1, 6), Ex.Pow(Ex.Add(a, b), 2)), C(rule, 2));
        Assert.Equal(Ex.Mul(Q(-1, 180), Ex.Pow(Ex.Add(a, b), 4)), C(rule, 4));
    }

    /// <summary>The coefficient of a term that is identically zero must be recognised as zero.</summary>
    [Fact]
    public void Pythagorean_identity_in_a_series_is_zero()
    {
        var rule = Derive(Declaration("a > 0, b > 0", "cgf(t) = a*t + b*t^2 + sin((a + b)*t)^2 + cos((a + b)*t)^2 - 1"), 6);
        Assert.Equal(P("a"), C(rule, 1));
        Assert.Equal(P("b"), C(rule, 2));
        for (int n = 3; n <= 6; n++) Assert.Equal(Ex.Zero, C(rule, n));
    }

    /// <summary>The same identity with a monomial scale.</summary>
    [Fact]
    public void Pythagorean_identity_with_a_monomial_scale_is_zero()
    {
        var rule = Derive(Declaration("a > 0, b > 0", "cgf(t) = a*t + b*t^2 + sin(2*a*t)^2 + cos(2*a*t)^2 - 1"), 6);
        Assert.Equal(P("a"), C(rule, 1));
        Assert.Equal(P("b"), C(rule, 2));
        for (int n = 3; n <= 6; n++) Assert.Equal(Ex.Zero, C(rule, n));
    }
}
