using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Series;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// The bundled declarations' coefficients compared SYMBOLICALLY with closed forms built through <see cref="Ex"/>:
/// canonical forms are unique, so equal expressions are equal nodes.
/// </summary>
public sealed class ClosedFormTests
{
    private const int Order = 10;
    private static Expr Pow(Expr b, int e) => Ex.Pow(b, e);

    // Bernoulli numbers B_0..B_10 (B_1 = -1/2), written out here rather than taken from the code under test.
    private static readonly Rational[] BernoulliNumbers =
    [
        1, new(-1, 2), new(1, 6), 0, new(-1, 30), 0, new(1, 42), 0, new(-1, 30), 0, new(5, 66),
    ];

    // zeta(2m) = Z[m] * pi^(2m) for m = 1..5.
    private static readonly Rational[] ZetaEvenOverPiPower = [0, new(1, 6), new(1, 90), new(1, 945), new(1, 9450), new(1, 93555)];

    [Fact]
    public void Gamma_cn_is_k_mu_pow_n_over_n()
    {
        var rule = DeriveBundled("Gamma", Order);
        Symbol k = P("k"), mu = P("mu");
        for (int n = 1; n <= Order; n++)
        {
            Assert.Equal(Ex.Mul(Q(1, n), k, Pow(mu, n)), C(rule, n));
            Assert.Equal(Ex.Mul(Q(1, n), Pow(mu, n)), A(rule, n, "k"));
            Assert.Equal(Ex.Mul(k, Pow(mu, n - 1)), A(rule, n, "mu"));
        }
    }

    [Fact]
    public void Exponential_cn_is_mu_pow_n_over_n()
    {
        var rule = DeriveBundled("Exponential", Order);
        var mu = P("mu");
        for (int n = 1; n <= Order; n++)
        {
            Assert.Equal(Ex.Mul(Q(1, n), Pow(mu, n)), C(rule, n));
            Assert.Equal(Pow(mu, n - 1), A(rule, n, "mu"));
        }
    }

    /// <summary>K(t) = -(nu/2) log(1 - 2t) = (nu/2) sum (2t)^n / n, so c_n = nu 2^(n-1) / n.</summary>
    [Fact]
    public void ChiSquared_cn_is_nu_two_pow_n_minus_one_over_n()
    {
        var rule = DeriveBundled("ChiSquared", Order);
        var nu = P("nu");
        for (int n = 1; n <= Order; n++)
        {
            var factor = Q(1L << (n - 1), n);
            Assert.Equal(Ex.Mul(factor, nu), C(rule, n));
            Assert.Equal(factor, A(rule, n, "nu"));
        }
    }

    [Fact]
    public void ChiSquared_is_Gamma_with_shape_half_nu_and_scale_two()
    {
        var gamma = DeriveBundled("Gamma", Order);
        var chi = DeriveBundled("ChiSquared", Order);
        var map = new Dictionary<Symbol, Expr> { [P("k")] = Ex.Mul(Ex.Half, P("nu")), [P("mu")] = Ex.Num(2) };
        for (int n = 1; n <= Order; n++) Assert.Equal(C(chi, n), Substitution.Apply(C(gamma, n), map));
    }

    /// <summary>Erlang(n, mu): c_m = n mu^m / m; the integer shape n is a fixed hyper-parameter, never differentiated.</summary>
    [Fact]
    public void Erlang_cm_is_n_mu_pow_m_over_m_and_only_mu_is_differentiated()
    {
        var rule = DeriveBundled("Erlang", Order);
        Assert.Equal(["mu"], rule.Differentiable.Select(p => p.Name).ToArray());
        Assert.Equal(["n", "mu"], rule.Parameters.Select(p => p.Name).ToArray());
        Symbol n = P("n"), mu = P("mu");
        for (int m = 1; m <= Order; m++)
        {
            Assert.Equal(Ex.Mul(Q(1, m), n, Pow(mu, m)), C(rule, m));
            Assert.Equal(Ex.Mul(n, Pow(mu, m - 1)), A(rule, m, "mu"));
            Assert.Single(rule.Coefficients[m - 1].Derivatives);
        }
    }

