using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Syntax;
using Xunit;

namespace SeriesCompiler.Tests.Syntax;

internal static class SyntaxTestHelpers
{
    public static (CompilationUnitSyntax Unit, IReadOnlyList<Diagnostic> Diagnostics) Parse(string text, string path = "test.dist")
    {
        var source = new SourceText(path, text);
        var bag = new DiagnosticBag(source);
        var unit = Parser.Parse(source, bag);
        return (unit, bag.Items);
    }

    public static string Format(IEnumerable<Diagnostic> diagnostics) => string.Join(Environment.NewLine, diagnostics);

    /// <summary>Parses a file that must be clean and returns its only declaration.</summary>
    public static DistributionSyntax ParseSingle(string text)
    {
        var (unit, diagnostics) = Parse(text);
        Assert.True(diagnostics.Count == 0, Format(diagnostics));
        return Assert.Single(unit.Distributions);
    }

    /// <summary>The body expression of the first function statement of a one-statement declaration.</summary>
    public static ExpressionSyntax ParseCgf(string body)
    {
        var distribution = ParseSingle($"distribution D(a) {{\n    support real\n    cgf(t) = {body}\n}}\n");
        return distribution.Statements.OfType<FunctionStatement>().Single().Body;
    }

    /// <summary>A fully parenthesised rendering of an expression, to check precedence and associativity.</summary>
    public static string Show(ExpressionSyntax expression) => expression switch
    {
        NumberExpression number => number.Token.Text,
        NameExpression name => name.Name.Text,
        UnaryExpression unary => $"({unary.Operator.Text}{Show(unary.Operand)})",
        BinaryExpression binary => $"({Show(binary.Left)} {binary.Operator.Text} {Show(binary.Right)})",
        CallExpression call => $"{call.Name.Text}({string.Join(", ", call.Arguments.Select(Show))})",
        IndexExpression index => $"{index.Name.Text}[{Show(index.Index)}]",
        TupleExpression tuple => $"<{string.Join(", ", tuple.Items.Select(Show))}>",
        ParenthesizedExpression parenthesized => Show(parenthesized.Expression),
        MissingExpression => "?",
        _ => throw new InvalidOperationException(expression.GetType().Name),
    };
}
