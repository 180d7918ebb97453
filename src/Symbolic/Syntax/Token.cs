using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Symbolic.Syntax;

/// <summary>The kinds of token in a <c>.dist</c> file. Keywords are the reserved words of language.md.</summary>
public enum TokenKind
{
    /// <summary>The end of the text; always the last token.</summary>
    EndOfFile,

    /// <summary>The end of a statement. Lines that continue a statement produce none (see <see cref="Lexer"/>).</summary>
    NewLine,

    /// <summary>A run of characters the language does not use; already reported by the lexer.</summary>
    Bad,

    Number,
    Identifier,

    // Punctuation and operators.
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    OpenParen,
    CloseParen,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    Comma,
    Equals,
    Tilde,
    Less,
    Greater,
    LessEquals,
    GreaterEquals,
    Colon,
    DotDot,

    // Reserved words, in the order language.md lists them.
    DistributionKeyword,
    SupportKeyword,
    CfKeyword,
    LogcfKeyword,
    CgfKeyword,
    LogpdfKeyword,
    LogpmfKeyword,
    SampleKeyword,
    LatentKeyword,
    ValueKeyword,
    LetKeyword,
    InKeyword,
    IntegerKeyword,
    RealKeyword,
    PositiveKeyword,
    NaturalsKeyword,
    IntegersKeyword,
    SimplexKeyword,
    IKeyword,
    PiKeyword,
}

/// <summary>
/// One token: its kind, its exact source text (numbers keep theirs, so the binder can read them as
/// exact rationals) and where it is. A token the parser expected but did not find is
/// <see cref="IsMissing"/>: empty text, zero width, placed where it should have been.
/// </summary>
public sealed record Token(TokenKind Kind, string Text, TextSpan Span, bool IsMissing = false)
{
    internal static Token Missing(TokenKind kind, int position) => new(kind, "", new TextSpan(position, 0), IsMissing: true);

    public override string ToString() => Text;
}
