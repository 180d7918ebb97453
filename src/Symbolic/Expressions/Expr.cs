using System.Collections.Immutable;

namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>
/// A node of an exact expression. Nodes are immutable, compare by value, cache their hash code,
/// and are created only through <see cref="Ex"/>, which keeps them in canonical form:
/// <list type="bullet">
/// <item>constants are Gaussian rationals (<see cref="Number"/>) folded eagerly;</item>
/// <item>sums are flat, hold at most one constant (first), merge like terms and are sorted;</item>
/// <item>products are flat, hold at most one constant (first, never 1), merge equal bases into powers,
/// are sorted, and are distributed over sums (the expanded polynomial form over atoms), so a
/// polynomial identity that is zero is recognised as zero;</item>
/// <item>equal nodes are shared (interned).</item>
/// </list>
/// </summary>
public abstract class Expr : IEquatable<Expr>
{
    private readonly int _hash;

    private protected Expr(int hash) => _hash = hash;

    /// <summary>Rank of the node kind in the canonical order.</summary>
    internal abstract int KindRank { get; }

    /// <summary>Number of nodes in the tree (shared nodes counted each time), a measure of size.</summary>
    public abstract int Size { get; }

    public abstract IEnumerable<Expr> Children { get; }

    public bool Equals(Expr? other) => ReferenceEquals(this, other) || (other is not null && other._hash == _hash && EqualsCore(other));
    public override bool Equals(object? obj) => obj is Expr e && Equals(e);
    public override int GetHashCode() => _hash;
    private protected abstract bool EqualsCore(Expr other);

    public override string ToString() => ExprPrinter.ToSource(this);

    public bool IsZero => this is Number n && n.Value.IsZero;
    public bool IsOne => this is Number n && n.Value.IsOne;

    /// <summary>True when the node (or any below it) is a non-real constant: the imaginary unit survived.</summary>
    // Both walks visit the nodes by kind rather than through Children: they run over every coefficient, and a closure
    // and an enumerator per node were most of what they cost.
    public bool ContainsImaginary() => this switch
    {
        Number n => !n.Value.Im.IsZero,
        Symbol => false,
        Power p => p.Base.ContainsImaginary() || p.Exponent.ContainsImaginary(),
        NaryExpr nary => AnyArg(nary.Args, static (c, _) => c.ContainsImaginary(), (object?)null),
        _ => Children.Any(c => c.ContainsImaginary()),
    };

    public bool Contains(Symbol symbol) => Equals(symbol) || this switch
    {
        Number or Symbol => false,
        Power p => p.Base.Contains(symbol) || p.Exponent.Contains(symbol),
        NaryExpr nary => AnyArg(nary.Args, static (c, s) => c.Contains(s), symbol),
        _ => AnyChildContains(symbol),
    };

    // Apart from Contains: a lambda that captures the symbol there made every call allocate its closure on entry (the
    // compiler creates it where the parameter's scope begins), although only this rare branch uses it.
    private bool AnyChildContains(Symbol symbol) => Children.Any(c => c.Contains(symbol));

    private static bool AnyArg<T>(ImmutableArray<Expr> args, Func<Expr, T, bool> test, T state)
    {
        foreach (var a in args) if (test(a, state)) return true;
        return false;
    }

    public static Expr operator +(Expr a, Expr b) => Ex.Add(a, b);
    public static Expr operator -(Expr a, Expr b) => Ex.Add(a, Ex.Neg(b));
    public static Expr operator -(Expr a) => Ex.Neg(a);
    public static Expr operator *(Expr a, Expr b) => Ex.Mul(a, b);
    public static Expr operator /(Expr a, Expr b) => Ex.Div(a, b);
    public static implicit operator Expr(int value) => Ex.Num(value);
}

/// <summary>A Gaussian rational constant <c>re + im*i</c>.</summary>
public sealed class Number : Expr
{
    internal Number(GaussianRational value) : base(HashCode.Combine(1, value)) => Value = value;
    public GaussianRational Value { get; }
    internal override int KindRank => 0;
    public override int Size => 1;
    public override IEnumerable<Expr> Children => [];
    private protected override bool EqualsCore(Expr other) => other is Number n && n.Value.Equals(Value);
    public bool IsReal => Value.Im.IsZero;
    public Rational Re => Value.Re;
}

