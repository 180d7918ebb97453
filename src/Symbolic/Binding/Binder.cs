using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;
using SeriesCompiler.Symbolic.Syntax;

namespace SeriesCompiler.Symbolic.Binding;

/// <summary>
/// Resolves the names of a parsed file and records constraints, turning each declaration into a
/// <see cref="BoundDistribution"/> of exact expressions. Problems become diagnostics; a declaration
/// with binding errors is still returned (so later files can name it) but must not be derived.
/// </summary>
public sealed partial class Binder
{
    /// <summary>Largest decimal exponent of a literal: 1e1000 is exact but still printable.</summary>
    public const int MaxLiteralExponent = 1000;

    /// <summary>Where an expression stands decides which names and functions it may use.</summary>
    private enum Context { Characteristic, Cgf, LogDensity, Sample, Value, Bound, Constraint }

    /// <summary>Primitive draws and their argument counts (-1: one or more).</summary>
    public static readonly IReadOnlyDictionary<string, int> Draws = new Dictionary<string, int>
    {
        ["uniform"] = 0, ["normal"] = 0, ["exponential"] = 0, ["gamma"] = 1, ["beta"] = 2,
        ["poisson"] = 1, ["bernoulli"] = 1, ["categorical"] = -1, ["binomial"] = 2,
    };

    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, Expr> _scope = new(StringComparer.Ordinal);
    private readonly HashSet<string> _vectorParameters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _indexedLatents = new(StringComparer.Ordinal);
    private readonly List<BoundDraw> _draws = new();
    private readonly HashSet<Symbol> _drawSymbols = new();
    private Symbol? _familyIndex;
    // Lévy exponents (docs/language.md): abs is allowed in a cf/logcf of one variable as abs(w) or abs(w)^alpha,
    // and, in a cf, under exp only (Binder.Levy.cs checks each use where it is written).
    private readonly List<string> _enclosingCalls = new();
    private Binding.CharacteristicKind? _bindingKind;
    private ImmutableArray<Symbol> _bindingVariables = [];

    private Binder(DiagnosticBag diagnostics) => _diagnostics = diagnostics;

    public static ImmutableArray<BoundDistribution> Bind(CompilationUnitSyntax unit, DiagnosticBag diagnostics)
    {
        var result = ImmutableArray.CreateBuilder<BoundDistribution>();
        foreach (var d in unit.Distributions)
            result.Add(new Binder(diagnostics).BindDistribution(d));
        return result.ToImmutable();
    }

    private BoundDistribution BindDistribution(DistributionSyntax syntax)
    {
        using var metered = WorkMeter.Start(); // each declaration binds within its own budget

        string? familySize = syntax.FamilySize?.Text;
        if (familySize is not null)
        {
            // The index variable of a family is j by convention (language.md: "j ranges over 0 .. K-1").
            _familyIndex = Ex.Sym("j", SymbolKind.Variable);
        }

        var parameters = ImmutableArray.CreateBuilder<BoundParameter>();
        foreach (var p in syntax.Parameters)
        {
            if (p.Name.IsMissing) continue;
            if (_scope.ContainsKey(p.Name.Text))
            {
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, p.Name.Span, $"parameter '{Lexer.Shorten(p.Name.Text)}' is declared twice");
                continue;
            }
            var bound = BindParameter(p, familySize);
            parameters.Add(bound);
            _scope[p.Name.Text] = bound.Symbol;
            if (bound.VectorSize is not null) _vectorParameters.Add(p.Name.Text);
        }

        BoundSupport? support = null;
        CharacteristicKind? kind = null;
        var variables = ImmutableArray<Symbol>.Empty;
        int variableNames = 0; // as written: a name refused by DeclareVariables (SC0107) must not also count as missing
        Expr? characteristic = null;
        TextSpan characteristicSpan = syntax.Name.Span;
        Symbol? densityVariable = null;
        Expr? logDensity = null;
        var sample = ImmutableArray<Expr>.Empty;
        bool sampleSeen = false;
        var latents = ImmutableArray.CreateBuilder<BoundLatent>();
        var jointConstraints = ImmutableArray.CreateBuilder<BoundJointConstraint>();
        Expr? value = null;
        TextSpan? valueSpan = null;

