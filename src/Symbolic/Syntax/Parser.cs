using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Symbolic.Syntax;

/// <summary>
/// Recursive-descent parser for <c>.dist</c> files (grammar in docs/language.md).
/// </summary>
/// <remarks>
/// It never throws: every problem becomes a positioned diagnostic and the tree is completed with
/// missing tokens and Missing* nodes. Recovery works per statement: the first error of a statement is
/// reported, the rest of that statement is skipped silently (later errors there are usually echoes),
/// and parsing resumes on the next line, so every broken statement gets exactly one diagnostic.
/// An error found at a line break or at the end of the file is placed right after the last token,
/// where the missing piece belongs. Recursion only happens through <see cref="ParseUnary"/>, which
/// bounds it at <see cref="MaxNestingDepth"/>; operator chains are built by loops and bounded at
/// <see cref="MaxExpressionHeight"/>, so the tree itself is safe to walk recursively.
/// </remarks>
public sealed class Parser
{
    /// <summary>How deeply parentheses, calls, indices, signs and powers may nest.</summary>
    public const int MaxNestingDepth = 200;

    /// <summary>How high an operator chain such as <c>a + b + c + ...</c> may grow.</summary>
    public const int MaxExpressionHeight = 1000;

    private readonly SourceText _source;
    private readonly DiagnosticBag _diagnostics;
    private readonly Lexer _lexer;
    private readonly List<Token> _lookahead = new(4);  // tokens pulled from the lexer but not yet consumed
    private Token? _previous;                           // the last consumed token
    private Token? _previousOnLine;                     // the last consumed token other than a NewLine
    private long _consumed;                             // how many tokens were consumed: the measure of progress
    private int _depth;

    // Set by the first error of the current statement (or header); silences the rest of it.
    private bool _statementHasError;

    private Parser(SourceText source, DiagnosticBag diagnostics)
    {
        _source = source;
        _diagnostics = diagnostics;
        _lexer = new Lexer(source, diagnostics);
    }

    /// <summary>Parses a whole file. Never throws; problems go to <paramref name="diagnostics"/>.</summary>
    public static CompilationUnitSyntax Parse(SourceText text, DiagnosticBag diagnostics)
    {
        return new Parser(text, diagnostics).ParseCompilationUnit();
    }

    /// <summary>
    /// Parses a lone expression, such as the <c>f</c> of <c>seriesc estimate --f "(z - 0.49)^2"</c>: the whole text
    /// must be that one expression, under the same rules and limits as in a declaration. Never throws.
    /// </summary>
    public static ExpressionSyntax ParseExpression(SourceText text, DiagnosticBag diagnostics)
    {
        var parser = new Parser(text, diagnostics);
        parser.SkipNewLines();
        var expression = parser.ParseExpression();
        parser.SkipNewLines();
        if (parser.Current.Kind != TokenKind.EndOfFile)
            parser.Error(DiagnosticCatalogue.ExpectedEndOfExpression,
                $"expected the end of the expression but found {Describe(parser.Current)}");
        return expression;
    }

    private Token Current => Peek(0);

    private Token Peek(int offset)
    {
        while (_lookahead.Count <= offset) _lookahead.Add(_lexer.NextToken());
        return _lookahead[offset];
    }

    private Token Advance()
    {
        var token = Current;
        if (token.Kind == TokenKind.EndOfFile) return token;
        _lookahead.RemoveAt(0);
        _previous = token;
        if (token.Kind != TokenKind.NewLine) _previousOnLine = token;
        _consumed++;
        return token;
    }

    private void SkipNewLines()
    {
        while (Current.Kind == TokenKind.NewLine) Advance();
    }

    // ---- Declarations ----

    private CompilationUnitSyntax ParseCompilationUnit()
    {
        var distributions = ImmutableArray.CreateBuilder<DistributionSyntax>();
        bool reportedStray = false;
        while (true)
        {
            SkipNewLines();
            if (Current.Kind == TokenKind.EndOfFile) break;
            if (Current.Kind == TokenKind.DistributionKeyword)
            {
                distributions.Add(ParseDistribution());
                continue;
            }

            // Anything else outside a body: one diagnostic, then skip to the next declaration.
            _statementHasError = false;
            reportedStray |= Error(DiagnosticCatalogue.ExpectedDistribution,
                $"expected a declaration 'distribution NAME(...) {{' but found {Describe(Current)}");
            while (Current.Kind is not (TokenKind.EndOfFile or TokenKind.DistributionKeyword)) Advance();
        }

        if (distributions.Count == 0 && !reportedStray)
            _diagnostics.Report(DiagnosticCatalogue.NoDistribution, 0,
                "no distribution declared; expected 'distribution NAME(PARAMETERS) { ... }' but found " + Describe(Current));

        return new CompilationUnitSyntax(distributions.ToImmutable(), new TextSpan(0, _source.Text.Length));
    }