    /// <summary>K(t) = mu t - log(1 - b^2 t^2): c_1 = mu, c_2m = b^2m / m, odd c_n = 0 for n >= 3.</summary>
    [Fact]
    public void Laplace_even_cumulants_are_b_pow_2m_over_m_and_odd_vanish()
    {
        var rule = DeriveBundled("Laplace", Order);
        Symbol mu = P("mu"), b = P("b");
        Assert.Equal(mu, C(rule, 1));
        Assert.Equal(Ex.One, A(rule, 1, "mu"));
        Assert.Equal(Ex.Zero, A(rule, 1, "b"));
        for (int n = 2; n <= Order; n++)
        {
            if (n % 2 == 1)
            {
                Assert.Equal(Ex.Zero, C(rule, n));
                Assert.Equal(Ex.Zero, A(rule, n, "b"));
            }
            else
            {
                int m = n / 2;
                Assert.Equal(Ex.Mul(Q(1, m), Pow(b, n)), C(rule, n));
                Assert.Equal(Ex.Mul(Q(n, m), Pow(b, n - 1)), A(rule, n, "b"));
            }
            Assert.Equal(Ex.Zero, A(rule, n, "mu"));
        }
    }

    [Fact]
    public void Poisson_cn_is_lambda_over_n_factorial()
    {
        var rule = DeriveBundled("Poisson", Order);
        var lambda = P("lambda");
        for (int n = 1; n <= Order; n++)
        {
            var inverse = Ex.Num(new Rational(1, Factorial(n)));
            Assert.Equal(Ex.Mul(inverse, lambda), C(rule, n));
            Assert.Equal(inverse, A(rule, n, "lambda"));
        }
    }

    [Fact]
    public void Normal_series_ends_at_n_equal_two()
    {
        var rule = DeriveBundled("Normal", Order);
        Symbol mu = P("mu"), sigma = P("sigma");
        Assert.Equal(mu, C(rule, 1));
        Assert.Equal(Ex.Mul(Ex.Half, Pow(sigma, 2)), C(rule, 2));
        Assert.Equal(sigma, A(rule, 2, "sigma"));
        Assert.Equal(Ex.Zero, A(rule, 2, "mu"));
        for (int n = 3; n <= Order; n++)
        {
            Assert.Equal(Ex.Zero, C(rule, n));
            Assert.All(rule.Coefficients[n - 1].Derivatives, d => Assert.Equal(Ex.Zero, d));
        }
    }

    [Fact]
    public void Dirac_series_ends_at_n_equal_one()
    {
        var rule = DeriveBundled("Dirac", Order);
        Assert.Equal(P("a"), C(rule, 1));
        Assert.Equal(Ex.One, A(rule, 1, "a"));
        for (int n = 2; n <= Order; n++)
        {
            Assert.Equal(Ex.Zero, C(rule, n));
            Assert.Equal(Ex.Zero, A(rule, n, "a"));
        }
    }

    /// <summary>Uniform on (a, a + w): K(t) = a t + log((e^(wt) - 1)/(wt)), so c_1 = a + w/2 and c_n = B_n w^n / (n n!) for n >= 2.</summary>
    [Fact]
    public void Uniform_cn_are_Bernoulli_numbers()
    {
        var rule = DeriveBundled("Uniform", Order);
        Symbol a = P("a"), w = P("w");
        Assert.Equal(Ex.Add(a, Ex.Mul(Ex.Half, w)), C(rule, 1));
        for (int n = 2; n <= Order; n++)
        {
            var factor = BernoulliNumbers[n] / (n * (Rational)Factorial(n));
            Assert.Equal(Ex.Mul(Ex.Num(factor), Pow(w, n)), C(rule, n));
            Assert.Equal(Ex.Mul(Ex.Num(factor * n), Pow(w, n - 1)), A(rule, n, "w"));
            Assert.Equal(Ex.Zero, A(rule, n, "a"));
        }
    }

