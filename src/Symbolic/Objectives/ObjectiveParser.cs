using System.Collections.Immutable;
using System.Globalization;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Functions;
using SeriesCompiler.Symbolic.Syntax;
using F = SeriesCompiler.Runtime.Functions.FunctionExpression;

namespace SeriesCompiler.Symbolic.Objectives;

/// <summary>
/// The shape of z that an f is written for: <see cref="Variables"/> per copy (1: the variable is <c>z</c>; several:
/// <c>z1, z2, ...</c>; a family: components <c>z[j]</c>), and the number of independent copies (<c>--dims</c>).
/// </summary>
public sealed record ObjectiveShape(int Variables, bool IsFamily, int Copies = 1)
{
    public int TotalVariables => Variables * Copies;

    /// <summary>The shape of a rule's z at theta (one copy's parameters).</summary>
    public static ObjectiveShape For(Rule rule, ReadOnlySpan<double> theta, int copies = 1) =>
        new(rule.VariableCount(theta), rule.Derived?.IsFamily ?? false, copies);
}

/// <summary>
/// Parses f, written in the declaration language's expression syntax (what <c>seriesc estimate --f</c> takes), into an
/// <see cref="ExpressionObjective"/>. The names:
/// <list type="bullet">
/// <item><c>z</c> for one variable; <c>z1, z2, ...</c> for several; with independent copies (<c>--dims D</c>) f is
/// summed over the copies, <c>sum_c f(z_c)</c> (the paper's <c>||z - 0.49||^2</c> is <c>(z - 0.49)^2</c>);</item>
/// <item><c>z[j]</c>, with the family index j, for the components of a family (or the copies): summed over j;</item>
/// <item><c>z[0]</c>, <c>z[1]</c>, ... one component of all of z (0-based), and <c>sum(z)</c>: f is then a function of
/// the whole vector (these do not mix with <c>z</c> / <c>z[j]</c>);</item>
/// <item>numbers, <c>pi</c>, <c>+ - * / ^</c>, and <c>exp log log1p sqrt sin cos tan sinh cosh tanh atan lgamma abs
/// sigmoid softplus log_sigmoid</c>.</item>
/// </list>
/// </summary>
public static class ObjectiveParser
{
    /// <summary>Parses f; on errors returns null and positioned diagnostics (the path is <paramref name="path"/>, e.g. <c>--f</c>).</summary>
    public static ExpressionObjective? Parse(string text, ObjectiveShape shape, DerivativeMode mode, out ImmutableArray<Diagnostic> diagnostics, string path = "--f")
    {
        var source = new SourceText(path, text);
        var bag = new DiagnosticBag(source);
        var syntax = Parser.ParseExpression(source, bag);
        if (bag.HasErrors)
        {
            diagnostics = [.. bag.Items];
            return null;
        }
        var binder = new Binder(shape, bag);
        var body = binder.Bind(syntax);
        if (!bag.HasErrors && binder.UsesBlock && binder.UsesWhole)
            bag.Report(DiagnosticCatalogue.MisplacedIndex, syntax.Span,
                "f mixes the per-copy variable (z, z1, z[j]) with components of the whole vector (z[0], sum(z)); write it in one of the two ways");
        diagnostics = [.. bag.Items];
        if (bag.HasErrors || body is null) return null;
        int width = binder.UsesWhole ? shape.TotalVariables : binder.BlockWidth;
        return new ExpressionObjective(body, width, mode, text);
    }