    private DistributionSyntax ParseDistribution()
    {
        _statementHasError = false;
        var keyword = Advance();
        var name = ExpectName("a distribution name");

        Token? familySize = null;
        if (Current.Kind == TokenKind.OpenBracket)
        {
            var open = Advance();
            familySize = ExpectName("a family size such as K");
            ExpectClosing(TokenKind.CloseBracket, open);
        }

        var parameters = ParseParameterList(name);

        // A broken header: drop the rest of its line, keeping a '{' if there is one.
        if (_statementHasError)
            while (Current.Kind is not (TokenKind.OpenBrace or TokenKind.NewLine or TokenKind.CloseBrace
                   or TokenKind.EndOfFile or TokenKind.DistributionKeyword))
                Advance();

        bool hasBody = false;
        if (Current.Kind == TokenKind.OpenBrace)
        {
            Advance();
            hasBody = true;
        }
        else if (Current.Kind == TokenKind.NewLine && Peek(1).Kind == TokenKind.OpenBrace)
        {
            // The brace may stand on the line after the header.
            Advance();
            Advance();
            hasBody = true;
        }
        else
        {
            Error(DiagnosticCatalogue.ExpectedOpenBrace,
                $"expected '{{' to open the body of distribution '{Lexer.Shorten(name.Text)}' but found {Describe(Current)}");

            // Drop the rest of the header line, taking a '{' on it as the body's.
            while (Current.Kind is not (TokenKind.NewLine or TokenKind.CloseBrace or TokenKind.EndOfFile or TokenKind.DistributionKeyword))
            {
                if (Advance().Kind != TokenKind.OpenBrace) continue;
                hasBody = true;
                break;
            }
        }

        var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
        int end = Current.Span.Start;
        while (true)
        {
            SkipNewLines();
            if (Current.Kind == TokenKind.CloseBrace)
            {
                end = Advance().Span.End;
                break;
            }

            if (Current.Kind is TokenKind.EndOfFile or TokenKind.DistributionKeyword)
            {
                // Without a '{' the missing '}' is the same mistake, already reported.
                _statementHasError = !hasBody;
                Error(DiagnosticCatalogue.UnclosedDistribution,
                    $"expected '}}' to close the body of distribution '{Lexer.Shorten(name.Text)}' but found {Describe(Current)}");
                end = ErrorPosition();
                break;
            }

            long before = _consumed;
            var statement = ParseStatement();
            if (statement is not null) statements.Add(statement);
            if (_consumed == before) Advance(); // guarantees progress whatever the input
        }

        return new DistributionSyntax(name, familySize, parameters, statements.ToImmutable(),
            TextSpan.FromBounds(keyword.Span.Start, end));
    }

    private ImmutableArray<ParameterSyntax> ParseParameterList(Token distributionName)
    {
        if (Current.Kind != TokenKind.OpenParen)
        {
            Error(DiagnosticCatalogue.ExpectedToken,
                $"expected '(' and the parameters of distribution '{Lexer.Shorten(distributionName.Text)}' but found {Describe(Current)}");
            return [];
        }

        var open = Advance();
        var parameters = ImmutableArray.CreateBuilder<ParameterSyntax>();
        if (Current.Kind == TokenKind.CloseParen)
        {
            Advance();
            return parameters.ToImmutable();
        }

        while (true)
        {
            long before = _consumed;
            var parameter = ParseParameter();
            parameters.Add(parameter);
            if (Current.Kind == TokenKind.Comma)
            {
                Advance();
                continue;
            }

            if (Current.Kind == TokenKind.CloseParen)
            {
                Advance();
                break;
            }

            if (_consumed == before || Current.Kind is TokenKind.NewLine or TokenKind.EndOfFile or TokenKind.OpenBrace)
                ReportUnclosed(TokenKind.CloseParen, open, "',' or ')'");
            else if (parameter.Constraint is null)
                Error(DiagnosticCatalogue.ExpectedConstraint,
                    $"expected a constraint (> E, >= E, < E, <= E, in (LO, HI) or : integer), ',' or ')' after parameter '{Lexer.Shorten(parameter.Name.Text)}' but found {Describe(Current)}");
            else
                Error(DiagnosticCatalogue.ExpectedToken,
                    $"expected ',' or ')' after the constraint of parameter '{Lexer.Shorten(parameter.Name.Text)}' but found {Describe(Current)}");
            break;
        }

        return parameters.ToImmutable();
    }

