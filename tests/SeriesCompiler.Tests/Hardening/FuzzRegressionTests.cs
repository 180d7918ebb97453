using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using SeriesCompiler.Fuzz;
using SeriesCompiler.Symbolic.Diagnostics;
using Xunit;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Crashes, hangs and wrong diagnostics the fuzzer (tests/SeriesCompiler.Fuzz) and the limits review once found, each
/// reduced to a minimal declaration and kept as a regression test. Every declaration runs in a child process
/// (<see cref="IsolatedFuzzer.Replay"/>) with a time limit and a capped heap, so a stack overflow, a hang or memory
/// exhaustion fails the test instead of the test run. A replay is clean when no exception escapes, every diagnostic
/// is positioned, and (with compile) the generated C# compiles. Bugs found and not yet fixed go here skipped, with an
/// entry in tests/SeriesCompiler.Fuzz/KnownIssues.cs.
/// </summary>
public sealed class FuzzRegressionTests
{
    // Generous: the slowest case (a product of 14 sums, 16384 terms, derived in 14 parameters) takes about 10 s
    // alone and must pass on a loaded 2-core machine; a real hang runs into the work budget or minutes.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private static string Decl(string parameters, string body, string support = "real") =>
        $"distribution D({parameters}) {{\n    support {support}\n    {body}\n}}\n";

    private static void AssertClean(string text, int order = 4, bool compile = false, string? expectId = null)
    {
        var result = IsolatedFuzzer.Replay(text, order, Limit, compile);
        Assert.True(result.Clean, result.ToString());
        if (expectId is not null) Assert.Contains(expectId, result.Output);
    }

    // ---- Crashes ----

    [Fact]
    public void The_catalogue_lists_every_id_in_a_process_that_has_not_reported_anything()
    {
        // A fresh copy of the assembly, as in a process that has not reported a diagnostic yet.
        var context = new AssemblyLoadContext("fresh-catalogue", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(typeof(DiagnosticCatalogue).Assembly.Location);
            var all = (System.Collections.IEnumerable)assembly.GetType(typeof(DiagnosticCatalogue).FullName!)!
                .GetProperty(nameof(DiagnosticCatalogue.All), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            Assert.NotEmpty(all.Cast<object>());
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void A_fractional_power_of_exp_is_derived() =>
        AssertClean(Decl("b", "cgf(t) = sqrt(exp(b))*t"));

    [Fact]
    public void A_fractional_power_of_exp_times_exp_binds() =>
        AssertClean(Decl("b", "cgf(t) = sqrt(exp(b))*exp(b)*t"));

    [Fact]
    public void A_symbolic_power_of_exp_is_derived() =>
        AssertClean(Decl("b, beta > 0", "cgf(t) = exp(b)^beta*t"));

    [Theory]
    [InlineData("cgf(t) = mu*t*(1 - mu)^4294967296")]
    [InlineData("cgf(t) = mu*t\n    logpdf(z) = -(z - mu)^1e+300/2")]
    public void A_power_of_a_sum_beyond_int32_is_a_diagnostic(string body) =>
        AssertClean(Decl("mu", body));

    [Fact]
    public void A_draw_in_a_log_density_is_SC0110() =>
        AssertClean("distribution D(a) {\n    support real\n    cgf(t) = a*t\n    let u = uniform()\n    logpdf(z) = z - log(u)\n}\n", expectId: "SC0110");

    [Fact]
    public void A_declaration_with_1001_parameters_is_emitted_or_refused_with_a_diagnostic() =>
        AssertClean(Decl(string.Join(", ", Enumerable.Range(1, 1001).Select(i => "p" + i)), "cgf(t) = p1*t"), order: 2);

    [Fact]
    public void A_very_long_distribution_name_is_refused_or_compiles() =>
        AssertClean("distribution " + new string('D', 1100) + "(a) {\n    support real\n    cgf(t) = a*t\n}\n", order: 2, compile: true);

    // ---- Hangs and memory exhaustion: now bounded by the work budget (SC1005) or made fast ----

    [Fact]
    public void A_large_power_of_a_sum_with_a_content_is_quick() =>
        AssertClean(Decl("a, b", "cgf(t) = t*(2*a + 2*b)^100000000"));

    [Fact]
    public void A_power_tower_is_refused_quickly() =>
        AssertClean(Decl("mu > 0", "cgf(t) = mu*(" + string.Concat(Enumerable.Repeat("2^", 40)) + "t - 1)"));

    [Fact]
    public void Deeply_nested_exp_is_derived_or_refused_quickly()
    {
        string Nest(string inner) => string.Concat(Enumerable.Repeat("exp(", 40)) + inner + new string(')', 40);
        AssertClean(Decl("a", $"cgf(t) = {Nest("a*t")} - {Nest("0")}"));
    }

    [Fact]
    public void A_product_of_many_sums_is_derived_or_refused_quickly() =>
        AssertClean(Decl(string.Join(", ", Enumerable.Range(1, 14).Select(i => "p" + i)),
            "cgf(t) = t*" + string.Join("*", Enumerable.Range(1, 14).Select(i => $"(1 + p{i})"))));

    [Fact]
    public void A_power_of_a_long_sum_is_derived_or_refused_quickly() =>
        AssertClean(Decl("a, b, c, d", "cgf(t) = t*(a + b + c + d)^64"));

    [Theory]
    [InlineData("exp(")]
    [InlineData("2^")]
    public void Nesting_within_the_parser_limit_is_derived_or_refused_within_memory(string prefix)
    {
        string close = prefix.EndsWith('(') ? new string(')', 150) : "";
        AssertClean(Decl("a > 0", $"cgf(t) = a*({string.Concat(Enumerable.Repeat(prefix, 150))}t{close} - 1)"));
    }

    [Fact]
    public void A_log_of_lgamma_over_symbolic_constants_is_quick() =>
        AssertClean(Decl("b", "logcf(x) = b + b*(log(1 + (lgamma(3 + (pi - 3)*(i*x)) - lgamma(7))))", "{0, 1}"), order: 12);

    [Fact]
    public void Bundled_declarations_emit_at_the_maximum_order_in_reasonable_time() =>
        AssertClean(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "distributions", "negativebinomial.dist")), order: 64);

    [Fact]
    public void Five_thousand_parameters_are_handled_quickly() =>
        AssertClean(Decl(string.Join(", ", Enumerable.Range(1, 5000).Select(i => "p" + i)), "cgf(t) = p1*t"));

    // ---- Wrong diagnostics ----

    [Fact]
    public void Messages_quote_long_names_shortened()
    {
        var result = IsolatedFuzzer.Replay(Decl("a", $"cgf(t) = {new string('x', 100_000)}*t"), 4, Limit);
        Assert.Contains("SC0020", result.Output);
        Assert.All(result.Output.Split('\n'), line => Assert.True(line.Length < 1000, $"a line of {line.Length} characters"));
    }

    [Fact]
    public void A_multivariate_branch_point_is_explained_in_the_declaration_s_variables()
    {
        var result = IsolatedFuzzer.Replay(Decl("a > 0", "cgf(t1, t2) = a*sqrt(t1^2 + t2^2)", "real^2"), 4, Limit);
        Assert.Contains("SC1001", result.Output);
        Assert.DoesNotContain("s#", result.Output);
    }
}
