using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Symbolic.Syntax;

/// <summary>
/// Turns the text of a <c>.dist</c> file into tokens, one at a time, ending with <see cref="TokenKind.EndOfFile"/>.
/// </summary>
/// <remarks>
/// Lines are statements, so the lexer decides which line breaks matter and emits one
/// <see cref="TokenKind.NewLine"/> for each that ends a statement (blank and comment lines add none).
/// A line break continues the statement when a '(' or '[' is still open or the line ends with
/// <c>+ - * / ^ , =</c> (language.md); but a next line that opens with a token that can only start a
/// line (a statement keyword, <c>distribution</c>, a brace, the end of the file) always ends it, so an
/// unclosed parenthesis or a trailing operator is reported on its own line instead of swallowing the
/// rest of the body. Characters the language does not use become one <see cref="TokenKind.Bad"/>
/// token and one diagnostic per run; lexing goes on after them.
/// The parser pulls tokens with <see cref="NextToken"/>, so a huge file never holds all its tokens at once.
/// </remarks>
public sealed class Lexer
{
    private readonly string _text;
    private readonly DiagnosticBag _diagnostics;
    private readonly Token _endOfFile;

    // Names and numbers repeat; sharing their strings keeps the tokens a tree holds small.
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _stringsBySpan;

    private int _position;
    private int _bracketDepth;
    private Token? _lastEmitted;  // the last token returned other than a NewLine
    private Token? _heldBack;     // a token that waits while the NewLine before it is returned

