using System.Collections.Frozen;
using System.Collections.Immutable;

namespace SeriesCompiler.Symbolic.Syntax;

/// <summary>What the language says about tokens: reserved words, operator texts, which tokens start or continue a line.</summary>
public static class SyntaxFacts
{
    private static readonly FrozenDictionary<string, TokenKind> Keywords = new Dictionary<string, TokenKind>(StringComparer.Ordinal)
    {
        ["distribution"] = TokenKind.DistributionKeyword,
        ["support"] = TokenKind.SupportKeyword,
        ["cf"] = TokenKind.CfKeyword,
        ["logcf"] = TokenKind.LogcfKeyword,
        ["cgf"] = TokenKind.CgfKeyword,
        ["logpdf"] = TokenKind.LogpdfKeyword,
        ["logpmf"] = TokenKind.LogpmfKeyword,
        ["sample"] = TokenKind.SampleKeyword,
        ["latent"] = TokenKind.LatentKeyword,
        ["value"] = TokenKind.ValueKeyword,
        ["let"] = TokenKind.LetKeyword,
        ["in"] = TokenKind.InKeyword,
        ["integer"] = TokenKind.IntegerKeyword,
        ["real"] = TokenKind.RealKeyword,
        ["positive"] = TokenKind.PositiveKeyword,
        ["naturals"] = TokenKind.NaturalsKeyword,
        ["integers"] = TokenKind.IntegersKeyword,
        ["simplex"] = TokenKind.SimplexKeyword,
        ["i"] = TokenKind.IKeyword,
        ["pi"] = TokenKind.PiKeyword,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, TokenKind>.AlternateLookup<ReadOnlySpan<char>> KeywordsBySpan =
        Keywords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The reserved words of language.md; none of them can name a parameter, variable or helper.</summary>
    public static ImmutableArray<string> ReservedWords { get; } =
        Keywords.OrderBy(pair => pair.Value).Select(pair => pair.Key).ToImmutableArray();

    /// <summary>The words that start a statement inside a declaration, in the order language.md lists them.</summary>
    public static ImmutableArray<string> StatementKeywords { get; } =
        ["support", "cf", "logcf", "cgf", "logpdf", "logpmf", "let", "sample", "latent", "value"];

    public static bool TryGetKeyword(ReadOnlySpan<char> word, out TokenKind kind) => KeywordsBySpan.TryGetValue(word, out kind);

    public static bool IsKeyword(TokenKind kind) => kind >= TokenKind.DistributionKeyword;

    /// <summary>The keywords that introduce a function of the frequency or outcome variable: <c>cf logcf cgf logpdf logpmf</c>.</summary>
    public static bool IsFunctionKeyword(TokenKind kind) => kind is >= TokenKind.CfKeyword and <= TokenKind.LogpmfKeyword;

    public static bool IsStatementKeyword(TokenKind kind) => kind is >= TokenKind.SupportKeyword and <= TokenKind.LetKeyword;

    /// <summary>The named support domains: <c>real positive naturals integers simplex</c>.</summary>
    public static bool IsSupportKeyword(TokenKind kind) => kind is >= TokenKind.RealKeyword and <= TokenKind.SimplexKeyword;

    /// <summary>
    /// Tokens that can only begin a line (a statement, a declaration or a brace of the body), never continue an
    /// expression. A line that opens with one ends whatever statement the previous lines left open.
    /// </summary>
    public static bool StartsLine(TokenKind kind) =>
        kind is TokenKind.EndOfFile or TokenKind.OpenBrace or TokenKind.CloseBrace or TokenKind.DistributionKeyword
        || IsStatementKeyword(kind);

    /// <summary>A line that ends with one of these continues onto the next: the binary operators, ',' and '='.</summary>
    public static bool ContinuesLine(TokenKind kind) =>
        kind is TokenKind.Plus or TokenKind.Minus or TokenKind.Star or TokenKind.Slash or TokenKind.Caret
            or TokenKind.Comma or TokenKind.Equals;

    /// <summary>The fixed text of a punctuation or keyword token; null for names, numbers and the like.</summary>
    public static string? GetText(TokenKind kind) => kind switch
    {
        TokenKind.Plus => "+",
        TokenKind.Minus => "-",
        TokenKind.Star => "*",
        TokenKind.Slash => "/",
        TokenKind.Caret => "^",
        TokenKind.OpenParen => "(",
        TokenKind.CloseParen => ")",
        TokenKind.OpenBrace => "{",
        TokenKind.CloseBrace => "}",
        TokenKind.OpenBracket => "[",
        TokenKind.CloseBracket => "]",
        TokenKind.Comma => ",",
        TokenKind.Equals => "=",
        TokenKind.Tilde => "~",
        TokenKind.Less => "<",
        TokenKind.Greater => ">",
        TokenKind.LessEquals => "<=",
        TokenKind.GreaterEquals => ">=",
        TokenKind.Colon => ":",
        TokenKind.DotDot => "..",
        _ when IsKeyword(kind) => ReservedWords[kind - TokenKind.DistributionKeyword],
        _ => null,
    };
}