    /// <summary>Logistic: K(t) = mu t + log(pi s t / sin(pi s t)) = mu t + sum_m zeta(2m) (s t)^(2m) / m.</summary>
    [Fact]
    public void Logistic_even_cn_come_from_zeta_values()
    {
        var rule = DeriveBundled("Logistic", Order);
        Symbol mu = P("mu"), s = P("s");
        Assert.Equal(mu, C(rule, 1));
        for (int n = 2; n <= Order; n++)
        {
            if (n % 2 == 1) { Assert.Equal(Ex.Zero, C(rule, n)); continue; }
            int m = n / 2;
            var zeta = Ex.Mul(Ex.Num(ZetaEvenOverPiPower[m]), Pow(Ex.Pi, n));
            Assert.Equal(zeta, Ex.Zeta(n)); // the factory's exact zeta agrees with the table
            Assert.Equal(Ex.Mul(Q(1, m), zeta, Pow(s, n)), C(rule, n));
            Assert.Equal(Ex.Mul(Q(n, m), zeta, Pow(s, n - 1)), A(rule, n, "s"));
        }
    }

    [Fact]
    public void BivariateNormal_mixed_coefficient_is_rho_s1_s2_and_degree_three_and_above_vanish()
    {
        var rule = DeriveBundled("BivariateNormal", 6);
        Assert.Equal(["t1", "t2"], rule.Variables.ToArray());
        Expr Coefficient(params int[] index) => rule.Coefficients.Single(c => c.Index.SequenceEqual(index)).Value;
        Symbol m1 = P("m1"), m2 = P("m2"), s1 = P("s1"), s2 = P("s2"), rho = P("rho");
        Assert.Equal(m1, Coefficient(1, 0));
        Assert.Equal(m2, Coefficient(0, 1));
        Assert.Equal(Ex.Mul(Ex.Half, Pow(s1, 2)), Coefficient(2, 0));
        Assert.Equal(Ex.Mul(rho, s1, s2), Coefficient(1, 1));
        Assert.Equal(Ex.Mul(Ex.Half, Pow(s2, 2)), Coefficient(0, 2));

        var mixed = rule.Coefficients.Single(c => c.Index.SequenceEqual([1, 1]));
        var names = rule.Differentiable.Select(p => p.Name).ToList();
        Assert.Equal(Ex.Mul(s1, s2), mixed.Derivatives[names.IndexOf("rho")]);
        Assert.Equal(Ex.Mul(rho, s2), mixed.Derivatives[names.IndexOf("s1")]);

        // Every multi-index of total degree 1..6 appears once, in graded order; degree >= 3 is zero.
        Assert.Equal(MultiIndex.Graded(2, 6).Select(i => string.Join(",", i)), rule.Coefficients.Select(c => string.Join(",", c.Index)));
        foreach (var c in rule.Coefficients.Where(c => c.Degree >= 3))
        {
            Assert.Equal(Ex.Zero, c.Value);
            Assert.All(c.Derivatives, d => Assert.Equal(Ex.Zero, d));
        }
    }

    /// <summary>Beta = z1/(z1 + z2) with z1 ~ Gamma(alpha, 1), z2 ~ Gamma(beta, 1): c_n(z1) = alpha/n, d/dalpha = 1/n, d/dbeta = 0.</summary>
    [Fact]
    public void Beta_components_are_two_gammas_differentiated_through_their_arguments()
    {
        var rule = DeriveBundled("Beta", Order);
        Assert.True(rule.IsDerived);
        Assert.Empty(rule.Coefficients);
        Assert.Equal(["alpha", "beta"], rule.Differentiable.Select(p => p.Name).ToArray());
        Assert.Equal(2, rule.Components.Length);
        Symbol alpha = P("alpha"), beta = P("beta");

        var z1 = rule.Components[0];
        var z2 = rule.Components[1];
        Assert.Equal(("z1", "Gamma"), (z1.Name, z1.Distribution));
        Assert.Equal(("z2", "Gamma"), (z2.Name, z2.Distribution));
        Assert.Equal([alpha, Ex.One], z1.Arguments.ToArray());
        Assert.Equal([beta, Ex.One], z2.Arguments.ToArray());
        Assert.False(z1.IsIndexed);
        for (int n = 1; n <= Order; n++)
        {
            var c1 = z1.Coefficients[n - 1];
            var c2 = z2.Coefficients[n - 1];
            Assert.Equal(Ex.Mul(Q(1, n), alpha), c1.Value);
            Assert.Equal(Ex.Mul(Q(1, n), beta), c2.Value);
            Assert.Equal([Q(1, n), Ex.Zero], c1.Derivatives.ToArray());
            Assert.Equal([Ex.Zero, Q(1, n)], c2.Derivatives.ToArray());
        }
    }