    /// <summary>Parses f or throws <see cref="FormatException"/> with the diagnostics.</summary>
    public static ExpressionObjective Parse(string text, ObjectiveShape shape, DerivativeMode mode = DerivativeMode.Jet) =>
        Parse(text, shape, mode, out var diagnostics, "f")
        ?? throw new FormatException(string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString())));

    private sealed class Binder(ObjectiveShape shape, DiagnosticBag bag)
    {
        public bool UsesBlock { get; private set; }
        public bool UsesWhole { get; private set; }

        // Per-copy blocks: a family's components or one variable are blocks of 1; z1, z2, ... blocks of Variables.
        public int BlockWidth => shape.IsFamily ? 1 : shape.Variables;

        private string Names => shape.IsFamily
            ? $"z[j] (summed over j = 0..{shape.Variables - 1}), z[0] .. z[{shape.TotalVariables - 1}], sum(z)"
            : shape.Variables == 1
                ? (shape.Copies > 1 ? $"z (summed over the {shape.Copies} copies), z[j], z[0] .. z[{shape.TotalVariables - 1}], sum(z)" : "z")
                : $"{string.Join(", ", Enumerable.Range(1, shape.Variables).Select(i => "z" + i))}" + (shape.Copies > 1 ? " (summed over the copies)" : "") + $", z[0] .. z[{shape.TotalVariables - 1}], sum(z)";

        public F? Bind(ExpressionSyntax syntax)
        {
            switch (syntax)
            {
                case NumberExpression n:
                    if (double.TryParse(n.Token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
                        return F.Constant(value);
                    bag.Report(DiagnosticCatalogue.InvalidArithmetic, n.Span, $"the number '{n.Token.Text}' is not a finite double");
                    return null;
                case ParenthesizedExpression p:
                    return Bind(p.Expression);
                case NameExpression name:
                    return BindName(name);
                case UnaryExpression u:
                {
                    var operand = Bind(u.Operand);
                    return operand is null ? null : u.Operator.Kind == TokenKind.Minus ? F.Negate(operand) : operand;
                }
                case BinaryExpression b:
                {
                    var left = Bind(b.Left);
                    var right = Bind(b.Right);
                    if (left is null || right is null) return null;
                    return b.Operator.Kind switch
                    {
                        TokenKind.Plus => left + right,
                        TokenKind.Minus => left - right,
                        TokenKind.Star => left * right,
                        TokenKind.Slash => left / right,
                        _ => F.Pow(left, right),
                    };
                }
                case IndexExpression ix:
                    return BindIndex(ix);
                case CallExpression call:
                    return BindCall(call);
                case TupleExpression t:
                    bag.Report(DiagnosticCatalogue.MisplacedTuple, t.Span, "f is one number; a tuple (a, b) is not allowed here");
                    return null;
                default:
                    return null; // a missing expression: the parser reported it
            }
        }

        private F? BindName(NameExpression name)
        {
            string text = name.Name.Text;
            if (name.Name.Kind == TokenKind.PiKeyword) return F.Constant(Math.PI);
            if (!shape.IsFamily && shape.Variables == 1 && text == "z")
            {
                UsesBlock = true;
                return F.Variable(0);
            }
            if (!shape.IsFamily && shape.Variables > 1 && text.Length > 1 && text[0] == 'z'
                && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i >= 1 && i <= shape.Variables
                && text[1] != '0')
            {
                UsesBlock = true;
                return F.Variable(i - 1);
            }
            string hint = text == "z" && shape.IsFamily ? $"z has {shape.Variables} components here; " : "";
            bag.Report(DiagnosticCatalogue.UnknownName, name.Span, $"unknown name '{text}'; {hint}f may use {Names}, numbers and pi");
            return null;
        }

        private F? BindIndex(IndexExpression ix)
        {
            if (ix.Name.Text != "z")
            {
                bag.Report(DiagnosticCatalogue.MisplacedIndex, ix.Span, $"only z can be indexed in f; f may use {Names}");
                return null;
            }
            if (ix.Index is NameExpression { Name.Text: "j" } && (shape.IsFamily || shape.Variables == 1))
            {
                UsesBlock = true;
                return F.Variable(0);
            }
            if (ix.Index is NumberExpression n && int.TryParse(n.Token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int k))
            {
                if (k < shape.TotalVariables)
                {
                    UsesWhole = true;
                    return F.Variable(k);
                }
                bag.Report(DiagnosticCatalogue.MisplacedIndex, ix.Index.Span, $"z[{k}] is out of range: z has {shape.TotalVariables} component(s), z[0] .. z[{shape.TotalVariables - 1}]");
                return null;
            }
            bag.Report(DiagnosticCatalogue.MisplacedIndex, ix.Index.Span, $"index z with a whole number (z[0]) or, for a family or copies, with j (z[j]); f may use {Names}");
            return null;
        }

        private F? BindCall(CallExpression call)
        {
            string name = call.Name.Text;
            if (name == "sum")
            {
                if (call.Arguments.Length == 1 && call.Arguments[0] is NameExpression { Name.Text: "z" })
                {
                    UsesWhole = true;
                    F total = F.Variable(0);
                    for (int j = 1; j < shape.TotalVariables; j++) total += F.Variable(j);
                    return total;
                }
                bag.Report(DiagnosticCatalogue.WrongArgumentCount, call.Span, "sum(z) adds the components of z; it takes z and nothing else");
                return null;
            }
            // The functions f may call are the registry's objective functions, each evaluated by its runtime jet.
            if (!FunctionRegistry.TryGet(name, FunctionScope.Objective, out var function) || function.Jet is not { } jet)
            {
                bag.Report(DiagnosticCatalogue.UnknownFunction, call.Name.Span,
                    $"unknown function '{name}'; f may call {string.Join(", ", FunctionRegistry.In(FunctionScope.Objective).Select(f => f.Name))} and sum(z)");
                return null;
            }
            if (call.Arguments.Length != function.Arity)
            {
                bag.Report(DiagnosticCatalogue.WrongArgumentCount, call.Span, $"'{name}' takes {function.Arity} argument{(function.Arity == 1 ? "" : "s")}, found {call.Arguments.Length}");
                return null;
            }
            var x = Bind(call.Arguments[0]);
            return x is null ? null : F.Apply(jet, x);
        }
    }
}
