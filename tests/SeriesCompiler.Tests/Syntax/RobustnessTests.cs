using System.Text;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Syntax;
using Xunit;
using static SeriesCompiler.Tests.Syntax.SyntaxTestHelpers;

namespace SeriesCompiler.Tests.Syntax;

/// <summary>Whatever the input, the parser returns: no exception, no hang, no stack overflow, and a diagnostic for invalid text.</summary>
public sealed class RobustnessTests
{
    // Generous: a hang, not a slow run, is what this catches. Timings belong to benchmarks.
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private static (CompilationUnitSyntax Unit, IReadOnlyList<Diagnostic> Diagnostics) ParseBounded(string text)
    {
        var task = Task.Run(() => Parse(text));
        Assert.True(task.Wait(HangLimit), "the parser did not return in time");
        var result = task.Result;
        foreach (var d in result.Diagnostics)
        {
            Assert.StartsWith("SC00", d.Id);
            Assert.True(d.Line >= 1 && d.Column >= 1, d.ToString());
            Assert.False(string.IsNullOrWhiteSpace(d.Message));
        }

        return result;
    }

    private static void AssertInvalid(string text)
    {
        var (_, diagnostics) = ParseBounded(text);
        Assert.NotEmpty(diagnostics);
    }

    private static string Body(string line) => "distribution D(a) {\n    support real\n" + line + "\n}\n";

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\n\n\n")]
    [InlineData("\t \r\n \u00A0\uFEFF")]
    [InlineData("# comment\n# another")]
    [InlineData("}")]
    [InlineData("{")]
    [InlineData("distribution")]
    [InlineData("distribution D")]
    [InlineData("distribution D(")]
    [InlineData("distribution D(a) {")]
    [InlineData("distribution D(a) { }}")]
    [InlineData("distribution distribution distribution")]
    public void Degenerate_inputs_get_a_diagnostic(string text) => AssertInvalid(text);

    [Fact]
    public void Control_characters_and_lone_surrogates_get_a_diagnostic()
    {
        // Kept out of InlineData: test discovery serialises its strings, and these do not survive that.
        AssertInvalid("\0");
        AssertInvalid("\uD800 lone surrogate \uDC00");
        AssertInvalid(Body("    cgf(t) = a\u0007*t"));
    }