        // Latents and lets first, in order, so that sample and value may use them wherever they stand.
        foreach (var statement in syntax.Statements)
        {
            switch (statement)
            {
                case LatentStatement l when !l.Name.IsMissing:
                {
                    if (_scope.ContainsKey(l.Name.Text))
                    {
                        _diagnostics.Report(DiagnosticCatalogue.DuplicateName, l.Name.Span, $"'{Lexer.Shorten(l.Name.Text)}' is already declared");
                        break;
                    }
                    bool indexed = l.Index is not null;
                    if (indexed && (_familyIndex is null || l.Index is not NameExpression { Name.Text: "j" }))
                        _diagnostics.Report(DiagnosticCatalogue.MisplacedIndex, l.Index!.Span,
                            _familyIndex is null ? $"latent '{Lexer.Shorten(l.Name.Text)}' is indexed but '{Lexer.Shorten(syntax.Name.Text)}' is not a family NAME[K]" : "a family's latent is indexed by its index variable j");
                    var args = l.Arguments.Select(a => BindExpression(a, Context.Value)).ToImmutableArray();
                    var symbol = Ex.Sym(l.Name.Text, SymbolKind.Variable);
                    latents.Add(new BoundLatent(l.Name.Text, symbol, l.Distribution.Text, args, indexed, l.Span, l.Distribution.Span));
                    _scope[l.Name.Text] = symbol;
                    if (indexed) _indexedLatents.Add(l.Name.Text);
                    break;
                }
                case LetStatement let when !let.Name.IsMissing:
                {
                    var bound = BindExpression(let.Value, Context.Sample);
                    if (_scope.ContainsKey(let.Name.Text))
                        _diagnostics.Report(DiagnosticCatalogue.DuplicateName, let.Name.Span, $"'{Lexer.Shorten(let.Name.Text)}' is already declared");
                    else _scope[let.Name.Text] = bound;
                    break;
                }
            }
        }

        foreach (var statement in syntax.Statements)
        {
            switch (statement)
            {
                case SupportStatement s:
                    if (support is not null) _diagnostics.Report(DiagnosticCatalogue.DuplicateStatement, s.Span, "'support' is given twice");
                    else support = BindSupport(s.Domain);
                    break;

                case FunctionStatement f when f.Keyword.Kind is TokenKind.CfKeyword or TokenKind.LogcfKeyword or TokenKind.CgfKeyword:
                {
                    if (kind is not null)
                    {
                        _diagnostics.Report(DiagnosticCatalogue.DuplicateStatement, f.Keyword.Span,
                            $"'{f.Keyword.Text}' given, but the characteristic function was already declared by an earlier cf/logcf/cgf");
                        break;
                    }
                    kind = f.Keyword.Kind switch
                    {
                        TokenKind.CfKeyword => Binding.CharacteristicKind.Cf,
                        TokenKind.LogcfKeyword => Binding.CharacteristicKind.LogCf,
                        _ => Binding.CharacteristicKind.Cgf,
                    };
                    characteristicSpan = f.Span;
                    variables = DeclareVariables(f.Variables);
                    variableNames = f.Variables.Count(v => !v.IsMissing);
                    (_bindingKind, _bindingVariables) = (kind, variables);
                    characteristic = BindExpression(f.Body, kind == Binding.CharacteristicKind.Cgf ? Context.Cgf : Context.Characteristic);
                    (_bindingKind, _bindingVariables) = (null, []);
                    foreach (var v in f.Variables) _scope.Remove(v.Text);
                    break;
                }

                case FunctionStatement f when f.Keyword.Kind == TokenKind.Identifier:
                    BindLevyDensity(f);
                    break;

                case FunctionStatement f:
                {
                    if (logDensity is not null)
                    {
                        _diagnostics.Report(DiagnosticCatalogue.DuplicateStatement, f.Keyword.Span, $"'{f.Keyword.Text}' is given twice");
                        break;
                    }
                    var vars = DeclareVariables(f.Variables);
                    densityVariable = vars.IsEmpty ? null : vars[0];
                    logDensity = BindExpression(f.Body, Context.LogDensity);
                    foreach (var v in f.Variables) _scope.Remove(v.Text);
                    break;
                }

                case SampleStatement s:
                    if (sampleSeen) { _diagnostics.Report(DiagnosticCatalogue.DuplicateStatement, s.Span, "'sample' is given twice"); break; }
                    sampleSeen = true;
                    sample = s.Value is TupleExpression tuple
                        ? tuple.Items.Select(i => BindExpression(i, Context.Sample)).ToImmutableArray()
                        : [BindExpression(s.Value, Context.Sample)];
                    break;

                case ConstraintStatement c:
                    if (BindJointConstraint(c) is { } bound) jointConstraints.Add(bound);
                    break;

                case ValueStatement v:
                    if (value is not null) { _diagnostics.Report(DiagnosticCatalogue.DuplicateStatement, v.Span, "'value' is given twice"); break; }
                    if (v.Index is not null && (_familyIndex is null || v.Index is not NameExpression { Name.Text: "j" }))
                        _diagnostics.Report(DiagnosticCatalogue.MisplacedIndex, v.Index.Span, "only a family's value is indexed, by its index variable j");
                    value = BindExpression(v.Value, Context.Value);
                    valueSpan = v.Span;
                    break;
            }
        }