    private ParameterSyntax ParseParameter()
    {
        var name = ExpectName("a parameter name");
        Token? vectorSize = null;
        if (Current.Kind == TokenKind.OpenBracket)
        {
            var open = Advance();
            vectorSize = ExpectName("a vector size such as K");
            ExpectClosing(TokenKind.CloseBracket, open);
        }

        var start = Current;
        ConstraintSyntax? constraint = null;
        switch (Current.Kind)
        {
            case TokenKind.Greater or TokenKind.GreaterEquals:
            {
                bool inclusive = Advance().Kind == TokenKind.GreaterEquals;
                var bound = ParseExpression();
                constraint = new LowerBoundConstraint(inclusive, bound, TextSpan.FromBounds(start.Span.Start, bound.Span.End));
                break;
            }
            case TokenKind.Less or TokenKind.LessEquals:
            {
                bool inclusive = Advance().Kind == TokenKind.LessEquals;
                var bound = ParseExpression();
                constraint = new UpperBoundConstraint(inclusive, bound, TextSpan.FromBounds(start.Span.Start, bound.Span.End));
                break;
            }
            case TokenKind.InKeyword:
                constraint = ParseIntervalConstraint();
                break;
            case TokenKind.Colon:
                constraint = ParseIntegerConstraint();
                break;
        }

        int end = constraint?.Span.End ?? _previous?.Span.End ?? name.Span.End;
        return new ParameterSyntax(name, vectorSize, constraint, TextSpan.FromBounds(name.Span.Start, end));
    }

    private IntervalConstraint ParseIntervalConstraint()
    {
        var keyword = Advance();
        var (low, high, lowInclusive, highInclusive, end) = ParseInterval("after 'in'");
        return new IntervalConstraint(low, high, lowInclusive, highInclusive, TextSpan.FromBounds(keyword.Span.Start, end));
    }

    private IntegerConstraint ParseIntegerConstraint()
    {
        var colon = Advance();
        if (Current.Kind != TokenKind.IntegerKeyword)
        {
            Error(DiagnosticCatalogue.ExpectedToken, $"expected 'integer' after ':' but found {Describe(Current)}");
            return new IntegerConstraint(false, null, colon.Span);
        }

        var integer = Advance();
        if (Current.Kind is not (TokenKind.Greater or TokenKind.GreaterEquals))
            return new IntegerConstraint(false, null, TextSpan.FromBounds(colon.Span.Start, integer.Span.End));

        bool inclusive = Advance().Kind == TokenKind.GreaterEquals;
        var bound = ParseExpression();
        return new IntegerConstraint(inclusive, bound, TextSpan.FromBounds(colon.Span.Start, bound.Span.End));
    }

    // '(' or '[', LOW ',' HIGH, ')' or ']': shared by 'in (0, 1)' and 'support (0, 1)'.
    private (ExpressionSyntax Low, ExpressionSyntax High, bool LowInclusive, bool HighInclusive, int End) ParseInterval(string context)
    {
        if (Current.Kind is not (TokenKind.OpenParen or TokenKind.OpenBracket))
        {
            Error(DiagnosticCatalogue.ExpectedToken, $"expected '(' or '[' to start an interval {context} but found {Describe(Current)}");
            var missing = new MissingExpression(new TextSpan(ErrorPosition(), 0));
            return (missing, missing, false, false, missing.Span.End);
        }

        var open = Advance();
        var low = ParseExpression();
        ExpressionSyntax high;
        if (Current.Kind == TokenKind.Comma)
        {
            Advance();
            high = ParseExpression();
        }
        else
        {
            Error(DiagnosticCatalogue.ExpectedToken, $"expected ',' between the ends of the interval but found {Describe(Current)}");
            high = new MissingExpression(new TextSpan(ErrorPosition(), 0));
        }

        if (Current.Kind is TokenKind.CloseParen or TokenKind.CloseBracket)
        {
            var close = Advance();
            return (low, high, open.Kind == TokenKind.OpenBracket, close.Kind == TokenKind.CloseBracket, close.Span.End);
        }

        ReportUnclosed(open.Kind == TokenKind.OpenParen ? TokenKind.CloseParen : TokenKind.CloseBracket, open, "')' or ']'");
        return (low, high, open.Kind == TokenKind.OpenBracket, false, high.Span.End);
    }

