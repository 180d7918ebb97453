using Xunit;
using static SeriesCompiler.Tests.Syntax.SyntaxTestHelpers;

namespace SeriesCompiler.Tests.Syntax;

/// <summary>
/// Golden table of broken declarations: the first diagnostic's id, line and column. The positions were
/// worked out by hand from the inputs (1-based columns): a diagnostic points at the offending token, or,
/// when the line or file ended too early, right after the last token, where the missing text belongs.
/// </summary>
public sealed class SyntaxErrorTests
{
    // The line under test becomes line 3 of a declaration that is otherwise clean.
    private static string Body(string line) => "distribution D(a) {\n    support real\n" + line + "\n}\n";

    public static TheoryData<string, string, string, int, int> Cases() => new()
    {
        // name, source, first id, line, column
        { "empty file", "", "SC0003", 1, 1 },
        { "whitespace only", "   \n\t\n", "SC0003", 1, 1 },
        { "comment only", "# just a comment\n", "SC0003", 1, 1 },
        { "text that is no declaration", "hello world\n", "SC0004", 1, 1 },
        { "statement after the body", "distribution D(a) {\n    support real\n    cgf(t) = a*t\n}\nsample = 1\n", "SC0004", 5, 1 },
        { "missing distribution name", "distribution (a) {\n}\n", "SC0005", 1, 14 },
        { "empty family size", "distribution D[](a) {\n}\n", "SC0005", 1, 16 },
        { "reserved word as parameter", "distribution D(real) {\n}\n", "SC0006", 1, 16 },
        { "missing parameter list", "distribution D a > 0 {\n}\n", "SC0008", 1, 16 },
        { "unclosed parameter list", "distribution D(a, b > 0 {\n    support real\n}\n", "SC0009", 1, 25 },
        { "'=' instead of a constraint", "distribution D(k = 0) {\n}\n", "SC0016", 1, 18 },
        { "interval without comma", "distribution D(p in (0 1)) {\n}\n", "SC0008", 1, 24 },
        { "integer misspelt", "distribution D(n : int >= 1) {\n}\n", "SC0008", 1, 20 },
        { "missing '{' before the body", "distribution D(a)\n    support real\n}\n", "SC0011", 1, 18 },
        { "text instead of '{'", "distribution D(a) foo {\n}\n", "SC0011", 1, 19 },
        { "missing '}' at end of file", "distribution D(a) {\n    support real\n    sample = a\n", "SC0012", 3, 15 },
        { "missing '}' before next declaration", "distribution D(a) {\n    support real\n\ndistribution E(b) {\n    support real\n}\n", "SC0012", 4, 1 },
        { "unknown statement", Body("    pdf(z) = z"), "SC0013", 3, 5 },
        { "misspelt statement", Body("    suport real"), "SC0013", 3, 5 },
        { "missing '=' after cgf", Body("    cgf(t) a*t"), "SC0010", 3, 12 },
        { "missing '=' after sample", Body("    sample a"), "SC0010", 3, 12 },
        { "unclosed call at end of line", Body("    cgf(t) = exp(a*t"), "SC0009", 3, 21 },
        { "unclosed call at end of file", "distribution D(a) {\n    support real\n    cgf(t) = exp(t", "SC0009", 3, 19 },
        { "unclosed tuple", Body("    sample = (a, a"), "SC0009", 3, 19 },
        { "unclosed index", Body("    value[j = g[j]"), "SC0009", 3, 13 },
        { "trailing operator at end of block", Body("    cgf(t) = a*t +"), "SC0007", 3, 19 },
        { "nothing after '='", Body("    let u ="), "SC0007", 3, 12 },
        { "'**' for a power", Body("    cgf(t) = t**2"), "SC0007", 3, 16 },
        { "stray token after statement", Body("    support real extra"), "SC0014", 3, 18 },
        { "unknown support domain", Body("    support reals"), "SC0015", 3, 13 },
        { "support power that is not a number", Body("    support real^x"), "SC0008", 3, 18 },
        { "unclosed finite set", Body("    support {0, 1"), "SC0009", 3, 18 },
        { "function without variable", Body("    cf() = 1"), "SC0005", 3, 8 },
        { "latent without '~'", Body("    latent z Gamma(a, 1)"), "SC0008", 3, 14 },
        { "reserved word as helper name", Body("    let real = 1"), "SC0006", 3, 9 },
        { "bad character", Body("    cgf(t) = a $ t"), "SC0001", 3, 16 },
        { "number glued to a name", Body("    cgf(t) = 2pi*t"), "SC0002", 3, 14 },
        { "parentheses nested too deeply", Body("    cgf(t) = " + new string('(', 300) + "t" + new string(')', 300)), "SC0017", 3, 214 },
        { "signs nested too deeply", Body("    cgf(t) = " + new string('-', 300) + "t"), "SC0017", 3, 214 },
        { "operator chain too long", Body("    cgf(t) = t" + string.Concat(Enumerable.Repeat(" + t", 1000))), "SC0018", 3, 4012 },
        { "name too long", Body("    let " + new string('u', 201) + " = a"), "SC0020", 3, 9 },
    };

