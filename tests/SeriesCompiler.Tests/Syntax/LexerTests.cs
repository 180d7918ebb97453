using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Syntax;
using Xunit;

namespace SeriesCompiler.Tests.Syntax;

public sealed class LexerTests
{
    private static (List<Token> Tokens, IReadOnlyList<Diagnostic> Diagnostics) Lex(string text)
    {
        var source = new SourceText("test.dist", text);
        var bag = new DiagnosticBag(source);
        return (Lexer.Tokenize(source, bag).ToList(), bag.Items);
    }

    private static string Kinds(string text) =>
        string.Join(" ", Lex(text).Tokens.Select(t => t.Kind switch
        {
            TokenKind.NewLine => "NL",
            TokenKind.EndOfFile => "EOF",
            TokenKind.Identifier or TokenKind.Number => t.Text,
            TokenKind.Bad => "BAD",
            _ => SyntaxFacts.GetText(t.Kind),
        }));

    [Theory]
    [InlineData("2", "2")]
    [InlineData("0.49", "0.49")]
    [InlineData("1e-3", "1e-3")]
    [InlineData("2.5E+2", "2.5E+2")]
    [InlineData("007", "007")]
    [InlineData("1E5", "1E5")]
    public void Numbers_keep_their_text(string text, string expected)
    {
        var (tokens, diagnostics) = Lex(text);
        Assert.Empty(diagnostics);
        Assert.Equal(TokenKind.Number, tokens[0].Kind);
        Assert.Equal(expected, tokens[0].Text);
        Assert.Equal(new TextSpan(0, text.Length), tokens[0].Span);
    }

    [Theory]
    [InlineData("1e")]
    [InlineData("2pi")]
    [InlineData("1.5.2")]
    [InlineData("3.")]
    [InlineData("1e+x")]
    public void Malformed_numbers_get_one_diagnostic(string text)
    {
        var (_, diagnostics) = Lex(text);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("SC0002", diagnostic.Id);
        Assert.Equal(1, diagnostic.Column);
    }

    [Fact]
    public void Punctuation_and_keywords_are_recognised()
    {
        Assert.Equal("{ 0 .. n } ( ) [ ] , = ~ < > <= >= : + - * / ^ EOF", Kinds("{0..n} ( ) [ ] , = ~ < > <= >= : + - * / ^"));
        var (tokens, _) = Lex("distribution support cf logcf cgf logpdf logpmf sample latent value let in integer real positive naturals integers simplex i pi Gamma sum");
        Assert.Equal(20, tokens.Count(t => SyntaxFacts.IsKeyword(t.Kind)));
        Assert.Equal(2, tokens.Count(t => t.Kind == TokenKind.Identifier));
        Assert.Equal(SyntaxFacts.ReservedWords.Length, tokens.Count(t => SyntaxFacts.IsKeyword(t.Kind)));
    }

    [Fact]
    public void Identifiers_accept_underscores_digits_and_unicode_letters()
    {
        var (tokens, diagnostics) = Lex("_a1 σ2 x_y 𝛼 café");
        Assert.Empty(diagnostics);
        Assert.Equal(["_a1", "σ2", "x_y", "𝛼", "café"], tokens.Where(t => t.Kind == TokenKind.Identifier).Select(t => t.Text));
    }

    [Fact]
    public void Comments_run_to_the_end_of_the_line()
    {
        Assert.Equal("a NL b EOF", Kinds("a # comment ( + \n# another\n\n b # last"));
    }

    [Theory]
    [InlineData("a +\n b", "a + b EOF")]                         // trailing binary operator
    [InlineData("a =\n b", "a = b EOF")]                         // trailing '='
    [InlineData("f(a,\n b)", "f ( a , b ) EOF")]                 // open parenthesis and comma
    [InlineData("f(a\n + b)", "f ( a + b ) EOF")]                // open parenthesis
    [InlineData("x[a\n]", "x [ a ] EOF")]                        // open bracket
    [InlineData("a\n - b", "a NL - b EOF")]                      // a leading operator does not continue
    [InlineData("a +\n\n  # gap\n b", "a + b EOF")]              // blank and comment lines inside a continuation
    [InlineData("f(a\nsample = 1", "f ( a NL sample = 1 EOF")]   // a statement keyword always starts a new line
    [InlineData("a +\n}", "a + NL } EOF")]                       // so does the closing brace
    [InlineData("\n\n a \n\n\n b \n", "a NL b NL EOF")]          // blank lines collapse, leading ones vanish
    [InlineData("a\r\nb\r\n", "a NL b NL EOF")]                  // Windows line ends
    public void Line_breaks_end_statements_unless_the_statement_continues(string text, string expected)
    {
        Assert.Equal(expected, Kinds(text));
    }

    [Fact]
    public void A_run_of_bad_characters_gets_one_diagnostic_and_lexing_goes_on()
    {
        var (tokens, diagnostics) = Lex("a $$\u0000\u0001 b ! c");
        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal("SC0001", d.Id));
        Assert.Equal(3, diagnostics[0].Column);
        Assert.Equal(10, diagnostics[1].Column);
        Assert.Equal("a BAD b BAD c EOF", string.Join(" ", tokens.Select(t => t.Kind switch
        {
            TokenKind.Bad => "BAD",
            TokenKind.EndOfFile => "EOF",
            _ => t.Text,
        })));
        Assert.DoesNotContain('\0', diagnostics[0].Message); // control characters are shown as code points
    }

    [Fact]
    public void A_lone_dot_is_a_bad_character_but_two_are_a_range()
    {
        var (_, diagnostics) = Lex("a . b");
        Assert.Equal("SC0001", Assert.Single(diagnostics).Id);
        Assert.Equal("0 .. 2 EOF", Kinds("0..2"));
    }

    [Fact]
    public void Tokens_end_with_end_of_file()
    {
        foreach (var text in new[] { "", " ", "\n", "# only", "a" })
        {
            var (tokens, _) = Lex(text);
            Assert.Equal(TokenKind.EndOfFile, tokens[^1].Kind);
            Assert.Equal(new TextSpan(text.Length, 0), tokens[^1].Span);
        }
    }
}