        if (support is null)
            _diagnostics.Report(DiagnosticCatalogue.MissingSupport, syntax.Name.Span, $"distribution '{Lexer.Shorten(syntax.Name.Text)}' has no 'support' statement");
        bool derived = latents.Count > 0;
        if (derived && value is null)
            _diagnostics.Report(DiagnosticCatalogue.LatentWithoutValue, latents[0].Span, $"'{Lexer.Shorten(syntax.Name.Text)}' declares latent components but no 'value' built from them");
        if (!derived && value is not null)
            _diagnostics.Report(DiagnosticCatalogue.LatentWithoutValue, valueSpan!.Value, "'value' is given but no 'latent' component is declared");
        if (derived && kind is not null)
            _diagnostics.Report(DiagnosticCatalogue.CharacteristicWithLatents, characteristicSpan, $"'{Lexer.Shorten(syntax.Name.Text)}' is built from latents and cannot also declare a characteristic function");
        if (!derived && kind is null && value is null)
            _diagnostics.Report(DiagnosticCatalogue.MissingCharacteristic, syntax.Name.Span, $"distribution '{Lexer.Shorten(syntax.Name.Text)}' declares none of cf, logcf, cgf");
        if (support is not null && kind is not null && variableNames != support.Dimension && support.Kind != SupportKind.Simplex)
            _diagnostics.Report(DiagnosticCatalogue.VariableCountMismatch, characteristicSpan,
                $"the support has dimension {support.Dimension} but the characteristic function names {variableNames} frequency variable(s)");

        // Each parameter carries the joint constraints that name it, so a check of a parameter list sees them.
        var joint = jointConstraints.ToImmutable();
        var constrained = parameters.Select(p => joint.Any(c => c.Left.Contains(p.Symbol) || c.Right.Contains(p.Symbol))
            ? p with { JointConstraints = joint.Where(c => c.Left.Contains(p.Symbol) || c.Right.Contains(p.Symbol)).ToImmutableArray() }
            : p).ToImmutableArray();