    // ---- Statements ----

    private StatementSyntax? ParseStatement()
    {
        _statementHasError = false;
        StatementSyntax? statement = Current.Kind switch
        {
            TokenKind.SupportKeyword => ParseSupportStatement(),
            TokenKind.CfKeyword or TokenKind.LogcfKeyword or TokenKind.CgfKeyword
                or TokenKind.LogpdfKeyword or TokenKind.LogpmfKeyword => ParseFunctionStatement(),
            TokenKind.LetKeyword => ParseLetStatement(),
            TokenKind.SampleKeyword => ParseSampleStatement(),
            TokenKind.LatentKeyword => ParseLatentStatement(),
            TokenKind.ValueKeyword => ParseValueStatement(),
            TokenKind.Identifier when Current.Text == ConstraintWord && Peek(1).Kind is not (TokenKind.Equals or TokenKind.NewLine or TokenKind.EndOfFile or TokenKind.CloseBrace)
                => ParseConstraintStatement(),
            // levy(x) = DENSITY, a Lévy density (contextual: 'levy' stays usable as a name; docs/language.md, extension).
            TokenKind.Identifier when Current.Text == LevyWord && Peek(1).Kind == TokenKind.OpenParen => ParseFunctionStatement(),
            _ => ReportUnknownStatement(),
        };
        FinishStatement();
        return statement;
    }

    private StatementSyntax? ReportUnknownStatement()
    {
        const string expected = "one of support, cf, logcf, cgf, logpdf, logpmf, let, sample, latent, value";
        var token = Current;
        if (token.Kind == TokenKind.Identifier)
        {
            string hint = SuggestKeyword(token.Text) is { } keyword
                ? $" (did you mean '{keyword}'?)"
                : Peek(1).Kind == TokenKind.Equals ? $" (to name a helper write 'let {Lexer.Shorten(token.Text)} = ...')" : "";
            Error(DiagnosticCatalogue.UnknownStatement, $"unknown statement '{Lexer.Shorten(token.Text)}'; expected {expected}{hint}");
        }
        else
        {
            Error(DiagnosticCatalogue.UnknownStatement, $"expected a statement ({expected}) but found {Describe(token)}");
        }

        return null;
    }

    // A statement ends at the end of its line (or at the '}' that closes the body).
    private void FinishStatement()
    {
        if (Current.Kind == TokenKind.NewLine)
        {
            Advance();
            return;
        }

        if (Current.Kind is TokenKind.CloseBrace or TokenKind.EndOfFile or TokenKind.DistributionKeyword) return;

        Error(DiagnosticCatalogue.UnexpectedAfterStatement,
            $"expected the end of the line after the statement but found {Describe(Current)}");

        // Skip the rest of the line; braces opened on it are matched so that only the body's '}' stops the skip.
        int braces = 0;
        while (true)
        {
            switch (Current.Kind)
            {
                case TokenKind.EndOfFile or TokenKind.DistributionKeyword:
                    return;
                case TokenKind.NewLine:
                    Advance();
                    return;
                case TokenKind.CloseBrace when braces == 0:
                    return;
                case TokenKind.CloseBrace:
                    braces--;
                    break;
                case TokenKind.OpenBrace:
                    braces++;
                    break;
            }

            Advance();
        }
    }

    private SupportStatement ParseSupportStatement()
    {
        var keyword = Advance();
        var domain = ParseSupportDomain();
        return new SupportStatement(domain, TextSpan.FromBounds(keyword.Span.Start, domain.Span.End));
    }