    [Fact]
    public void Random_bytes_never_break_the_parser()
    {
        var random = new Random(20240611);
        for (int i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 2000)];
            random.NextBytes(bytes);
            // Half as Latin-1 (every byte a character, NUL and controls included), half as UTF-8 with replacement characters.
            string text = i % 2 == 0 ? Encoding.Latin1.GetString(bytes) : Encoding.UTF8.GetString(bytes);
            AssertInvalid(text);
        }
    }

    [Fact]
    public void Random_token_soup_never_breaks_the_parser()
    {
        string[] vocabulary =
        [
            "distribution", "D", "(", ")", "{", "}", "[", "]", ",", "=", "~", "<", ">", "<=", ">=", ":", "..", "+", "-", "*", "/", "^",
            "support", "cf", "logcf", "cgf", "logpdf", "logpmf", "sample", "latent", "value", "let", "in", "integer", "real",
            "positive", "naturals", "integers", "simplex", "i", "pi", "w", "t", "z", "exp", "2", "0.5", "1e-3", "\n", "\n", "#c\n", "$",
        ];
        var random = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            var text = new StringBuilder();
            int count = random.Next(0, 300);
            for (int k = 0; k < count; k++) text.Append(vocabulary[random.Next(vocabulary.Length)]).Append(random.Next(3) == 0 ? "" : " ");
            ParseBounded(text.ToString());
        }
    }

    [Fact]
    public void Mutated_declarations_never_break_the_parser()
    {
        // Deleting, duplicating or replacing one character of a valid file gives near-valid inputs that probe recovery.
        string valid = LanguageExampleTests.BivariateNormal;
        var random = new Random(99);
        for (int i = 0; i < 300; i++)
        {
            int at = random.Next(valid.Length);
            string text = random.Next(3) switch
            {
                0 => valid.Remove(at, 1),
                1 => valid.Insert(at, valid[random.Next(valid.Length)].ToString()),
                _ => valid.Remove(at, 1).Insert(at, "(){}[],=+-*/^~:.#\n$"[random.Next(19)].ToString()),
            };
            ParseBounded(text);
        }
    }

    public static TheoryData<string, string> DeepInputs()
    {
        const int n = 10_000;
        string Repeat(string s) => string.Concat(Enumerable.Repeat(s, n));
        return new()
        {
            { "parentheses", Body("    cgf(t) = " + new string('(', n) + "t" + new string(')', n)) },
            { "unclosed parentheses", Body("    cgf(t) = " + new string('(', n)) },
            { "closing parentheses", Body("    cgf(t) = t" + new string(')', n)) },
            { "signs", Body("    cgf(t) = " + Repeat("-") + "t") },
            { "powers", Body("    cgf(t) = t" + Repeat("^t")) },
            { "negative powers", Body("    cgf(t) = t" + Repeat("^-t")) },
            { "calls", Body("    cgf(t) = " + Repeat("exp(") + "t" + new string(')', n)) },
            { "indices", Body("    value = " + Repeat("g[") + "j" + new string(']', n)) },
            { "tuples", Body("    sample = " + Repeat("(a, ") + "a" + new string(')', n)) },
            { "in a constraint", "distribution D(p in " + new string('(', n) + ") {\n}\n" },
            { "in a set", Body("    support " + new string('{', n)) },
            { "braces", new string('{', n) + new string('}', n) },
            { "parameter brackets", "distribution D(a" + new string('[', n) + ") {\n}\n" },
            { "operator chain", Body("    cgf(t) = t" + Repeat(" + t*t")) },
            { "operator chain in parentheses", Body("    cgf(t) = " + Repeat("(t + ") + "t" + new string(')', n)) },
        };
    }

    [Theory]
    [MemberData(nameof(DeepInputs))]
    public void Deep_nesting_is_bounded_and_reported(string name, string text)
    {
        var (unit, diagnostics) = ParseBounded(text);
        Assert.True(diagnostics.Count > 0, name);
        Assert.True(diagnostics.Count < 10, $"{name}: {diagnostics.Count} diagnostics");

        // The tree stays shallow enough for recursive walkers in later stages.
        foreach (var e in unit.Distributions.SelectMany(d => d.Statements).SelectMany(Expressions))
            Assert.InRange(e.Height, 1, Parser.MaxExpressionHeight + 3 * Parser.MaxNestingDepth + 10);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_accepted()
    {
        // 190 parentheses and one sign each take a level; the outermost expression takes one more.
        var (_, diagnostics) = ParseBounded(Body("    cgf(t) = " + new string('(', 190) + "t" + new string(')', 190)));
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void A_very_long_line_parses()
    {
        // A number of a million digits is valid (the binder decides what to make of it) ...
        string digits = new('7', 1_000_000);
        var (unit, diagnostics) = ParseBounded(Body($"    cgf(t) = {digits}.5e-3*t"));
        Assert.Empty(diagnostics);
        var product = Assert.IsType<BinaryExpression>(unit.Distributions[0].Statements.OfType<FunctionStatement>().Single().Body);
        Assert.Equal(digits + ".5e-3", Assert.IsType<NumberExpression>(product.Left).Token.Text);

        // ... and a megabyte of operators is one diagnostic, not a million.
        (_, diagnostics) = ParseBounded(Body("    cgf(t) = " + string.Concat(Enumerable.Repeat("+ ", 500_000))));
        Assert.Single(diagnostics);

        // A long list of call arguments is neither deep nor long in the sense of the limits.
        (_, diagnostics) = ParseBounded(Body("    sample = categorical(" + string.Join(", ", Enumerable.Repeat("a", 100_000)) + ")"));
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void A_ten_megabyte_file_parses()
    {
        string gamma = LanguageExampleTests.Gamma + "\n";
        int copies = 10_000_000 / gamma.Length + 1;
        var (unit, diagnostics) = ParseBounded(string.Concat(Enumerable.Repeat(gamma, copies)));
        Assert.Empty(diagnostics);
        Assert.Equal(copies, unit.Distributions.Length);
    }

    [Fact]
    public void Megabytes_of_one_character_are_handled()
    {
        AssertInvalid(new string('(', 10_000_000));
        foreach (char c in "-{}\n#$a")
            AssertInvalid(new string(c, 2_000_000));
    }

    [Fact]
    public void Every_prefix_of_gamma_dist_parses_without_exception()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "distributions", "gamma.dist"));
        int lastBrace = text.LastIndexOf('}');
        for (int length = 0; length <= text.Length; length++)
        {
            var (_, diagnostics) = ParseBounded(text[..length]);
            // Every prefix that stops before the closing brace is an incomplete declaration.
            if (length <= lastBrace) Assert.True(diagnostics.Count > 0, $"prefix of length {length}");
            else Assert.Empty(diagnostics);
        }
    }

    [Fact]
    public void Parsing_is_deterministic()
    {
        string text = Body("    cgf(t) = exp(a*t") + "distribution (";
        Assert.Equal(Format(Parse(text).Diagnostics), Format(Parse(text).Diagnostics));
    }

    private static IEnumerable<ExpressionSyntax> Expressions(StatementSyntax statement) => statement switch
    {
        FunctionStatement f => [f.Body],
        LetStatement l => [l.Value],
        SampleStatement s => [s.Value],
        ValueStatement v => v.Index is null ? [v.Value] : [v.Index, v.Value],
        LatentStatement l => l.Index is null ? l.Arguments : [l.Index, .. l.Arguments],
        _ => [],
    };
}