    // Lone expressions, as the command line's '--f' takes them.
    public static TheoryData<string, string, string, int, int> ExpressionCases() => new()
    {
        { "empty expression", "", "SC0007", 1, 1 },
        { "two expressions", "(z - 0.49)^2 z", "SC0019", 1, 14 },
        { "trailing operator", "z^2 +", "SC0007", 1, 6 },
        { "unclosed call", "exp(z", "SC0009", 1, 6 },
        { "statement keyword", "z + sample", "SC0007", 1, 5 },
    };

    [Theory]
    [MemberData(nameof(ExpressionCases))]
    public void First_diagnostic_of_a_lone_expression_is_the_expected_one(string name, string source, string id, int line, int column)
    {
        var text = new SeriesCompiler.Symbolic.Diagnostics.SourceText("--f", source);
        var bag = new SeriesCompiler.Symbolic.Diagnostics.DiagnosticBag(text);
        SeriesCompiler.Symbolic.Syntax.Parser.ParseExpression(text, bag);
        Assert.True(bag.Items.Count > 0, $"{name}: no diagnostic");
        var first = bag.Items[0];
        Assert.True((first.Id, first.Line, first.Column) == (id, line, column), $"{name}: got {first}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void First_diagnostic_is_the_expected_one_at_the_expected_place(string name, string source, string id, int line, int column)
    {
        var (_, diagnostics) = Parse(source);
        Assert.True(diagnostics.Count > 0, $"{name}: no diagnostic");
        var first = diagnostics[0];
        Assert.True((first.Id, first.Line, first.Column) == (id, line, column), $"{name}: got {first}");
    }

    [Fact]
    public void The_golden_table_covers_at_least_twenty_distinct_mistakes_and_every_syntax_id()
    {
        var rows = Cases().Select(row => (string)row[2]).ToList();
        Assert.True(rows.Count >= 20);
        rows.AddRange(ExpressionCases().Select(row => (string)row[2]));
        var syntaxIds = SeriesCompiler.Symbolic.Diagnostics.DiagnosticCatalogue.All
            .Select(d => d.Id).Where(id => string.CompareOrdinal(id, "SC0100") < 0);
        Assert.Empty(syntaxIds.Except(rows));
    }

    [Theory]
    [InlineData("    cgf(t) = exp(a*t")]
    [InlineData("    cgf(t) = a*t +")]
    [InlineData("    pdf(z) = z")]
    [InlineData("    support real extra stuff (")]
    [InlineData("    cgf(t) = a $ t")]
    [InlineData("    latent z Gamma(a, 1)")]
    public void A_broken_statement_gets_exactly_one_diagnostic(string line)
    {
        var (_, diagnostics) = Parse(Body(line));
        Assert.True(diagnostics.Count == 1, Format(diagnostics));
    }

    [Fact]
    public void Later_broken_statements_are_still_reported()
    {
        const string text = """
            distribution D(a) {
                support reals
                cgf(t) = exp(a*t
                logpdf(z) = z +
                let = 2
                frobnicate
                sample a
            }
            distribution E(b {
                support real
                cgf(t) = b*t
            }
            """;
        var (unit, diagnostics) = Parse(text);
        Assert.Equal(
            ["SC0015 2,13", "SC0009 3,21", "SC0007 4,20", "SC0005 5,9", "SC0013 6,5", "SC0010 7,12", "SC0009 9,18"],
            diagnostics.Select(d => $"{d.Id} {d.Line},{d.Column}"));
        Assert.Equal(2, unit.Distributions.Length);
        Assert.Equal(2, unit.Distributions[1].Statements.Length);
    }

    [Fact]
    public void Messages_say_what_was_found_and_what_was_expected()
    {
        var (_, diagnostics) = Parse(Body("    cgf(t) = exp(a*t"));
        var message = diagnostics[0].Message;
        Assert.Contains("expected ',' or ')'", message);
        Assert.Contains("but found end of line", message);
        Assert.Contains("line 3, column 17", message);

        (_, diagnostics) = Parse(Body("    cgf(t) a*t"));
        Assert.Equal("expected '=' after 'cgf(...)' but found 'a'", diagnostics[0].Message);

        (_, diagnostics) = Parse(Body("    suport real"));
        Assert.Contains("did you mean 'support'?", diagnostics[0].Message);

        (_, diagnostics) = Parse(Body("    cgf(t) = a*t +"));
        Assert.Equal("expected an expression after '+' but found end of line", diagnostics[0].Message);
    }

    [Fact]
    public void Diagnostics_print_in_msbuild_form()
    {
        var (_, diagnostics) = Parse(Body("    pdf(z) = z"), "distributions/bad.dist");
        Assert.StartsWith("distributions/bad.dist(3,5): error SC0013: unknown statement 'pdf'", diagnostics[0].ToString());
    }
}