    private SupportSyntax ParseSupportDomain()
    {
        var start = Current;
        if (SyntaxFacts.IsSupportKeyword(start.Kind))
        {
            Advance();
            if (Current.Kind != TokenKind.Caret) return new NamedSupport(start, null, start.Span);

            Advance();
            if (Current.Kind == TokenKind.Number && Current.Text.All(char.IsAsciiDigit))
            {
                var power = Advance();
                return new NamedSupport(start, power, TextSpan.FromBounds(start.Span.Start, power.Span.End));
            }

            Error(DiagnosticCatalogue.ExpectedToken,
                $"expected a whole number of variables after '{start.Text}^' (as in real^2) but found {Describe(Current)}");
            var missing = Token.Missing(TokenKind.Number, ErrorPosition());
            return new NamedSupport(start, missing, TextSpan.FromBounds(start.Span.Start, missing.Span.End));
        }

        if (start.Kind is TokenKind.OpenParen or TokenKind.OpenBracket)
        {
            var (low, high, lowInclusive, highInclusive, end) = ParseInterval("after 'support'");
            return new IntervalSupport(low, high, lowInclusive, highInclusive, TextSpan.FromBounds(start.Span.Start, end));
        }

        if (start.Kind == TokenKind.OpenBrace) return ParseSetSupport();

        string what = start.Kind == TokenKind.Identifier ? $"unknown domain '{Lexer.Shorten(start.Text)}'" : Describe(start);
        Error(DiagnosticCatalogue.ExpectedSupport,
            $"expected a support domain (real, positive, naturals, integers, simplex, (LO, HI), {{0, 1}} or {{LO .. HI}}) but found {what}");
        return new MissingSupport(new TextSpan(ErrorPosition(), 0));
    }

    // '{' LO '..' HI '}' or '{' E (',' E)* '}'.
    private SupportSyntax ParseSetSupport()
    {
        var open = Advance();
        var first = ParseExpression();
        if (Current.Kind == TokenKind.DotDot)
        {
            Advance();
            var high = ParseExpression();
            int end = ExpectClosing(TokenKind.CloseBrace, open) ?? high.Span.End;
            return new IntegerRangeSupport(first, high, TextSpan.FromBounds(open.Span.Start, end));
        }

        var elements = ImmutableArray.CreateBuilder<ExpressionSyntax>();
        elements.Add(first);
        while (Current.Kind == TokenKind.Comma)
        {
            Advance();
            elements.Add(ParseExpression());
        }

        int close;
        if (Current.Kind == TokenKind.CloseBrace)
        {
            close = Advance().Span.End;
        }
        else
        {
            ReportUnclosed(TokenKind.CloseBrace, open, "',', '..' or '}'");
            close = elements[^1].Span.End;

            // The set's own '}' must not be taken for the end of the body: skip to it on this line.
            while (Current.Kind is not (TokenKind.NewLine or TokenKind.EndOfFile or TokenKind.DistributionKeyword))
                if (Advance().Kind == TokenKind.CloseBrace) break;
        }

        return new FiniteSetSupport(elements.ToImmutable(), TextSpan.FromBounds(open.Span.Start, close));
    }

    private FunctionStatement ParseFunctionStatement()
    {
        var keyword = Advance();
        var variables = ImmutableArray.CreateBuilder<Token>();
        if (Current.Kind != TokenKind.OpenParen)
        {
            Error(DiagnosticCatalogue.ExpectedToken,
                $"expected '(' and a variable after '{keyword.Text}' (as in {keyword.Text}({VariableExample(keyword)})) but found {Describe(Current)}");
        }
        else
        {
            var open = Advance();
            while (true)
            {
                variables.Add(ExpectName($"a variable name such as {VariableExample(keyword)}"));
                if (Current.Kind == TokenKind.Comma)
                {
                    Advance();
                    continue;
                }

                ExpectClosing(TokenKind.CloseParen, open, "',' or ')'");
                break;
            }
        }

        var body = ParseAfterEquals($"'{keyword.Text}(...)'");
        return new FunctionStatement(keyword, variables.ToImmutable(), body, TextSpan.FromBounds(keyword.Span.Start, body.Span.End));
    }

    private static string VariableExample(Token keyword) => keyword.Kind switch
    {
        TokenKind.CgfKeyword => "t",
        TokenKind.LogpdfKeyword or TokenKind.LogpmfKeyword => "z",
        TokenKind.Identifier => "x",
        _ => "w",
    };

    /// <summary>The contextual keyword of a Lévy density statement <c>levy(x) = DENSITY</c> (not reserved).</summary>
    public const string LevyWord = "levy";

    /// <summary>The contextual keyword of a joint constraint (not reserved: it stays usable as a name elsewhere).</summary>
    public const string ConstraintWord = "constraint";

