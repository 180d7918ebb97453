using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Symbolic.Syntax;

// The syntax tree: immutable records that mirror the text, each with the span it covers.
// When the parser reported a diagnostic the tree is still complete but may hold missing tokens
// (Token.IsMissing) and the Missing* nodes below; later stages should not bind such a tree.
// Expression trees are at most a little over Parser.MaxExpressionHeight + 3 * Parser.MaxNestingDepth
// high, so stages that walk them recursively stay within their stack.

public abstract record SyntaxNode(TextSpan Span);

/// <summary>A whole file: one or more declarations.</summary>
public sealed record CompilationUnitSyntax(ImmutableArray<DistributionSyntax> Distributions, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>distribution Name[FamilySize](Parameters) { Statements }</c>; <c>[FamilySize]</c> only for an indexed family.</summary>
public sealed record DistributionSyntax(
    Token Name,
    Token? FamilySize,
    ImmutableArray<ParameterSyntax> Parameters,
    ImmutableArray<StatementSyntax> Statements,
    TextSpan Span) : SyntaxNode(Span);

/// <summary><c>name</c>, <c>name[K]</c> (a vector parameter of an indexed family), either with an optional constraint.</summary>
public sealed record ParameterSyntax(Token Name, Token? VectorSize, ConstraintSyntax? Constraint, TextSpan Span) : SyntaxNode(Span);

// ---- Constraints ----

public abstract record ConstraintSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary><c>&gt; Bound</c> or, when <see cref="Inclusive"/>, <c>&gt;= Bound</c>.</summary>
public sealed record LowerBoundConstraint(bool Inclusive, ExpressionSyntax Bound, TextSpan Span) : ConstraintSyntax(Span);

/// <summary><c>&lt; Bound</c> or, when <see cref="Inclusive"/>, <c>&lt;= Bound</c>.</summary>
public sealed record UpperBoundConstraint(bool Inclusive, ExpressionSyntax Bound, TextSpan Span) : ConstraintSyntax(Span);

/// <summary><c>in (Low, High)</c>; a '[' or ']' end makes that end inclusive.</summary>
public sealed record IntervalConstraint(ExpressionSyntax Low, ExpressionSyntax High, bool LowInclusive, bool HighInclusive, TextSpan Span)
    : ConstraintSyntax(Span);

/// <summary><c>: integer</c>, <c>: integer &gt; LowerBound</c> or (when <see cref="Inclusive"/>) <c>: integer &gt;= LowerBound</c>.</summary>
public sealed record IntegerConstraint(bool Inclusive, ExpressionSyntax? LowerBound, TextSpan Span) : ConstraintSyntax(Span);

// ---- Statements ----

public abstract record StatementSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary><c>support Domain</c>.</summary>
public sealed record SupportStatement(SupportSyntax Domain, TextSpan Span) : StatementSyntax(Span);

/// <summary><c>cf(w) = Body</c>, likewise <c>logcf cgf logpdf logpmf</c>; several variables for a joint distribution.</summary>
public sealed record FunctionStatement(Token Keyword, ImmutableArray<Token> Variables, ExpressionSyntax Body, TextSpan Span)
    : StatementSyntax(Span);

/// <summary><c>let Name = Value</c>.</summary>
public sealed record LetStatement(Token Name, ExpressionSyntax Value, TextSpan Span) : StatementSyntax(Span);

/// <summary><c>sample = Value</c>; a <see cref="TupleExpression"/> for several variables.</summary>
public sealed record SampleStatement(ExpressionSyntax Value, TextSpan Span) : StatementSyntax(Span);

/// <summary><c>latent Name ~ Distribution(Arguments)</c> or, in a family, <c>latent Name[Index] ~ ...</c>.</summary>
public sealed record LatentStatement(
    Token Name,
    ExpressionSyntax? Index,
    Token Distribution,
    ImmutableArray<ExpressionSyntax> Arguments,
    TextSpan Span) : StatementSyntax(Span);

/// <summary>
/// <c>constraint Left OP Right</c> with OP one of <c>&lt; &lt;= &gt; &gt;=</c>: a constraint on several parameters together
/// (an extension of the language; <c>constraint</c> is a contextual keyword, so it still works as a name).
/// </summary>
public sealed record ConstraintStatement(Token Keyword, ExpressionSyntax Left, Token Operator, ExpressionSyntax Right, TextSpan Span)
    : StatementSyntax(Span);

/// <summary><c>value = Value</c> or, in a family, <c>value[Index] = Value</c>.</summary>
public sealed record ValueStatement(ExpressionSyntax? Index, ExpressionSyntax Value, TextSpan Span) : StatementSyntax(Span);

// ---- Support domains ----

public abstract record SupportSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary><c>real positive naturals integers simplex</c>, with <c>^Power</c> (an integer number token) for several variables.</summary>
public sealed record NamedSupport(Token Name, Token? Power, TextSpan Span) : SupportSyntax(Span);

/// <summary><c>(Low, High)</c>; a '[' or ']' end makes that end inclusive.</summary>
public sealed record IntervalSupport(ExpressionSyntax Low, ExpressionSyntax High, bool LowInclusive, bool HighInclusive, TextSpan Span)
    : SupportSyntax(Span);

/// <summary><c>{0, 1}</c>: a finite set of integers.</summary>
public sealed record FiniteSetSupport(ImmutableArray<ExpressionSyntax> Elements, TextSpan Span) : SupportSyntax(Span);

/// <summary><c>{Low .. High}</c>: the integers from Low to High, both included.</summary>
public sealed record IntegerRangeSupport(ExpressionSyntax Low, ExpressionSyntax High, TextSpan Span) : SupportSyntax(Span);

/// <summary>Stands for a domain that could not be parsed (a diagnostic was reported).</summary>
public sealed record MissingSupport(TextSpan Span) : SupportSyntax(Span);

// ---- Expressions ----

/// <summary>An expression; <see cref="Height"/> is the number of nodes on its longest path to a leaf.</summary>
public abstract record ExpressionSyntax(TextSpan Span) : SyntaxNode(Span)
{
    public abstract int Height { get; }

    private protected static int MaxHeight(ImmutableArray<ExpressionSyntax> items)
    {
        int height = 0;
        foreach (var item in items) height = Math.Max(height, item.Height);
        return height;
    }
}

/// <summary>A number exactly as written (<c>0.49</c>, <c>1e-3</c>); the binder reads it as an exact rational.</summary>
public sealed record NumberExpression(Token Token) : ExpressionSyntax(Token.Span)
{
    public override int Height => 1;
}

/// <summary>A name: a parameter, variable, helper or latent, or the constants <c>i</c> and <c>pi</c> (keyword tokens).</summary>
public sealed record NameExpression(Token Name) : ExpressionSyntax(Name.Span)
{
    public override int Height => 1;
}

/// <summary>A prefix <c>-</c> or <c>+</c>.</summary>
public sealed record UnaryExpression(Token Operator, ExpressionSyntax Operand, TextSpan Span) : ExpressionSyntax(Span)
{
    public override int Height { get; } = Operand.Height + 1;
}

/// <summary><c>Left op Right</c> for <c>+ - * / ^</c>.</summary>
public sealed record BinaryExpression(ExpressionSyntax Left, Token Operator, ExpressionSyntax Right, TextSpan Span) : ExpressionSyntax(Span)
{
    public override int Height { get; } = Math.Max(Left.Height, Right.Height) + 1;
}

/// <summary><c>Name(Arguments)</c>: a function such as <c>exp</c>, a primitive draw such as <c>uniform()</c>, or <c>sum(g)</c>.</summary>
public sealed record CallExpression(Token Name, ImmutableArray<ExpressionSyntax> Arguments, TextSpan Span) : ExpressionSyntax(Span)
{
    public override int Height { get; } = MaxHeight(Arguments) + 1;
}

/// <summary><c>Name[Index]</c>: a component of a vector parameter or of an indexed latent.</summary>
public sealed record IndexExpression(Token Name, ExpressionSyntax Index, TextSpan Span) : ExpressionSyntax(Span)
{
    public override int Height { get; } = Index.Height + 1;
}

/// <summary><c>(E1, E2, ...)</c>: the value of a distribution of several variables.</summary>
public sealed record TupleExpression(ImmutableArray<ExpressionSyntax> Items, TextSpan Span) : ExpressionSyntax(Span)
{
    public override int Height { get; } = MaxHeight(Items) + 1;
}

/// <summary><c>(Expression)</c>, kept so that spans and printed forms follow the source.</summary>
public sealed record ParenthesizedExpression(ExpressionSyntax Expression, TextSpan Span) : ExpressionSyntax(Span)
{
    public override int Height { get; } = Expression.Height + 1;
}

/// <summary>Stands for an expression that could not be parsed (a diagnostic was reported).</summary>
public sealed record MissingExpression(TextSpan Span) : ExpressionSyntax(Span)
{
    public override int Height => 1;
}
