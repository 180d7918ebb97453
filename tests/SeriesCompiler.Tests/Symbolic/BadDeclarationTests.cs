using System.Diagnostics;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;
using SeriesCompiler.Symbolic;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// Golden table of declarations that parse but must be refused in binding or derivation: each gets exactly the
/// listed positioned diagnostics (never a crash, never a partial rule). Positions are worked out from the texts:
/// the offending name or token, or the start of the cf/logcf/cgf statement for derivation errors.
/// </summary>
public sealed class BadDeclarationTests
{
    /// <summary>A declaration D(PARAMETERS) with 'support SUPPORT' on line 2 and STATEMENT on line 3 (at column 5).</summary>
    private static string D(string parameters, string statement, string support = "real") => Declaration(parameters, statement, support);

    public sealed record Case(string Name, string Text, string Id, int Line, int Column, string MessageFragment)
    {
        public override string ToString() => Name;
    }

    private static readonly Case[] Cases =
    [
        // ---- binding: names and functions
        new("unknown name", D("mu", "cgf(t) = mu*t + sigma*t^2"), "SC0101", 3, 21, "sigma"),
        new("unknown function", D("mu", "cgf(t) = mu*t + erf(t)"), "SC0102", 3, 21, "erf"),
        new("wrong argument count", D("mu", "cgf(t) = mu*t + exp(t, 2)"), "SC0103", 3, 21, "exp"),
        new("polygamma with a fractional order", D("a", "cgf(t) = a*t + polygamma(1.5, t)"), "SC0103", 3, 20, "polygamma"),
        new("missing support", "distribution D(mu) {\n    cgf(t) = mu*t\n}\n", "SC0104", 1, 14, "support"),
        new("missing cf, logcf and cgf", D("mu", "sample = mu"), "SC0105", 1, 14, "cf"),
        new("doubled cf", "distribution D(mu) {\n    support real\n    cgf(t) = mu*t\n    cf(w) = exp(i*mu*w)\n}\n", "SC0106", 4, 5, "cf"),
        new("doubled support", "distribution D(mu) {\n    support real\n    support positive\n    cgf(t) = mu*t\n}\n", "SC0106", 3, 5, "support"),
        new("parameter declared twice", D("mu, mu", "cgf(t) = mu*t"), "SC0107", 1, 20, "mu"),
        new("i in a cgf", D("mu", "cgf(t) = i*t"), "SC0108", 3, 14, "'i'"),
        new("i in a cgf, not first", D("mu", "cgf(t) = mu*t + i*t^2"), "SC0108", 3, 21, "'i'"),
        // A Cauchy exponent i*mu*w - s*abs(w) is accepted (a Lévy generator rule, tests/.../Levy); abs(w) elsewhere is not.
        new("abs(w) under log in a cf", D("mu", "cf(w) = exp(i*mu*w)*log(2 + abs(w))"), "SC0109", 3, 33, "inside log"),
        new("stable index 2", D("mu, s > 0", "logcf(w) = i*mu*w - s*abs(w)^2"), "SC0109", 3, 34, "0 < alpha < 2"),
        new("a draw in a cf", D("mu", "cf(w) = exp(i*mu*w)*normal()"), "SC0110", 3, 25, "normal"),
        new("a let holding a draw in a cf", "distribution D(mu) {\n    support real\n    let u = normal()\n    cf(w) = exp(i*u*w)\n}\n", "SC0110", 4, 19, "'u'"),
        new("support real^2 with cf(w)", D("mu", "cf(w) = exp(i*mu*w)", "real^2"), "SC0111", 3, 5, "dimension 2"),
        new("support real with cf(w1, w2)", D("a", "cf(w1, w2) = exp(i*a*w1*w2)"), "SC0111", 3, 5, "2 frequency variable"),
        new("number out of range", D("a", "cgf(t) = a*t*1e99999"), "SC0112", 3, 18, "1e99999"),
        new("value without latent", "distribution D(mu) {\n    support real\n    cgf(t) = mu*t\n    value = mu\n}\n", "SC0115", 4, 5, "latent"),
        new("latents with a cf", "distribution D(k > 0) {\n    support positive\n    cgf(t) = k*t\n    latent z ~ Gamma(k, 1)\n    value = z\n}\n", "SC0116", 3, 5, "latents"),
        new("non-constant bound", D("k > mu", "cgf(t) = k*t"), "SC0117", 1, 20, "mu"),
        new("empty interval", D("p in (1, 0)", "cgf(t) = p*t"), "SC0124", 1, 18, "empty"),
        new("2^100000000000", D("a", "cgf(t) = 2^100000000000*a*t"), "SC0118", 3, 14, "exponent"),
        new("division by zero", D("a", "cgf(t) = 1/0 + a*t"), "SC0118", 3, 14, "division by zero"),
        new("log(0)", D("a", "cgf(t) = log(0) + a*t"), "SC0118", 3, 14, "log(0)"),
        new("tuple in a cgf", D("mu", "cgf(t) = mu*t + (1, 2)"), "SC0120", 3, 21, "tuple"),

        // ---- binding through the library: latents (reported when the derived distribution is derived)
        new("latent naming an unknown distribution", "distribution D(k > 0) {\n    support positive\n    latent z ~ Gammma(k, 1)\n    value = 2*z\n}\n", "SC0113", 3, 16, "Gammma"),
        new("latent with the wrong number of arguments", "distribution D(k > 0) {\n    support positive\n    latent z ~ Gamma(k)\n    value = z\n}\n", "SC0119", 3, 5, "Gamma"),

        // ---- derivation: positioned at the start of the cf/logcf/cgf statement
        new("phi(0) != 1", D("a", "cf(w) = 2*exp(i*w)"), "SC1002", 3, 5, "phi(0)"),
        new("K(0) != 0", D("a", "cgf(t) = a*t + 1"), "SC1002", 3, 5, "K(0)"),
        new("non-real coefficients", D("mu", "cf(w) = exp(mu*w)"), "SC1003", 3, 5, "not real"),
        new("log(w) in a logcf", D("a", "logcf(w) = i*a*w + log(w)"), "SC1001", 3, 5, "log"),
        new("log(t) in a cgf", D("a", "cgf(t) = a*t + log(t)"), "SC1001", 3, 5, "log"),
        new("sqrt(w) in a cf", D("a", "cf(w) = exp(i*a*w)*sqrt(w)"), "SC1001", 3, 5, "sqrt"),
        new("sqrt(w) in a logcf", D("a", "logcf(w) = i*a*w - sqrt(w)"), "SC1001", 3, 5, "branch point"),
        new("a pole 1/t", D("a", "cgf(t) = 1/t"), "SC1001", 3, 5, "pole"),
        new("a pole in a cf", D("a", "cf(w) = exp(i*a*w)/w"), "SC1001", 3, 5, "pole"),
        new("a double pole left after cancelling", D("a", "cgf(t) = a*t + sin(t)/t^3"), "SC1001", 3, 5, "pole"),
        new("an essential singularity exp(1/t)", D("a", "cgf(t) = a*t + exp(1/t)"), "SC1001", 3, 5, "not analytic"),
        new("lgamma pole at t = 0", D("k > 0", "cgf(t) = lgamma(t)"), "SC1001", 3, 5, "lgamma"),
        new("a symbolic power of t", D("a", "cgf(t) = a*t + t^a"), "SC1001", 3, 5, "not analytic"),
        new("a mixed term that is not a monomial", D("a", "cgf(t1, t2) = a*t1 + t1*t2/(t1 + t2)", "real^2"), "SC1006", 3, 5, "monomial"),
    ];