    // 'constraint' LEFT ('<' | '<=' | '>' | '>=') RIGHT: a constraint on several parameters together.
    private ConstraintStatement ParseConstraintStatement()
    {
        var keyword = Advance();
        var left = ParseExpression();
        Token op;
        ExpressionSyntax right;
        if (Current.Kind is TokenKind.Less or TokenKind.LessEquals or TokenKind.Greater or TokenKind.GreaterEquals)
        {
            op = Advance();
            right = ParseExpression();
        }
        else
        {
            Error(DiagnosticCatalogue.ExpectedToken,
                $"expected a comparison '<', '<=', '>' or '>=' in the constraint (as in 'constraint p1 + p2 < 1') but found {Describe(Current)}");
            op = Current;
            right = new MissingExpression(new TextSpan(ErrorPosition(), 0));
        }
        return new ConstraintStatement(keyword, left, op, right, TextSpan.FromBounds(keyword.Span.Start, Math.Max(right.Span.End, left.Span.End)));
    }

    private LetStatement ParseLetStatement()
    {
        var keyword = Advance();
        var name = ExpectName("a helper name");
        var value = ParseAfterEquals($"'let {Lexer.Shorten(name.Text)}'");
        return new LetStatement(name, value, TextSpan.FromBounds(keyword.Span.Start, value.Span.End));
    }

    private SampleStatement ParseSampleStatement()
    {
        var keyword = Advance();
        var value = ParseAfterEquals("'sample'");
        return new SampleStatement(value, TextSpan.FromBounds(keyword.Span.Start, value.Span.End));
    }

    private LatentStatement ParseLatentStatement()
    {
        var keyword = Advance();
        var name = ExpectName("a latent name");
        var index = ParseOptionalIndex();

        var arguments = ImmutableArray<ExpressionSyntax>.Empty;
        Token distribution;
        int end;
        if (Current.Kind != TokenKind.Tilde)
        {
            Error(DiagnosticCatalogue.ExpectedToken,
                $"expected '~' and a distribution after 'latent {Lexer.Shorten(name.Text)}' (as in latent {Lexer.Shorten(name.Text)} ~ Gamma(k, 1)) but found {Describe(Current)}");
            distribution = Token.Missing(TokenKind.Identifier, ErrorPosition());
            end = distribution.Span.End;
        }
        else
        {
            Advance();
            distribution = ExpectName("the name of a declared distribution");
            end = distribution.Span.End;
            if (Current.Kind == TokenKind.OpenParen)
            {
                var open = Advance();
                arguments = ParseArguments(open, out end);
            }
            else
            {
                Error(DiagnosticCatalogue.ExpectedToken,
                    $"expected '(' and the arguments of '{Lexer.Shorten(distribution.Text)}' but found {Describe(Current)}");
            }
        }

        return new LatentStatement(name, index, distribution, arguments, TextSpan.FromBounds(keyword.Span.Start, end));
    }

    private ValueStatement ParseValueStatement()
    {
        var keyword = Advance();
        var index = ParseOptionalIndex();
        var value = ParseAfterEquals(index is null ? "'value'" : "'value[...]'");
        return new ValueStatement(index, value, TextSpan.FromBounds(keyword.Span.Start, value.Span.End));
    }

    // '[' E ']' after a latent or 'value'.
    private ExpressionSyntax? ParseOptionalIndex()
    {
        if (Current.Kind != TokenKind.OpenBracket) return null;
        var open = Advance();
        var index = ParseExpression();
        ExpectClosing(TokenKind.CloseBracket, open);
        return index;
    }

    private ExpressionSyntax ParseAfterEquals(string what)
    {
        if (Current.Kind == TokenKind.Equals)
        {
            Advance();
        }
        else
        {
            Error(DiagnosticCatalogue.ExpectedEquals, $"expected '=' after {what} but found {Describe(Current)}");

            // Parse what follows anyway when it looks like the right-hand side, for a fuller tree.
            if (!CanStartExpression(Current.Kind)) return new MissingExpression(new TextSpan(ErrorPosition(), 0));
        }

        return ParseExpression();
    }

    // ---- Expressions ----
    // Precedence, loosest first: '+ -' < '* /' < prefix '-' '+' < '^' (right-associative; its right
    // operand may carry a sign, so 2^-1 is 2^(-1) and -x^2 is -(x^2)).

