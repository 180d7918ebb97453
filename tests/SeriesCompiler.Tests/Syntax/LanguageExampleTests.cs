using SeriesCompiler.Symbolic.Syntax;
using Xunit;
using static SeriesCompiler.Tests.Syntax.SyntaxTestHelpers;

namespace SeriesCompiler.Tests.Syntax;

/// <summary>Every example of docs/language.md, copied verbatim, parses clean, and the trees say what the text says.</summary>
public sealed class LanguageExampleTests
{
    public const string Dirichlet = """
        distribution Dirichlet[K](alpha[K] > 0) {
            support simplex
            latent g[j] ~ Gamma(alpha[j], 1)
            value[j] = g[j] / sum(g)
        }
        """;

    public const string Gamma = """
        # Gamma with shape k and scale mu (mean k*mu).
        distribution Gamma(k > 0, mu > 0) {
            support positive
            logcf(w) = -k * log(1 - i*mu*w)
            logpdf(z) = (k - 1)*log(z) - z/mu - lgamma(k) - k*log(mu)
            sample = mu * gamma(k)
        }
        """;

    public const string Laplace = """
        # Laplace with location mu and scale b.
        distribution Laplace(mu, b > 0) {
            support real
            cf(w) = exp(i*mu*w) / (1 + b^2*w^2)
            logpdf(z) = -abs(z - mu)/b - log(2*b)
            sample = mu + b*(exponential() - exponential())
        }
        """;

    public const string Normal = """
        distribution Normal(mu, sigma > 0) {
            support real
            cgf(t) = mu*t + sigma^2*t^2/2
            sample = mu + sigma*normal()
        }
        """;

    public const string Dirac = """
        # A point mass: the rule is ordinary backpropagation.
        distribution Dirac(a) {
            support real
            cgf(t) = a*t
            sample = a
        }
        """;

    public const string Bernoulli = """
        distribution Bernoulli(p in (0, 1)) {
            support {0, 1}
            cf(w) = 1 - p + p*exp(i*w)
            sample = bernoulli(p)
        }
        """;

    public const string Poisson = """
        distribution Poisson(lambda > 0) {
            support naturals
            cgf(t) = lambda*(exp(t) - 1)
            sample = poisson(lambda)
        }
        """;

    public const string Beta = """
        # Beta through two gamma components (section 4 of the paper).
        distribution Beta(alpha > 0, beta > 0) {
            support (0, 1)
            latent z1 ~ Gamma(alpha, 1)
            latent z2 ~ Gamma(beta, 1)
            value = z1 / (z1 + z2)
        }
        """;

    public const string BivariateNormal = """
        distribution BivariateNormal(m1, m2, s1 > 0, s2 > 0, rho in (-1, 1)) {
            support real^2
            cgf(t1, t2) = m1*t1 + m2*t2 + (s1^2*t1^2 + 2*rho*s1*s2*t1*t2 + s2^2*t2^2)/2
            let n1 = normal()
            let n2 = normal()
            sample = (m1 + s1*n1, m2 + s2*(rho*n1 + sqrt(1 - rho^2)*n2))
        }
        """;