    [Fact]
    public void Dirichlet_component_is_an_indexed_gamma_in_alpha_j()
    {
        var rule = DeriveBundled("Dirichlet", 4);
        var g = Assert.Single(rule.Components);
        Assert.True(g.IsIndexed);
        var alphaJ = RuleModel.DifferentiationSymbol(Assert.Single(rule.Differentiable));
        Assert.Equal("alpha[j]", alphaJ.Name);
        for (int n = 1; n <= 4; n++)
        {
            Assert.Equal(Ex.Mul(Q(1, n), alphaJ), g.Coefficients[n - 1].Value);
            Assert.Equal(Q(1, n), Assert.Single(g.Coefficients[n - 1].Derivatives));
        }
    }

    /// <summary>Binomial(n, p) is the sum of n Bernoulli(p): its cumulants are n times Bernoulli's.</summary>
    [Fact]
    public void Binomial_cumulants_are_n_times_Bernoulli_cumulants()
    {
        var binomial = DeriveBundled("Binomial", 8);
        var bernoulli = DeriveBundled("Bernoulli", 8);
        Assert.Equal(["p"], binomial.Differentiable.Select(p => p.Name).ToArray());
        for (int m = 1; m <= 8; m++)
        {
            Assert.Equal(Ex.Mul(P("n"), C(bernoulli, m)), C(binomial, m));
            Assert.Equal(Ex.Mul(P("n"), A(bernoulli, m, "p")), A(binomial, m, "p"));
        }
    }

    /// <summary>Bernoulli: c_1 = p, c_2 = p(1-p)/2, c_3 = p(1-p)(1-2p)/6 (the first cumulants over n!).</summary>
    [Fact]
    public void Bernoulli_first_cumulants()
    {
        var rule = DeriveBundled("Bernoulli", 3);
        var p = P("p");
        var q = Ex.Sub(Ex.One, p);
        Assert.Equal(p, C(rule, 1));
        Assert.Equal(Ex.Mul(Ex.Half, p, q), C(rule, 2));
        Assert.Equal(Ex.Mul(Q(1, 6), p, q, Ex.Sub(Ex.One, Ex.Mul(Ex.Num(2), p))), C(rule, 3));
    }

    /// <summary>Categorical over {0, 1, 2}: mean p1 + 2 p2, variance/2 = (p1 + 4 p2 - (p1 + 2 p2)^2)/2.</summary>
    [Fact]
    public void Categorical_mean_and_variance()
    {
        var rule = DeriveBundled("Categorical", 2);
        Symbol p1 = P("p1"), p2 = P("p2");
        var mean = Ex.Add(p1, Ex.Mul(Ex.Num(2), p2));
        Assert.Equal(mean, C(rule, 1));
        Assert.Equal(Ex.Mul(Ex.Half, Ex.Sub(Ex.Add(p1, Ex.Mul(Ex.Num(4), p2)), Pow(mean, 2))), C(rule, 2));
    }

    /// <summary>NegativeBinomial(r, p): mean r p/(1-p), c_2 = r p / (2 (1-p)^2).</summary>
    [Fact]
    public void NegativeBinomial_mean_and_variance()
    {
        var rule = DeriveBundled("NegativeBinomial", 2);
        Symbol r = P("r"), p = P("p");
        var point = new Dictionary<Symbol, Rational> { [r] = new(5, 2), [p] = new(1, 3) };
        double pr = 5.0 / 2, pp = 1.0 / 3;
        RelClose(pr * pp / (1 - pp), EvaluateExactly(C(rule, 1), point), 1e-15, "c_1");
        RelClose(pr * pp / (2 * (1 - pp) * (1 - pp)), EvaluateExactly(C(rule, 2), point), 1e-15, "c_2");
    }
}