    private ExpressionSyntax ParseExpression()
    {
        var left = ParseTerm();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            if (!CheckHeight(left)) break;
            var op = Advance();
            var right = ParseTerm();
            left = new BinaryExpression(left, op, right, TextSpan.FromBounds(left.Span.Start, right.Span.End));
        }

        return left;
    }

    private ExpressionSyntax ParseTerm()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash)
        {
            if (!CheckHeight(left)) break;
            var op = Advance();
            var right = ParseUnary();
            left = new BinaryExpression(left, op, right, TextSpan.FromBounds(left.Span.Start, right.Span.End));
        }

        return left;
    }

    private bool CheckHeight(ExpressionSyntax left)
    {
        if (left.Height < MaxExpressionHeight) return true;
        Error(DiagnosticCatalogue.ExpressionTooLong,
            $"expression too long (limit {MaxExpressionHeight} nested operations); found another {Describe(Current)} after that many");
        return false;
    }

    // Every recursive path of the expression grammar passes through here, so this is where depth is bounded.
    private ExpressionSyntax ParseUnary()
    {
        if (_depth >= MaxNestingDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Error(DiagnosticCatalogue.NestedTooDeeply,
                $"expression nested too deeply (limit {MaxNestingDepth}); found {Describe(Current)} at a depth of more than {MaxNestingDepth}");
            return new MissingExpression(new TextSpan(ErrorPosition(), 0));
        }

        _depth++;
        try
        {
            if (Current.Kind is TokenKind.Minus or TokenKind.Plus)
            {
                var op = Advance();
                var operand = ParseUnary();
                return new UnaryExpression(op, operand, TextSpan.FromBounds(op.Span.Start, operand.Span.End));
            }

            var left = ParsePrimary();
            if (Current.Kind != TokenKind.Caret) return left;

            var caret = Advance();
            var right = ParseUnary();
            return new BinaryExpression(left, caret, right, TextSpan.FromBounds(left.Span.Start, right.Span.End));
        }
        finally
        {
            _depth--;
        }
    }

    private ExpressionSyntax ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                return new NumberExpression(Advance());
            case TokenKind.IKeyword or TokenKind.PiKeyword:
                return new NameExpression(Advance());
            case TokenKind.Identifier:
            {
                Advance();
                if (Current.Kind == TokenKind.OpenParen)
                {
                    var open = Advance();
                    var arguments = ParseArguments(open, out int end);
                    return new CallExpression(token, arguments, TextSpan.FromBounds(token.Span.Start, end));
                }

                if (Current.Kind == TokenKind.OpenBracket)
                {
                    var open = Advance();
                    var index = ParseExpression();
                    int end = ExpectClosing(TokenKind.CloseBracket, open) ?? index.Span.End;
                    return new IndexExpression(token, index, TextSpan.FromBounds(token.Span.Start, end));
                }

                return new NameExpression(token);
            }
            case TokenKind.OpenParen:
                return ParseParenthesized();
            default:
            {
                var previous = _previous;
                string after = previous is not null && IsOperatorOrEquals(previous.Kind) ? $" after '{Lexer.Shorten(previous.Text)}'" : "";
                string hint = previous?.Kind == TokenKind.Star && token.Kind == TokenKind.Star ? " (write powers with '^')" : "";
                Error(DiagnosticCatalogue.ExpectedExpression, $"expected an expression{after} but found {Describe(token)}{hint}");
                return new MissingExpression(new TextSpan(ErrorPosition(), 0));
            }
        }
    }

    // '(' E ')' or the tuple '(' E ',' E ... ')'.
    private ExpressionSyntax ParseParenthesized()
    {
        var open = Advance();
        var first = ParseExpression();
        if (Current.Kind != TokenKind.Comma)
        {
            int end = ExpectClosing(TokenKind.CloseParen, open) ?? first.Span.End;
            return new ParenthesizedExpression(first, TextSpan.FromBounds(open.Span.Start, end));
        }

        var items = ImmutableArray.CreateBuilder<ExpressionSyntax>();
        items.Add(first);
        while (Current.Kind == TokenKind.Comma)
        {
            Advance();
            items.Add(ParseExpression());
        }

        int close = ExpectClosing(TokenKind.CloseParen, open, "',' or ')'") ?? items[^1].Span.End;
        return new TupleExpression(items.ToImmutable(), TextSpan.FromBounds(open.Span.Start, close));
    }

    // Arguments after an already consumed '(' up to and including ')'; end is where the list ends.
    private ImmutableArray<ExpressionSyntax> ParseArguments(Token open, out int end)
    {
        if (Current.Kind == TokenKind.CloseParen)
        {
            end = Advance().Span.End;
            return [];
        }

        var arguments = ImmutableArray.CreateBuilder<ExpressionSyntax>();
        arguments.Add(ParseExpression());
        while (Current.Kind == TokenKind.Comma)
        {
            Advance();
            arguments.Add(ParseExpression());
        }

        end = ExpectClosing(TokenKind.CloseParen, open, "',' or ')'") ?? arguments[^1].Span.End;
        return arguments.ToImmutable();
    }

    // ---- Tokens and diagnostics ----

    private Token ExpectName(string what)
    {
        var token = Current;
        if (token.Kind == TokenKind.Identifier) return Advance();

        if (SyntaxFacts.IsKeyword(token.Kind) && token.Kind != TokenKind.DistributionKeyword && !SyntaxFacts.IsStatementKeyword(token.Kind))
        {
            // Take the reserved word as the name so that the rest of the line still parses.
            Error(DiagnosticCatalogue.ReservedWordAsName, $"expected {what} but found the reserved word '{Lexer.Shorten(token.Text)}'");
            return Advance();
        }

        Error(DiagnosticCatalogue.ExpectedName, $"expected {what} but found {Describe(token)}");
        return Token.Missing(TokenKind.Identifier, ErrorPosition());
    }

    // Consumes the closing bracket and returns its end, or reports it missing and returns null.
    private int? ExpectClosing(TokenKind close, Token open, string? expected = null)
    {
        if (Current.Kind == close) return Advance().Span.End;
        ReportUnclosed(close, open, expected ?? $"'{SyntaxFacts.GetText(close)}'");
        return null;
    }

    private void ReportUnclosed(TokenKind close, Token open, string expected)
    {
        var (line, column) = _source.GetLineColumn(open.Span.Start);
        Error(DiagnosticCatalogue.UnclosedBracket,
            $"expected {expected} to close the '{Lexer.Shorten(open.Text)}' at line {line}, column {column} (a '{SyntaxFacts.GetText(close)}' is missing) but found {Describe(Current)}");
    }

    /// <summary>Reports the first error of the current statement, at the current token; returns whether a diagnostic was added.</summary>
    private bool Error(DiagnosticDescriptor descriptor, string message)
    {
        if (_statementHasError) return false;
        _statementHasError = true;

        // The lexer has already explained a bad token; a second message would only repeat it.
        if (Current.Kind == TokenKind.Bad) return false;

        _diagnostics.Report(descriptor, ErrorPosition(), message);
        return true;
    }

    // Where an error at the current token goes: at the token, or, at a line break or the end of the file,
    // right after the last real token, where the missing text belongs.
    private int ErrorPosition()
    {
        if (Current.Kind is not (TokenKind.NewLine or TokenKind.EndOfFile)) return Current.Span.Start;
        return _previousOnLine?.Span.End ?? Current.Span.Start;
    }

    private static bool CanStartExpression(TokenKind kind) =>
        kind is TokenKind.Number or TokenKind.Identifier or TokenKind.IKeyword or TokenKind.PiKeyword
            or TokenKind.OpenParen or TokenKind.Minus or TokenKind.Plus;

    private static bool IsOperatorOrEquals(TokenKind kind) =>
        kind is TokenKind.Plus or TokenKind.Minus or TokenKind.Star or TokenKind.Slash or TokenKind.Caret or TokenKind.Equals
            or TokenKind.Comma or TokenKind.Greater or TokenKind.GreaterEquals or TokenKind.Less or TokenKind.LessEquals;

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.NewLine => "end of line",
        TokenKind.EndOfFile => "end of file",
        _ when SyntaxFacts.IsKeyword(token.Kind) => $"the reserved word '{Lexer.Shorten(token.Text)}'",
        _ => $"'{Lexer.Shorten(token.Text)}'",
    };

    // A misspelt statement keyword ("suport", "CF", "logpfd") within two edits.
    private static string? SuggestKeyword(string word)
    {
        if (word.Length > 16) return null;
        string lower = word.ToLowerInvariant();
        string? best = null;
        int bestDistance = 3;
        foreach (var keyword in SyntaxFacts.StatementKeywords)
        {
            int distance = EditDistance(lower, keyword);
            if (distance < bestDistance && distance < keyword.Length)
            {
                best = keyword;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
