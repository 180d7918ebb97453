using System.Diagnostics;
using System.Text;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Tests.Emit;
using Xunit;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// The limits review (issue 6, item 2): inputs at and beyond each limit get either a result or a clear diagnostic,
/// quickly, without a stack overflow. Every input runs on a thread with a 1 MiB stack (the main thread's size on
/// Windows, smaller than Linux's 8 MiB), bounded in time. The inputs that once misbehaved are in
/// <see cref="FuzzRegressionTests"/>.
/// </summary>
public sealed class LimitsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private sealed record Outcome(IReadOnlyList<Diagnostic> Diagnostics, int Rules, GenerationResult? Generated, TimeSpan Elapsed)
    {
        public IEnumerable<string> Ids => Diagnostics.Select(d => d.Id);
        public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);
        public override string ToString() => $"{Elapsed.TotalSeconds:0.0} s, {Rules} rule(s): " + string.Join("\n", Diagnostics.Take(5));
    }

    /// <summary>Parse, bind, derive at <paramref name="order"/> and, when asked, emit; on a 1 MiB stack, bounded in time.</summary>
    private static Outcome Run(string text, int order = 4, bool emit = true)
    {
        Outcome? outcome = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                var watch = Stopwatch.StartNew();
                var source = new SourceText("limits.dist", text);
                var workspace = Workspace.Create([source], text.Contains("latent", StringComparison.Ordinal) ? EmitFixture.BundledSources() : []);
                var diagnostics = new List<Diagnostic>(workspace.Diagnostics);
                int rules = 0;
                foreach (var d in workspace.Distributions.Where(workspace.IsValid))
                {
                    var (rule, derived) = workspace.Derive(d, order);
                    diagnostics.AddRange(derived);
                    if (rule is not null) rules++;
                }
                var generated = emit ? RuleGenerator.Generate(workspace, order) : null;
                if (generated is not null) diagnostics.AddRange(generated.Diagnostics.Where(d => !diagnostics.Contains(d)));
                outcome = new Outcome(diagnostics, rules, generated, watch.Elapsed);
            }
            catch (Exception ex)
            {
                error = ex;
            }
        }, maxStackSize: 1 << 20) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Limit), $"no result within {Limit.TotalSeconds} s");
        Assert.True(error is null, error?.ToString());
        foreach (var d in outcome!.Diagnostics)
            Assert.True(d.Line >= 1 && d.Column >= 1 && d.Path == "limits.dist", $"unpositioned: {d}");
        return outcome;
    }

    private static string Decl(string parameters, string body, string support = "real") =>
        $"distribution D({parameters}) {{\n    support {support}\n    {body}\n}}\n";

    private static string Parameters(int count) => string.Join(", ", Enumerable.Range(1, count).Select(i => "p" + i));

    /// <summary>Terms joined by an operator, grouped in parentheses so that no chain exceeds the parser's height limit.</summary>
    private static string Grouped(IEnumerable<string> terms, string op, int group = 500)
    {
        var list = terms.ToList();
        while (list.Count > group) list = list.Chunk(group).Select(c => "(" + string.Join(op, c) + ")").ToList();
        return string.Join(op, list);
    }

    private static void AssertOnly(Outcome outcome, string id)
    {
        Assert.True(outcome.Errors.Any(), outcome.ToString());
        Assert.All(outcome.Errors, d => Assert.Equal(id, d.Id));
    }

    private static void AssertDerived(Outcome outcome, int rules = 1)
    {
        Assert.True(!outcome.Errors.Any() && outcome.Rules == rules, outcome.ToString());
        if (outcome.Generated is { } g) Assert.False(g.HasErrors, outcome.ToString());
    }

    // ---- nesting depth (Parser.MaxNestingDepth = 200) ----

    [Fact]
    public void Nesting_just_below_the_limit_is_derived_and_emitted_on_a_small_stack() =>
        AssertDerived(Run(Decl("a", "cgf(t) = a*" + new string('(', 198) + "t" + new string(')', 198))));

    [Fact]
    public void Calls_nested_150_deep_are_derived_to_order_12_on_a_small_stack() =>
        AssertDerived(Run(Decl("a", "cgf(t) = a*" + string.Concat(Enumerable.Repeat("sin(", 150)) + "t" + new string(')', 150)), order: 12));

    [Theory]
    [InlineData(201)]
    [InlineData(100_000)]
    public void Parentheses_beyond_the_limit_are_SC0017(int depth)
    {
        var outcome = Run(Decl("a", "cgf(t) = a*" + new string('(', depth) + "t" + new string(')', depth)));
        AssertOnly(outcome, "SC0017");
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(10), outcome.ToString());
    }

    [Theory]
    [InlineData("-")]
    [InlineData("exp(")]
    [InlineData("2^")]
    public void Signs_calls_and_powers_nested_100000_deep_are_SC0017(string prefix)
    {
        string close = prefix.EndsWith('(') ? new string(')', 100_000) : "";
        AssertOnly(Run(Decl("a", "cgf(t) = a*" + string.Concat(Enumerable.Repeat(prefix, 100_000)) + "t" + close)), "SC0017");
    }

    // ---- expression size (Parser.MaxExpressionHeight = 1000) ----

    [Fact]
    public void A_chain_of_1000_operations_is_derived_and_1001_is_SC0018()
    {
        AssertDerived(Run(Decl("a", "cgf(t) = a*t" + string.Concat(Enumerable.Repeat(" + t", 998)))));
        AssertOnly(Run(Decl("a", "cgf(t) = a*t" + string.Concat(Enumerable.Repeat(" + t", 1001)))), "SC0018");
    }

    [Fact]
    public void An_expression_of_20000_grouped_terms_is_derived()
    {
        var outcome = Run(Decl("a", "cgf(t) = a*(" + Grouped(Enumerable.Range(1, 20_000).Select(i => $"{i}*t^{1 + i % 5}"), " + ") + ")"));
        AssertDerived(outcome);
    }

    // ---- the order N (DerivationLimits.MaxOrder = 64) ----

    [Theory]
    [InlineData("normal")]
    [InlineData("gamma")]
    [InlineData("poisson")]
    [InlineData("laplace")]
    [InlineData("logistic")]
    [InlineData("uniform")]
    [InlineData("binomial")]
    [InlineData("bivariatenormal")]
    public void Bundled_declarations_derive_at_the_maximum_order(string name) =>
        AssertDerived(Run(File.ReadAllText(Path.Combine(EmitFixture.DistributionsFolder, name + ".dist")), order: DerivationLimits.MaxOrder, emit: false));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65)]
    [InlineData(int.MaxValue)]
    public void An_order_outside_1_to_64_is_SC1004(int order) =>
        AssertOnly(Run(File.ReadAllText(Path.Combine(EmitFixture.DistributionsFolder, "normal.dist")), order), "SC1004");

    // ---- numbers and exponents ----

    [Theory]
    [InlineData("1e1000*a*t")]
    [InlineData("1e-1000*a*t")]
    [InlineData("(1 + a)^1000000*t")]                 // a power of a sum above 64 stays a power
    [InlineData("a*t + t^1000000000")]                // shifted beyond every order
    [InlineData("a*log((1 + t)^1000000000000000000)")]
    [InlineData("(1 + a*t)^1000000 - 1")]
    [InlineData("exp(1e1000*a*t) - 1")]
    public void Large_numbers_and_exponents_that_fit_are_derived(string cgf) =>
        AssertDerived(Run(Decl("a > 0", "cgf(t) = " + cgf), order: 12));

    [Theory]
    [InlineData("1e1001*a*t", "SC0112")]
    [InlineData("1e-1001*a*t", "SC0112")]
    [InlineData("1e99999999999999999999*a*t", "SC0112")]
    [InlineData("2^1000000*a*t", "SC0118")]
    [InlineData("7^300000*7^300000*a*t", "SC0118")]
    [InlineData("2^99999999999999999999*a*t", "SC0118")]
    [InlineData("a*t + t^-1000000000", "SC1001")]
    [InlineData("exp((1e1000)^90*a*t) - 1", "SC1005")]
    public void Numbers_and_exponents_beyond_the_limits_are_diagnostics(string cgf, string id)
    {
        var outcome = Run(Decl("a > 0", "cgf(t) = " + cgf));
        AssertOnly(outcome, id);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(20), outcome.ToString());
    }

    [Fact]
    public void A_literal_of_a_million_digits_is_SC0118_and_of_100000_digits_is_derived()
    {
        AssertOnly(Run(Decl("a", "cgf(t) = 1" + new string('7', 1_000_000) + "*a*t"), emit: false), "SC0118");
        AssertDerived(Run(Decl("a", "cgf(t) = 1" + new string('7', 100_000) + "*a*t"), emit: false));
    }

    // ---- parameters ----

    [Fact]
    public void A_thousand_parameters_are_derived_and_emitted()
    {
        var outcome = Run(Decl(Parameters(1000), "cgf(t) = (" + Grouped(Enumerable.Range(1, 1000).Select(i => "p" + i), " + ") + ")*t"), order: 2);
        AssertDerived(outcome);
    }

    [Fact]
    public void A_rule_of_more_than_a_megabyte_of_source_is_emitted_whole()
    {
        // 5000 parameters at order 4: about 2.4 MB of C#. Scriban once cut inserted strings at 1 MiB with "...".
        var outcome = Run(Decl(Parameters(5000), "cgf(t) = p1*t"), order: 4);
        AssertDerived(outcome);
        var rule = outcome.Generated!.Files.Single(f => f.FileName == "DRule.g.cs").Content;
        Assert.True(rule.Length > 2_000_000, $"{rule.Length} characters");
        var errors = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(rule).GetDiagnostics()
            .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Take(3).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.EndsWith("}\n", rule);
    }

    [Fact]
    public void A_thousand_unused_parameters_get_one_warning_each()
    {
        var outcome = Run(Decl(Parameters(1000), "cgf(t) = p1*t"), order: 2, emit: false);
        AssertDerived(outcome);
        Assert.Equal(999, outcome.Diagnostics.Count(d => d.Id == "SC1007"));
    }

    // ---- file size, identifiers, many declarations ----

    [Fact]
    public void Fifty_megabytes_of_comments_around_a_declaration_are_read_quickly()
    {
        var sb = new StringBuilder(51_000_000);
        string line = "# " + new string('c', 98) + "\n";
        for (int k = 0; k < 500_000; k++) sb.Append(line);
        sb.Append(File.ReadAllText(Path.Combine(EmitFixture.DistributionsFolder, "normal.dist")));
        var outcome = Run(sb.ToString());
        AssertDerived(outcome);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(30), outcome.ToString());
    }

    [Fact]
    public void A_parameter_name_of_200_characters_is_derived_and_emitted()
    {
        string name = new('a', SeriesCompiler.Symbolic.Syntax.Lexer.MaxNameLength);
        AssertDerived(Run(Decl(name + " > 0", $"cgf(t) = {name}*t")));
    }

    [Fact]
    public void A_name_of_a_million_characters_is_SC0020_quoted_shortened()
    {
        var outcome = Run(Decl("a", $"cgf(t) = {new string('x', 1_000_000)}*t"), emit: false);
        AssertOnly(outcome, "SC0020");
        Assert.All(outcome.Diagnostics, d => Assert.True(d.Message.Length < 200, d.Message));
    }

    [Fact]
    public void An_unknown_name_of_200_characters_is_SC0101() =>
        AssertOnly(Run(Decl("a", $"cgf(t) = {new string('x', 200)}*t"), emit: false), "SC0101");

    [Fact]
    public void Two_thousand_declarations_in_one_file_are_derived()
    {
        var text = string.Concat(Enumerable.Range(1, 2000).Select(i => $"distribution D{i}(mu, s > 0) {{\n    support real\n    cgf(t) = mu*t + s^2*t^2/{i}\n}}\n"));
        AssertDerived(Run(text, emit: false), rules: 2000);
    }

    // ---- let chains ----

    [Theory]
    [InlineData(20)]
    [InlineData(60)]
    public void Chained_squares_of_a_sum_are_derived_or_SC0118_quickly(int levels)
    {
        // a(k) = a(k-1)^2 from a1 = 1 + mu would expand (1 + mu)^(2^(k-1)): the expansion stops where a square would
        // have more than Ex.MaxExpandedPowerTerms terms (the power then stays a power), or a constant grows past
        // the cap on exact constants (SC0118); either way quickly.
        var sb = new StringBuilder("distribution D(mu > 0) {\n    support real\n    let a1 = 1 + mu\n");
        for (int k = 2; k <= levels; k++) sb.Append($"    let a{k} = a{k - 1}*a{k - 1}\n");
        sb.Append($"    cgf(t) = a{levels}*t\n}}\n");
        var outcome = Run(sb.ToString());
        Assert.All(outcome.Errors, d => Assert.Equal("SC0118", d.Id));
        if (!outcome.Errors.Any()) AssertDerived(outcome);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(20), outcome.ToString());
    }

    [Theory]
    [InlineData("1 + mu", "+")]   // a60 = 2^59 (1 + mu): coefficients double, the size stays
    [InlineData("mu", "*")]       // a60 = mu^(2^59): one exponent
    public void Sixty_chained_lets_that_do_not_grow_are_derived(string first, string op)
    {
        var sb = new StringBuilder("distribution D(mu > 0) {\n    support real\n");
        sb.Append($"    let a1 = {first}\n");
        for (int k = 2; k <= 60; k++) sb.Append($"    let a{k} = a{k - 1}{op}a{k - 1}\n");
        sb.Append("    cgf(t) = a60*t\n}\n");
        AssertDerived(Run(sb.ToString()));
    }
}