public enum SymbolKind
{
    /// <summary>A distribution parameter (differentiated).</summary>
    Parameter,
    /// <summary>A series or frequency variable (<c>t</c>, <c>w</c>).</summary>
    Variable,
    /// <summary>A named real constant: <c>pi</c>, Euler's gamma.</summary>
    Constant,
}

public sealed class Symbol : Expr
{
    internal Symbol(string name, SymbolKind kind) : base(HashCode.Combine(2, name, kind)) { Name = name; Kind = kind; }
    public string Name { get; }
    public SymbolKind Kind { get; }
    internal override int KindRank => 1;
    public override int Size => 1;
    public override IEnumerable<Expr> Children => [];
    private protected override bool EqualsCore(Expr other) => other is Symbol s && s.Name == Name && s.Kind == Kind;
}

/// <summary><c>Base ^ Exponent</c>; never exponent 0 or 1, never a constant raised to an integer.</summary>
public sealed class Power : Expr
{
    internal Power(Expr @base, Expr exponent) : base(HashCode.Combine(3, @base, exponent))
    {
        Base = @base; Exponent = exponent; Size = (int)Math.Min(int.MaxValue, 1L + @base.Size + exponent.Size);
    }
    public Expr Base { get; }
    public Expr Exponent { get; }
    internal override int KindRank => 3;
    public override int Size { get; }
    public override IEnumerable<Expr> Children => [Base, Exponent];
    private protected override bool EqualsCore(Expr other) => other is Power p && p.Base.Equals(Base) && p.Exponent.Equals(Exponent);
}

/// <summary>An n-ary node (<see cref="Sum"/>, <see cref="Product"/>, <see cref="Call"/>).</summary>
public abstract class NaryExpr : Expr
{
    private protected NaryExpr(int tag, ImmutableArray<Expr> args) : base(Hash(tag, args))
    {
        Args = args;
        long size = 1; // saturating: a shared DAG can be exponentially larger than its memory
        foreach (var a in args) size = Math.Min(int.MaxValue, size + a.Size);
        Size = (int)size;
    }
    public ImmutableArray<Expr> Args { get; }
    public override int Size { get; }
    public override IEnumerable<Expr> Children => Args;

    private static int Hash(int tag, ImmutableArray<Expr> args)
    {
        var h = new HashCode();
        h.Add(tag);
        foreach (var a in args) h.Add(a);
        return h.ToHashCode();
    }

    private protected bool ArgsEqual(NaryExpr other)
    {
        if (other.Args.Length != Args.Length) return false;
        for (int i = 0; i < Args.Length; i++)
            if (!Args[i].Equals(other.Args[i])) return false;
        return true;
    }
}

/// <summary>A canonical sum: constant first (if non-zero), then terms without constant factor order.</summary>
public sealed class Sum : NaryExpr
{
    internal Sum(ImmutableArray<Expr> args) : base(4, args) { }
    internal override int KindRank => 5;
    private protected override bool EqualsCore(Expr other) => other is Sum s && ArgsEqual(s);
}

/// <summary>A canonical product: constant first (if not 1), then factors with distinct bases, sorted.</summary>
public sealed class Product : NaryExpr
{
    internal Product(ImmutableArray<Expr> args) : base(5, args) { }
    internal override int KindRank => 4;
    private protected override bool EqualsCore(Expr other) => other is Product p && ArgsEqual(p);
}

/// <summary>The functions of the language and the special values they produce.</summary>
public enum Function
{
    Exp, Log, Sin, Cos, Tan, Sinh, Cosh, Tanh, Atan, LogGamma, Abs, Sign,
    /// <summary><c>polygamma(m, x)</c> = psi^(m)(x); digamma is m = 0.</summary>
    Polygamma,
    /// <summary>Riemann zeta at an integer >= 2 (a constant).</summary>
    Zeta,
}

public sealed class Call : NaryExpr
{
    internal Call(Function function, ImmutableArray<Expr> args) : base(6 + (int)function * 31, args) => Function = function;
    public Function Function { get; }
    public Expr Arg => Args[^1];
    internal override int KindRank => 2;
    private protected override bool EqualsCore(Expr other) => other is Call c && c.Function == Function && ArgsEqual(c);
}