    public static TheoryData<Case> Table() => new(Cases);

    [Fact]
    public void Table_has_at_least_twenty_cases_and_covers_the_binding_and_derivation_ids()
    {
        Assert.True(Cases.Length >= 20);
        var ids = Cases.Select(c => c.Id).ToHashSet();
        foreach (var id in new[] { "SC0101", "SC0102", "SC0103", "SC0104", "SC0105", "SC0106", "SC0108", "SC0109", "SC0110", "SC0111",
                                   "SC0112", "SC0113", "SC0115", "SC1001", "SC1002", "SC1003" })
            Assert.Contains(id, ids);
        Assert.All(ids, id => Assert.Contains(DiagnosticCatalogue.All, d => d.Id == id));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Refused_with_one_positioned_diagnostic(Case c)
    {
        var watch = Stopwatch.StartNew();
        var ws = Compile(c.Text);
        var all = new List<Diagnostic>(ws.Diagnostics);
        var d = Assert.Single(ws.Distributions);
        var (rule, derivation) = ws.Derive(d, 10);
        all.AddRange(derivation);
        watch.Stop();

        var only = Assert.Single(all);
        Assert.Equal((c.Id, c.Line, c.Column), (only.Id, only.Line, only.Column));
        Assert.True(only.IsError);
        Assert.Equal("test.dist", only.Path);
        Assert.Contains(c.MessageFragment, only.Message, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith($"test.dist({c.Line},{c.Column}): error {c.Id}: ", only.ToString());
        Assert.Null(rule); // never a partial output
        if (ws.Diagnostics.Count > 0) Assert.False(ws.IsValid(d)); // a declaration with binding errors is never derived
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    /// <summary>Two declarations building on each other: each latent that closes the cycle is reported at its distribution name.</summary>
    [Fact]
    public void Cycle_of_latents_is_reported_at_each_latent()
    {
        const string text = """
            distribution A(k > 0) {
                support positive
                latent z ~ B(k)
                value = z
            }
            distribution B(k > 0) {
                support positive
                latent y ~ A(k)
                value = y
            }
            """;
        var ws = Compile(text);
        Assert.Empty(ws.Diagnostics);
        Assert.Equal(2, ws.Distributions.Count);
        var (ruleA, diagnosticsA) = ws.Derive(ws.Distributions[0], 4);
        var (ruleB, diagnosticsB) = ws.Derive(ws.Distributions[1], 4);
        Assert.Null(ruleA);
        Assert.Null(ruleB);
        var a = Assert.Single(diagnosticsA);
        var b = Assert.Single(diagnosticsB);
        Assert.Equal(("SC0114", 3, 16), (a.Id, a.Line, a.Column));
        Assert.Equal(("SC0114", 8, 16), (b.Id, b.Line, b.Column));
        Assert.Contains("again", a.Message);
    }

    /// <summary>The path in the cycle message follows the chain of latents, A -> B -> A when deriving A.</summary>
    [Fact]
    public void Cycle_message_follows_the_chain()
    {
        const string text = "distribution A(k > 0) {\n    support positive\n    latent z ~ B(k)\n    value = z\n}\n"
                          + "distribution B(k > 0) {\n    support positive\n    latent y ~ A(k)\n    value = y\n}\n";
        var ws = Compile(text);
        var a = Assert.Single(ws.Derive(ws.Distributions[0], 4).Diagnostics);
        Assert.EndsWith("A -> B -> A", a.Message);
        var b = Assert.Single(ws.Derive(ws.Distributions[1], 4).Diagnostics);
        Assert.EndsWith("B -> A -> B", b.Message);
    }

    [Fact]
    public void A_distribution_built_from_itself_is_a_cycle()
    {
        var ws = Compile("distribution Self(k > 0) {\n    support positive\n    latent z ~ Self(k)\n    value = z\n}\n");
        var (rule, diagnostics) = ws.Derive(Assert.Single(ws.Distributions), 4);
        Assert.Null(rule);
        var d = Assert.Single(diagnostics);
        Assert.Equal(("SC0114", 3, 16), (d.Id, d.Line, d.Column));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(DerivationLimits.MaxOrder + 1)]
    [InlineData(1000)]
    public void Order_out_of_range_is_refused_at_the_distribution_name(int order)
    {
        var ws = Compile(D("mu, sigma > 0", "cgf(t) = mu*t + sigma^2*t^2/2"));
        var (rule, diagnostics) = ws.Derive(Assert.Single(ws.Distributions), order);
        Assert.Null(rule);
        var d = Assert.Single(diagnostics);
        Assert.Equal(("SC1004", 1, 14), (d.Id, d.Line, d.Column));
        Assert.Contains(order.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(DerivationLimits.MaxOrder)]
    public void Orders_at_the_limits_are_accepted(int order)
    {
        var rule = Derive(D("mu, sigma > 0", "cgf(t) = mu*t + sigma^2*t^2/2"), order);
        Assert.Equal(order, rule.Coefficients.Length);
        Assert.Equal(P("mu"), rule.Coefficients[0].Value);
    }

    /// <summary>
    /// t^100000000000 is zero to every order a rule can have (at most 64): a legitimate term, not an error.
    /// It must be derived at once, without building the power.
    /// </summary>
    [Fact]
    public void Huge_power_of_t_is_zero_to_every_order_and_fast()
    {
        var watch = Stopwatch.StartNew();
        var rule = Derive(D("a", "cgf(t) = a*t + t^100000000000"), DerivationLimits.MaxOrder);
        watch.Stop();
        Assert.Equal(P("a"), C(rule, 1));
        Assert.All(rule.Coefficients.Skip(1), c => Assert.Equal(Ex.Zero, c.Value));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    /// <summary>A huge power of a constant is refused quickly, wherever it stands.</summary>
    [Theory]
    [InlineData("cgf(t) = a*t + 2^100000000000")]
    [InlineData("cgf(t) = a*t*2^100000000000")]
    [InlineData("cgf(t) = a*t + 3^(2^40)")]
    [InlineData("cgf(t) = a*t + (1/3)^1000000000")]
    public void Huge_constant_powers_are_an_error_not_a_hang(string statement)
    {
        var watch = Stopwatch.StartNew();
        var all = AllDiagnostics(D("a", statement));
        watch.Stop();
        var d = Assert.Single(all);
        Assert.Equal("SC0118", d.Id);
        Assert.Equal(3, d.Line);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    /// <summary>A binding error inside an expression is positioned at the offending sub-expression, not at the start of the statement's body.</summary>
    [Theory]
    [InlineData("cgf(t) = a*t + 2^100000000000", 20)]
    [InlineData("cgf(t) = a*t + 1/0", 20)]
    public void Invalid_arithmetic_is_positioned_at_the_offending_operation(string statement, int column)
    {
        var d = Assert.Single(AllDiagnostics(D("a", statement)));
        Assert.Equal(("SC0118", 3, column), (d.Id, d.Line, d.Column));
    }

    /// <summary>t1/t2 has no power series at (0, 0): it must be refused as not analytic, not as 'K(0) != 0'.</summary>
    [Fact]
    public void Quotient_of_frequency_variables_is_not_analytic()
    {
        var d = Assert.Single(AllDiagnostics(D("a", "cgf(t1, t2) = a*t1 + t1/t2", "real^2")));
        Assert.Equal(("SC1001", 3, 5), (d.Id, d.Line, d.Column));
    }

    /// <summary>A frequency variable named like a parameter gets one error, not a second one about the variable count.</summary>
    [Fact]
    public void Frequency_variable_named_like_a_parameter_gets_one_diagnostic()
    {
        var d = Assert.Single(AllDiagnostics(D("mu", "cgf(mu) = mu")));
        Assert.Equal(("SC0107", 3, 9), (d.Id, d.Line, d.Column));
    }

    [Fact]
    public void Frequency_variable_named_like_a_parameter_is_refused()
    {
        var all = AllDiagnostics(D("mu", "cgf(mu) = mu"));
        Assert.Equal(("SC0107", 3, 9), (all[0].Id, all[0].Line, all[0].Column));
    }

    /// <summary>A declaration with binding errors is not derived: Derive reports nothing new and returns no rule.</summary>
    [Fact]
    public void Declaration_with_binding_errors_is_not_derived()
    {
        var ws = Compile(D("mu", "cgf(t) = mu*t + sigma*t^2"));
        var d = Assert.Single(ws.Distributions);
        Assert.False(ws.IsValid(d));
        var (rule, diagnostics) = ws.Derive(d, 4);
        Assert.Null(rule);
        Assert.Empty(diagnostics);
    }

    /// <summary>Errors in several statements are all reported, in file order.</summary>
    [Fact]
    public void Several_errors_are_all_reported()
    {
        var text = "distribution D(mu) {\n    support real\n    cgf(t) = mu*t + sigma*t^2 + erf(t)\n    logpdf(z) = nu*z\n}\n";
        var all = AllDiagnostics(text);
        Assert.Equal(["SC0101@3,21", "SC0102@3,33", "SC0101@4,17"], all.Select(d => $"{d.Id}@{d.Line},{d.Column}").ToArray());
    }
}