    public static TheoryData<string, string> Examples() => new()
    {
        { "Dirichlet", Dirichlet }, { "Gamma", Gamma }, { "Laplace", Laplace }, { "Normal", Normal }, { "Dirac", Dirac },
        { "Bernoulli", Bernoulli }, { "Poisson", Poisson }, { "Beta", Beta }, { "BivariateNormal", BivariateNormal },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_parses_without_diagnostics(string name, string text)
    {
        var distribution = ParseSingle(text);
        Assert.Equal(name, distribution.Name.Text);
    }

    [Fact]
    public void All_examples_in_one_file_parse_as_several_declarations()
    {
        string all = string.Join("\n\n", Examples().Select(row => (string)row[1]));
        var (unit, diagnostics) = Parse(all);
        Assert.Empty(diagnostics);
        Assert.Equal(9, unit.Distributions.Length);
    }

    [Fact]
    public void Dirichlet_family_keeps_sizes_indices_and_the_latent()
    {
        var d = ParseSingle(Dirichlet);
        Assert.Equal("K", d.FamilySize!.Text);
        var alpha = Assert.Single(d.Parameters);
        Assert.Equal("K", alpha.VectorSize!.Text);
        var bound = Assert.IsType<LowerBoundConstraint>(alpha.Constraint);
        Assert.False(bound.Inclusive);
        Assert.IsType<NamedSupport>(Assert.IsType<SupportStatement>(d.Statements[0]).Domain);

        var latent = Assert.IsType<LatentStatement>(d.Statements[1]);
        Assert.Equal("g", latent.Name.Text);
        Assert.Equal("j", Show(latent.Index!));
        Assert.Equal("Gamma", latent.Distribution.Text);
        Assert.Equal(["alpha[j]", "1"], latent.Arguments.Select(Show));

        var value = Assert.IsType<ValueStatement>(d.Statements[2]);
        Assert.Equal("j", Show(value.Index!));
        Assert.Equal("(g[j] / sum(g))", Show(value.Value));
    }

    [Fact]
    public void Bivariate_normal_keeps_two_variables_a_power_support_and_a_tuple_sample()
    {
        var d = ParseSingle(BivariateNormal);
        var rho = Assert.IsType<IntervalConstraint>(d.Parameters[4].Constraint);
        Assert.Equal("(-1)", Show(rho.Low));
        Assert.False(rho.LowInclusive || rho.HighInclusive);

        var support = Assert.IsType<NamedSupport>(Assert.IsType<SupportStatement>(d.Statements[0]).Domain);
        Assert.Equal(TokenKind.RealKeyword, support.Name.Kind);
        Assert.Equal("2", support.Power!.Text);

        var cgf = Assert.IsType<FunctionStatement>(d.Statements[1]);
        Assert.Equal(["t1", "t2"], cgf.Variables.Select(v => v.Text));

        var sample = Assert.IsType<SampleStatement>(d.Statements[4]);
        Assert.Equal(2, Assert.IsType<TupleExpression>(sample.Value).Items.Length);
    }

    [Fact]
    public void Supports_of_each_form_are_recognised()
    {
        Assert.IsType<FiniteSetSupport>(Assert.IsType<SupportStatement>(ParseSingle(Bernoulli).Statements[0]).Domain);
        var interval = Assert.IsType<IntervalSupport>(Assert.IsType<SupportStatement>(ParseSingle(Beta).Statements[0]).Domain);
        Assert.Equal("0", Show(interval.Low));
        Assert.Equal("1", Show(interval.High));

        var range = ParseSingle("distribution B(n : integer >= 1, p in [0, 1)) {\n support {0 .. n}\n sample = 0\n}");
        var domain = Assert.IsType<IntegerRangeSupport>(Assert.IsType<SupportStatement>(range.Statements[0]).Domain);
        Assert.Equal("0", Show(domain.Low));
        Assert.Equal("n", Show(domain.High));
        var p = Assert.IsType<IntervalConstraint>(range.Parameters[1].Constraint);
        Assert.True(p.LowInclusive);
        Assert.False(p.HighInclusive);
    }

    [Fact]
    public void Constraints_of_each_form_are_recognised()
    {
        var d = ParseSingle("distribution C(a, b > 0, c >= 1, d < 2, e <= -3, f in (0, 1), g : integer >= 1, h : integer, q : integer > 0) {\n support real\n cgf(t) = a*t\n}");
        Assert.Null(d.Parameters[0].Constraint);
        Assert.False(Assert.IsType<LowerBoundConstraint>(d.Parameters[1].Constraint).Inclusive);
        Assert.True(Assert.IsType<LowerBoundConstraint>(d.Parameters[2].Constraint).Inclusive);
        Assert.False(Assert.IsType<UpperBoundConstraint>(d.Parameters[3].Constraint).Inclusive);
        Assert.Equal("(-3)", Show(Assert.IsType<UpperBoundConstraint>(d.Parameters[4].Constraint).Bound));
        Assert.IsType<IntervalConstraint>(d.Parameters[5].Constraint);
        Assert.True(Assert.IsType<IntegerConstraint>(d.Parameters[6].Constraint).Inclusive);
        Assert.Null(Assert.IsType<IntegerConstraint>(d.Parameters[7].Constraint).LowerBound);
        var q = Assert.IsType<IntegerConstraint>(d.Parameters[8].Constraint);
        Assert.False(q.Inclusive);
        Assert.Equal("0", Show(q.LowerBound!));
    }

    [Theory]
    [InlineData("-x^2", "(-(x ^ 2))")]
    [InlineData("2^-1", "(2 ^ (-1))")]
    [InlineData("a^b^c", "(a ^ (b ^ c))")]
    [InlineData("-a*b", "((-a) * b)")]
    [InlineData("a - b - c", "((a - b) - c)")]
    [InlineData("a / b / c", "((a / b) / c)")]
    [InlineData("a + b*c", "(a + (b * c))")]
    [InlineData("a*b + c", "((a * b) + c)")]
    [InlineData("-k * log(1 - i*mu*w)", "((-k) * log((1 - ((i * mu) * w))))")]
    [InlineData("--a", "(-(-a))")]
    [InlineData("+a - -b", "((+a) - (-b))")]
    [InlineData("a * -b", "(a * (-b))")]
    [InlineData("2*pi*t^2", "((2 * pi) * (t ^ 2))")]
    [InlineData("t^100000000000", "(t ^ 100000000000)")]
    [InlineData("(a + b)^2", "((a + b) ^ 2)")]
    [InlineData("categorical(p0, p1, p2) + uniform()", "(categorical(p0, p1, p2) + uniform())")]
    public void Operators_have_the_documented_precedence_and_associativity(string text, string expected)
    {
        Assert.Equal(expected, Show(ParseCgf(text)));
    }

    [Theory]
    [InlineData("(z - 0.49)^2", "((z - 0.49) ^ 2)")]
    [InlineData("z1*z2 + z[0]", "((z1 * z2) + z[0])")]
    [InlineData("  exp(-z^2)  # a comment", "exp((-(z ^ 2)))")]
    public void A_lone_expression_parses(string text, string expected)
    {
        var source = new SeriesCompiler.Symbolic.Diagnostics.SourceText("--f", text);
        var bag = new SeriesCompiler.Symbolic.Diagnostics.DiagnosticBag(source);
        var expression = Parser.ParseExpression(source, bag);
        Assert.Empty(bag.Items);
        Assert.Equal(expected, Show(expression));
    }

    [Fact]
    public void Numbers_keep_their_exact_source_text()
    {
        Assert.Equal("((((2 + 0.49) + 1e-3) + 2.5E+2) + 12345678901234567890.000000000000000000001)",
            Show(ParseCgf("2 + 0.49 + 1e-3 + 2.5E+2 + 12345678901234567890.000000000000000000001")));
    }

    [Fact]
    public void Spans_cover_the_source_text_of_each_node()
    {
        const string text = "distribution D(a) {\n    support real\n    cgf(t) = a*t + exp(t)\n}\n";
        var d = ParseSingle(text);
        var cgf = Assert.IsType<FunctionStatement>(d.Statements[1]);
        Assert.Equal("cgf(t) = a*t + exp(t)", text.Substring(cgf.Span.Start, cgf.Span.Length));
        var sum = Assert.IsType<BinaryExpression>(cgf.Body);
        Assert.Equal("exp(t)", text.Substring(sum.Right.Span.Start, sum.Right.Span.Length));
        Assert.Equal(text.TrimEnd('\n'), text.Substring(d.Span.Start, d.Span.Length));
    }
}