        return new BoundDistribution(
            syntax.Name.Text, _diagnostics.Source, syntax.Name.Span, familySize, _familyIndex,
            constrained, support, kind, variables, characteristic, characteristicSpan,
            densityVariable, logDensity, sample, _draws.ToImmutableArray(), latents.ToImmutable(), value)
        {
            JointConstraints = joint, LevyDensity = _levyDensity,
        };
    }

    /// <summary>
    /// <c>constraint LEFT OP RIGHT</c>: both sides real expressions of the scalar parameters (lets that reduce to
    /// parameters are fine); at least one parameter must appear, and no frequency variable, draw, vector parameter or i.
    /// </summary>
    private BoundJointConstraint? BindJointConstraint(ConstraintStatement c)
    {
        if (c.Right is MissingExpression || c.Left is MissingExpression) return null; // the parser reported it
        int before = _diagnostics.Items.Count;
        var left = BindExpression(c.Left, Context.Constraint);
        var right = BindExpression(c.Right, Context.Constraint);
        if (_diagnostics.Items.Count > before || ReferenceEquals(left, ErrorSymbol) || ReferenceEquals(right, ErrorSymbol)) return null;
        var symbols = Symbols(left).Concat(Symbols(right)).Where(s => s.Kind != SymbolKind.Constant).Distinct().ToList();
        var foreign = symbols.FirstOrDefault(s => s.Kind != SymbolKind.Parameter || s.Name.EndsWith("[j]", StringComparison.Ordinal));
        if (foreign is not null)
        {
            _diagnostics.Report(DiagnosticCatalogue.InvalidJointConstraint, c.Span,
                $"a constraint may name only scalar parameters, found '{Lexer.Shorten(foreign.Name)}'");
            return null;
        }
        if (symbols.Count == 0)
        {
            _diagnostics.Report(DiagnosticCatalogue.InvalidJointConstraint, c.Span, "the constraint names no parameter, so it is constant");
            return null;
        }
        if (left.ContainsImaginary() || right.ContainsImaginary())
        {
            _diagnostics.Report(DiagnosticCatalogue.InvalidJointConstraint, c.Span, "a constraint compares real numbers; 'i' cannot appear in it");
            return null;
        }
        var comparison = c.Operator.Kind switch
        {
            TokenKind.Less => ComparisonKind.Less,
            TokenKind.LessEquals => ComparisonKind.LessEqual,
            TokenKind.Greater => ComparisonKind.Greater,
            _ => ComparisonKind.GreaterEqual,
        };
        string text = $"{SourceTextOf(c.Left)} {BoundJointConstraint.OperatorText(comparison)} {SourceTextOf(c.Right)}";
        return new BoundJointConstraint(left, comparison, right, text, c.Span);
    }

    /// <summary>The source text of an expression with its whitespace runs collapsed to one space.</summary>
    private string SourceTextOf(ExpressionSyntax e) =>
        string.Join(" ", _diagnostics.Source.Text.Substring(e.Span.Start, e.Span.Length).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static IEnumerable<Symbol> Symbols(Expr e) => e is Symbol s ? [s] : e.Children.SelectMany(Symbols);

    private ImmutableArray<Symbol> DeclareVariables(ImmutableArray<Token> names)
    {
        var result = ImmutableArray.CreateBuilder<Symbol>();
        foreach (var v in names)
        {
            if (v.IsMissing) continue;
            if (_scope.TryGetValue(v.Text, out var existing) && existing is Symbol { Kind: SymbolKind.Parameter })
            {
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, v.Span, $"frequency variable '{Lexer.Shorten(v.Text)}' has the name of a parameter");
                continue;
            }
            var symbol = Ex.Sym(v.Text, SymbolKind.Variable);
            _scope[v.Text] = symbol;
            result.Add(symbol);
        }
        return result.ToImmutable();
    }

    private BoundParameter BindParameter(ParameterSyntax p, string? familySize)
    {
        string? vectorSize = p.VectorSize?.Text;
        if (vectorSize is not null && vectorSize != familySize)
            _diagnostics.Report(DiagnosticCatalogue.MisplacedIndex, p.VectorSize!.Span,
                familySize is null ? $"vector parameter '{Lexer.Shorten(p.Name.Text)}[{vectorSize}]' needs a family declaration NAME[{vectorSize}]" : $"the family size is '{familySize}', not '{vectorSize}'");
        Rational? lower = null, upper = null;
        bool lowerInclusive = false, upperInclusive = false, isInteger = false;
        switch (p.Constraint)
        {
            case LowerBoundConstraint c: lower = BindConstant(c.Bound); lowerInclusive = c.Inclusive; break;
            case UpperBoundConstraint c: upper = BindConstant(c.Bound); upperInclusive = c.Inclusive; break;
            case IntervalConstraint c:
                lower = BindConstant(c.Low); upper = BindConstant(c.High);
                lowerInclusive = c.LowInclusive; upperInclusive = c.HighInclusive;
                if (lower is { } lo && upper is { } hi && lo >= hi)
                    _diagnostics.Report(DiagnosticCatalogue.InvalidConstraint, c.Span, $"the interval ({lo}, {hi}) of '{Lexer.Shorten(p.Name.Text)}' is empty");
                break;
            case IntegerConstraint c:
                isInteger = true;
                if (c.LowerBound is not null) { lower = BindConstant(c.LowerBound); lowerInclusive = c.Inclusive; }
                break;
        }
        var symbol = Ex.Sym(p.Name.Text, SymbolKind.Parameter);
        return new BoundParameter(p.Name.Text, symbol, isInteger, vectorSize, lower, lowerInclusive, upper, upperInclusive, p.Span);
    }

    /// <summary>A constraint bound: an exact constant expression (numbers and arithmetic).</summary>
    private Rational? BindConstant(ExpressionSyntax syntax)
    {
        var e = BindExpression(syntax, Context.Bound);
        if (e is Number { IsReal: true } n) return n.Re;
        if (e is not Symbol { Name: "?" })
            _diagnostics.Report(DiagnosticCatalogue.NonConstantBound, syntax.Span, $"expected a constant number as bound, found '{e}'");
        return null;
    }

    private BoundSupport? BindSupport(SupportSyntax domain)
    {
        switch (domain)
        {
            case NamedSupport n:
            {
                int dimension = 1;
                if (n.Power is not null && (!int.TryParse(n.Power.Text, out dimension) || dimension < 1 || dimension > 4))
                {
                    _diagnostics.Report(DiagnosticCatalogue.VariableCountMismatch, n.Power.Span, $"expected a dimension from 1 to 4 after '^', found '{Lexer.Shorten(n.Power.Text)}'");
                    dimension = 1;
                }
                var kind = n.Name.Kind switch
                {
                    TokenKind.RealKeyword => SupportKind.Real,
                    TokenKind.PositiveKeyword => SupportKind.Positive,
                    TokenKind.NaturalsKeyword => SupportKind.Naturals,
                    TokenKind.IntegersKeyword => SupportKind.Integers,
                    _ => SupportKind.Simplex,
                };
                return new BoundSupport(kind, dimension, []);
            }
            case IntervalSupport i:
                return new BoundSupport(SupportKind.Interval, 1, [BindExpression(i.Low, Context.Value), BindExpression(i.High, Context.Value)]);
            case FiniteSetSupport s:
                return new BoundSupport(SupportKind.FiniteSet, 1, s.Elements.Select(e => BindExpression(e, Context.Value)).ToImmutableArray());
            case IntegerRangeSupport r:
                return new BoundSupport(SupportKind.IntegerRange, 1, [BindExpression(r.Low, Context.Value), BindExpression(r.High, Context.Value)]);
            default:
                return null;
        }
    }

    // ---- expressions ------------------------------------------------------------------------

    /// <summary>A placeholder for an expression that failed to bind; its error is already reported.</summary>
    private static readonly Symbol ErrorSymbol = Ex.Sym("?", SymbolKind.Constant);

    private Expr BindExpression(ExpressionSyntax syntax, Context context)
    {
        try
        {
            return Bind(syntax, context);
        }
        catch (ArithmeticFailure failure)
        {
            _diagnostics.Report(DiagnosticCatalogue.InvalidArithmetic, failure.Span, failure.Message);
            return ErrorSymbol;
        }
    }

    /// <summary>Invalid exact arithmetic (1/0, a constant too large) with the sub-expression where it happened.</summary>
    private sealed class ArithmeticFailure(string message, TextSpan span) : Exception(message)
    {
        public TextSpan Span { get; } = span;
    }

    // The parser bounds the height of expression trees, so this recursion is bounded too.
    private Expr Bind(ExpressionSyntax syntax, Context context)
    {
        try
        {
            return BindNode(syntax, context);
        }
        catch (SymbolicException ex)
        {
            // The innermost node whose construction failed names the position; enclosing nodes pass it on.
            throw new ArithmeticFailure(ex.Message, syntax.Span);
        }
    }

    private Expr BindNode(ExpressionSyntax syntax, Context context)
    {
        switch (syntax)
        {
            case NumberExpression n:
                if (Rational.TryParseDecimal(n.Token.Text, MaxLiteralExponent, out var value)) return Ex.Num(value);
                _diagnostics.Report(DiagnosticCatalogue.NumberOutOfRange, n.Span, $"the number '{Lexer.Shorten(n.Token.Text)}' is out of range (decimal exponent beyond ±{MaxLiteralExponent})");
                return ErrorSymbol;

            case NameExpression n:
                return BindName(n.Name, context);

            case ParenthesizedExpression p:
                return Bind(p.Expression, context);

            case UnaryExpression u:
            {
                var operand = Bind(u.Operand, context);
                return u.Operator.Kind == TokenKind.Minus ? Ex.Neg(operand) : operand;
            }

            case BinaryExpression b:
            {
                var left = Bind(b.Left, context);
                var right = Bind(b.Right, context);
                if (ReferenceEquals(left, ErrorSymbol) || ReferenceEquals(right, ErrorSymbol)) return ErrorSymbol;
                return b.Operator.Kind switch
                {
                    TokenKind.Plus => Ex.Add(left, right),
                    TokenKind.Minus => Ex.Sub(left, right),
                    TokenKind.Star => Ex.Mul(left, right),
                    TokenKind.Slash => right.IsZero ? throw new SymbolicException("division by zero") : Ex.Div(left, right),
                    _ => context == Context.Characteristic && !CheckLevyPower(b, left, right) ? ErrorSymbol : Ex.Pow(left, right),
                };
            }

            case CallExpression c:
                return BindCall(c, context);

            case IndexExpression ix:
                return BindIndex(ix, context);

            case TupleExpression t:
                _diagnostics.Report(DiagnosticCatalogue.MisplacedTuple, t.Span, "a tuple may only be the whole right-hand side of 'sample'");
                return ErrorSymbol;

            default: // MissingExpression: the parser already reported it
                return ErrorSymbol;
        }
    }

    private Expr BindName(Token name, Context context)
    {
        switch (name.Kind)
        {
            case TokenKind.PiKeyword: return Ex.Pi;
            case TokenKind.IKeyword:
                if (context != Context.Characteristic)
                {
                    _diagnostics.Report(DiagnosticCatalogue.MisplacedImaginaryUnit, name.Span, "the imaginary unit 'i' may appear only in 'cf' and 'logcf'");
                    return ErrorSymbol;
                }
                return Ex.I;
        }
        if (context == Context.Bound)
        {
            _diagnostics.Report(DiagnosticCatalogue.NonConstantBound, name.Span, $"expected a constant number as bound, found the name '{Lexer.Shorten(name.Text)}'");
            return ErrorSymbol;
        }
        if (_scope.TryGetValue(name.Text, out var bound))
        {
            if (context is Context.Characteristic or Context.Cgf or Context.LogDensity && ContainsDraw(bound))
            {
                string where = context == Context.LogDensity ? "a log density" : "a characteristic function";
                _diagnostics.Report(DiagnosticCatalogue.MisplacedDraw, name.Span, $"'{Lexer.Shorten(name.Text)}' holds a random draw and cannot appear in {where}");
                return ErrorSymbol;
            }
            return bound;
        }
        _diagnostics.Report(DiagnosticCatalogue.UnknownName, name.Span, $"unknown name '{Lexer.Shorten(name.Text)}'; expected a parameter, a 'let' name or the frequency variable");
        return ErrorSymbol;
    }

    private bool ContainsDraw(Expr e) => _drawSymbols.Count > 0 && _drawSymbols.Any(e.Contains);

    private Expr BindIndex(IndexExpression ix, Context context)
    {
        string name = ix.Name.Text;
        bool isVector = _vectorParameters.Contains(name) || _indexedLatents.Contains(name);
        if (!isVector || _familyIndex is null || ix.Index is not NameExpression { Name.Text: "j" })
        {
            _diagnostics.Report(DiagnosticCatalogue.MisplacedIndex, ix.Span,
                isVector ? $"index '{Lexer.Shorten(name)}' with the family's index variable j" : $"'{Lexer.Shorten(name)}' is not a vector parameter or an indexed latent");
            return ErrorSymbol;
        }
        return Ex.Sym(name + "[j]", _vectorParameters.Contains(name) ? SymbolKind.Parameter : SymbolKind.Variable);
    }

    private Expr BindCall(CallExpression c, Context context)
    {
        string name = c.Name.Text;
        var args = c.Arguments;

        if (Draws.TryGetValue(name, out int arity))
        {
            if (context != Context.Sample)
            {
                _diagnostics.Report(DiagnosticCatalogue.MisplacedDraw, c.Span, $"the random draw '{name}(...)' may appear only in 'sample' or 'let'");
                return ErrorSymbol;
            }
            if (arity >= 0 ? args.Length != arity : args.Length == 0)
            {
                _diagnostics.Report(DiagnosticCatalogue.WrongArgumentCount, c.Span,
                    $"'{Lexer.Shorten(name)}' takes {(arity >= 0 ? arity.ToString() : "one or more")} argument(s), found {args.Length}");
                return ErrorSymbol;
            }
            var boundArgs = args.Select(a => Bind(a, context)).ToImmutableArray();
            var symbol = Ex.Sym($"{name}#{_draws.Count}", SymbolKind.Variable);
            _draws.Add(new BoundDraw(symbol, name, boundArgs));
            _drawSymbols.Add(symbol);
            return symbol;
        }

        if (name == "sum")
        {
            if (context != Context.Value || args.Length != 1 || args[0] is not NameExpression { } latent || !_indexedLatents.Contains(latent.Name.Text))
            {
                _diagnostics.Report(DiagnosticCatalogue.MisplacedIndex, c.Span, "'sum(g)' adds the components of an indexed latent g, inside 'value'");
                return ErrorSymbol;
            }
            return Ex.Sym($"sum({Lexer.Shorten(latent.Name.Text)})", SymbolKind.Variable);
        }

        // The functions of the language are the registry's (FunctionRegistry): arity, integer arguments, where allowed.
        if (FunctionRegistry.TryGet(name, FunctionScope.Declaration, out var function))
        {
            var leading = ImmutableArray.CreateBuilder<Expr>();
            if (function.IntegerArguments > 0)
            {
                // polygamma(m, x): m an integer literal in range.
                bool valid = args.Length == function.Arity;
                for (int k = 0; valid && k < function.IntegerArguments; k++)
                {
                    if (args[k] is NumberExpression m && int.TryParse(m.Token.Text, out int value) && value >= 0 && value <= function.MaxInteger)
                        leading.Add(Ex.Num(value));
                    else valid = false;
                }
                if (!valid)
                {
                    _diagnostics.Report(DiagnosticCatalogue.WrongArgumentCount, c.Span, function.ArgumentHelp ?? $"'{function.Name}' takes {function.Arity} arguments");
                    return ErrorSymbol;
                }
            }
            else if (args.Length != function.Arity)
            {
                _diagnostics.Report(DiagnosticCatalogue.WrongArgumentCount, c.Span,
                    $"'{Lexer.Shorten(name)}' takes {function.Arity} argument{(function.Arity == 1 ? "" : "s")}, found {args.Length}");
                return ErrorSymbol;
            }
            if (function.OnlyInLogDensity && context == Context.Characteristic)
                return BindLevyAbs(c);
            if (function.OnlyInLogDensity && context != Context.LogDensity)
            {
                _diagnostics.Report(DiagnosticCatalogue.MisplacedAbs, c.Name.Span, $"'{function.Name}' is not analytic and may appear only in 'logpdf'/'logpmf', or in a cf/logcf as abs(w)^alpha (a Lévy exponent)");
                return ErrorSymbol;
            }
            _enclosingCalls.Add(function.Name);
            try
            {
                for (int k = function.IntegerArguments; k < args.Length; k++)
                {
                    var x = Bind(args[k], context);
                    if (ReferenceEquals(x, ErrorSymbol)) return x;
                    leading.Add(x);
                }
            }
            finally { _enclosingCalls.RemoveAt(_enclosingCalls.Count - 1); }
            return function.Build(leading.ToImmutable());
        }

        _diagnostics.Report(DiagnosticCatalogue.UnknownFunction, c.Name.Span,
            $"unknown function '{Lexer.Shorten(name)}'; expected one of {string.Join(", ", FunctionRegistry.In(FunctionScope.Declaration).Where(f => f.IntegerArguments == 0).Select(f => f.Name))}" +
            (context == Context.Sample ? ", or a draw: " + string.Join(", ", Draws.Keys) : ""));
        return ErrorSymbol;
    }
}