    public Lexer(SourceText source, DiagnosticBag diagnostics)
    {
        _text = source.Text;
        _diagnostics = diagnostics;
        _endOfFile = new Token(TokenKind.EndOfFile, "", new TextSpan(_text.Length, 0));
        _stringsBySpan = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Tokenizes the whole text; problems go to <paramref name="diagnostics"/>, never thrown.</summary>
    public static ImmutableArray<Token> Tokenize(SourceText source, DiagnosticBag diagnostics)
    {
        var lexer = new Lexer(source, diagnostics);
        var tokens = ImmutableArray.CreateBuilder<Token>();
        Token token;
        do tokens.Add(token = lexer.NextToken());
        while (token.Kind != TokenKind.EndOfFile);
        return tokens.DrainToImmutable();
    }

    /// <summary>The next token; after the end of the file, <see cref="TokenKind.EndOfFile"/> again.</summary>
    public Token NextToken()
    {
        if (_heldBack is { } held)
        {
            _heldBack = null;
            return Emit(held);
        }

        if (_lastEmitted?.Kind == TokenKind.EndOfFile) return _endOfFile;

        var token = LexToken(out int newLine);
        if (newLine >= 0 && _lastEmitted is not null)
        {
            bool endsStatement;
            if (SyntaxFacts.StartsLine(token.Kind))
            {
                // Whatever the previous line left open, this line starts afresh.
                _bracketDepth = 0;
                endsStatement = true;
            }
            else
            {
                endsStatement = _bracketDepth == 0 && !SyntaxFacts.ContinuesLine(_lastEmitted.Kind);
            }

            if (endsStatement)
            {
                _heldBack = token;
                return new Token(TokenKind.NewLine, "\n", new TextSpan(newLine, 1));
            }
        }

        return Emit(token);
    }

    private Token Emit(Token token)
    {
        if (token.Kind is TokenKind.OpenParen or TokenKind.OpenBracket)
            _bracketDepth++;
        else if (token.Kind is TokenKind.CloseParen or TokenKind.CloseBracket && _bracketDepth > 0)
            _bracketDepth--;
        _lastEmitted = token;
        return token;
    }

    // The next token other than a line break; newLine is the offset of the first line break skipped before it, or -1.
    // A line break is "\n", "\r\n" or a lone "\r" (SourceText counts lines the same way).
    private Token LexToken(out int newLine)
    {
        newLine = -1;
        while (_position < _text.Length)
        {
            char c = _text[_position];
            if (c is '\n' or '\r')
            {
                if (newLine < 0) newLine = _position;
                _position++;
            }
            else if (IsWhiteSpace(c))
            {
                _position++;
            }
            else if (c == '#')
            {
                int end = _text.AsSpan(_position).IndexOfAny('\n', '\r');
                if (end >= 0) end += _position;
                _position = end < 0 ? _text.Length : end;
            }
            else if (char.IsAsciiDigit(c))
            {
                return LexNumber();
            }
            else if (IsIdentifierStart(_position))
            {
                return LexIdentifier();
            }
            else
            {
                return LexPunctuation() ?? LexBadRun();
            }
        }

        return _endOfFile;
    }

    // Numbers: digits, an optional fraction, an optional exponent. The text is kept exactly as written.
    private Token LexNumber()
    {
        int start = _position;
        SkipDigits();
        if (At(_position) == '.' && char.IsAsciiDigit(At(_position + 1)))
        {
            _position++;
            SkipDigits();
        }

        if (At(_position) is 'e' or 'E')
        {
            int digits = _position + 1;
            if (At(digits) is '+' or '-') digits++;
            if (char.IsAsciiDigit(At(digits)))
            {
                _position = digits;
                SkipDigits();
            }
        }

        // A number glued to letters, or to a '.' that is not '..', is one malformed token: "2pi", "1e", "1.5.2", "3.".
        if (IsIdentifierPart(_position) || (At(_position) == '.' && At(_position + 1) != '.'))
        {
            while (IsIdentifierPart(_position) || (At(_position) == '.' && At(_position + 1) != '.'))
                _position += CharCountAt(_position);
            var span = TextSpan.FromBounds(start, _position);
            string text = _text.Substring(start, span.Length);
            _diagnostics.Report(DiagnosticCatalogue.InvalidNumber, span,
                $"malformed number '{Shorten(text)}'; expected digits with an optional fraction and exponent such as 2, 0.49 or 1e-3, "
                + "and an operator between a number and a name");
            return new Token(TokenKind.Bad, text, span);
        }

        return new Token(TokenKind.Number, Share(start, _position), TextSpan.FromBounds(start, _position));
    }

    /// <summary>Longest name, in UTF-16 characters (SC0020).</summary>
    public const int MaxNameLength = 200;

    private Token LexIdentifier()
    {
        int start = _position;
        do _position += CharCountAt(_position);
        while (IsIdentifierPart(_position));

        var word = _text.AsSpan(start, _position - start);
        var span = TextSpan.FromBounds(start, _position);
        // Names become C# identifiers (with a prefix or suffix); metadata names are at most 1023 UTF-8 bytes, and a
        // character takes up to 4 of them.
        if (span.Length > MaxNameLength)
        {
            _diagnostics.Report(DiagnosticCatalogue.NameTooLong, span,
                $"the name '{Shorten(word.ToString())}' has {span.Length} characters; the limit is {MaxNameLength}");
            return new Token(TokenKind.Bad, Share(start, _position), span);
        }
        return SyntaxFacts.TryGetKeyword(word, out var keyword)
            ? new Token(keyword, SyntaxFacts.GetText(keyword)!, span)
            : new Token(TokenKind.Identifier, Share(start, _position), span);
    }

    private Token? LexPunctuation()
    {
        char next = At(_position + 1);
        (TokenKind kind, int length) = _text[_position] switch
        {
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '^' => (TokenKind.Caret, 1),
            '(' => (TokenKind.OpenParen, 1),
            ')' => (TokenKind.CloseParen, 1),
            '{' => (TokenKind.OpenBrace, 1),
            '}' => (TokenKind.CloseBrace, 1),
            '[' => (TokenKind.OpenBracket, 1),
            ']' => (TokenKind.CloseBracket, 1),
            ',' => (TokenKind.Comma, 1),
            '=' => (TokenKind.Equals, 1),
            '~' => (TokenKind.Tilde, 1),
            ':' => (TokenKind.Colon, 1),
            '<' when next == '=' => (TokenKind.LessEquals, 2),
            '<' => (TokenKind.Less, 1),
            '>' when next == '=' => (TokenKind.GreaterEquals, 2),
            '>' => (TokenKind.Greater, 1),
            '.' when next == '.' => (TokenKind.DotDot, 2),
            _ => (TokenKind.Bad, 0),
        };
        if (length == 0) return null;

        var token = new Token(kind, SyntaxFacts.GetText(kind)!, new TextSpan(_position, length));
        _position += length;
        return token;
    }

    // One diagnostic for a whole run of unusable characters, so binary garbage does not flood the list.
    private Token LexBadRun()
    {
        int start = _position;
        int count = 0;
        do
        {
            _position += CharCountAt(_position);
            count++;
        }
        while (_position < _text.Length && IsBad(_position));

        var span = TextSpan.FromBounds(start, _position);
        string first = DescribeCharacter(start);
        string found = count == 1 ? $"character {first}" : $"{count} characters starting with {first}";
        _diagnostics.Report(DiagnosticCatalogue.InvalidCharacter, span,
            $"unexpected {found}; expected a name, a number, an operator (+ - * / ^), a bracket, punctuation (, = ~ < > : ..) or '#' for a comment");
        return new Token(TokenKind.Bad, _text.Substring(start, span.Length), span);
    }

    private bool IsBad(int position)
    {
        char c = _text[position];
        if (c is '\n' or '\r' || c == '#' || IsWhiteSpace(c) || char.IsAsciiDigit(c) || IsIdentifierStart(position)) return false;
        if (c == '.') return At(position + 1) != '.';
        return "+-*/^(){}[],=~:<>".IndexOf(c) < 0;
    }

    private void SkipDigits()
    {
        while (char.IsAsciiDigit(At(_position))) _position++;
    }

    // The character at a position, or NUL past the end (NUL is never part of a valid token).
    private char At(int position) => position < _text.Length ? _text[position] : '\0';

    private static bool IsWhiteSpace(char c) => c is not ('\n' or '\r') && (char.IsWhiteSpace(c) || c == '\uFEFF');

    // Identifiers accept any Unicode letter (a surrogate pair counts as one character); emitters escape them later.
    private bool IsIdentifierStart(int position) =>
        Rune.TryGetRuneAt(_text, position, out var rune) && (rune.Value == '_' || Rune.IsLetter(rune));

    private bool IsIdentifierPart(int position)
    {
        if (position >= _text.Length || !Rune.TryGetRuneAt(_text, position, out var rune)) return false;
        if (rune.Value == '_' || Rune.IsLetterOrDigit(rune)) return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.ConnectorPunctuation;
    }

    private int CharCountAt(int position) =>
        Rune.TryGetRuneAt(_text, position, out var rune) ? rune.Utf16SequenceLength : 1;

    private string DescribeCharacter(int position)
    {
        if (!Rune.TryGetRuneAt(_text, position, out var rune))
            return $"U+{(int)_text[position]:X4} (a lone surrogate)";
        var category = Rune.GetUnicodeCategory(rune);
        bool printable = category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
        return printable ? $"'{rune}' (U+{rune.Value:X4})" : $"U+{rune.Value:X4}";
    }

    private string Share(int start, int end)
    {
        var span = _text.AsSpan(start, end - start);
        if (_stringsBySpan.TryGetValue(span, out var shared)) return shared;
        string text = span.ToString();
        if (text.Length <= 64) _strings[text] = text;
        return text;
    }

    // Long texts are cut for messages, never inside a surrogate pair.
    internal static string Shorten(string text)
    {
        if (text.Length <= 32) return text;
        int cut = char.IsHighSurrogate(text[28]) ? 28 : 29;
        return text[..cut] + "...";
    }
}
