namespace SeriesCompiler.Runtime.Functions;

/// <summary>The elementary functions a <see cref="FunctionExpression"/> may apply; each has a jet rule in <see cref="Differentiation.Jet"/>.</summary>
public enum ElementaryFunction
{
    Exp, Log, Log1p, Sqrt, Sin, Cos, Tan, Sinh, Cosh, Tanh, Atan, LogGamma, Sigmoid, Softplus, LogSigmoid, Abs,
}

/// <summary>The binary operators of a <see cref="FunctionExpression"/>.</summary>
public enum BinaryOperator { Add, Subtract, Multiply, Divide, Power }

/// <summary>
/// A function f of variables <c>z_0 .. z_{m-1}</c> as a small expression tree: the run-time form of an <c>--f</c>
/// expression (the CLI parses the declaration language into it), compiled to a <see cref="FunctionProgram"/> for
/// evaluation over doubles and over Taylor jets.
/// </summary>
/// <remarks>
/// Invariant: the factories fold an operation whose operands are all constants, so a constant subtree is always one
/// <see cref="Const"/> node (the compiler then turns <c>x * 2</c>, <c>2 - x</c>, <c>x^3</c> into scalar instructions).
/// </remarks>
public abstract record FunctionExpression
{
    private FunctionExpression() { }

    /// <summary>A number.</summary>
    public sealed record Const(double Value) : FunctionExpression;

    /// <summary>Variable <c>z_Index</c>.</summary>
    public sealed record Var(int Index) : FunctionExpression;

    /// <summary><c>-Operand</c>.</summary>
    public sealed record Neg(FunctionExpression Operand) : FunctionExpression;

    /// <summary><c>Function(Operand)</c>.</summary>
    public sealed record Call(ElementaryFunction Function, FunctionExpression Operand) : FunctionExpression;

    /// <summary><c>Left op Right</c>.</summary>
    public sealed record Binary(BinaryOperator Operator, FunctionExpression Left, FunctionExpression Right) : FunctionExpression;

    public static FunctionExpression Constant(double value) => new Const(value);

    public static FunctionExpression Variable(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new Var(index);
    }

    public static FunctionExpression Negate(FunctionExpression x) => x is Const c ? new Const(-c.Value) : new Neg(x);

    public static FunctionExpression Apply(ElementaryFunction function, FunctionExpression x) =>
        x is Const c ? new Const(FunctionProgram.Apply(function, c.Value)) : new Call(function, x);

    public static FunctionExpression Combine(BinaryOperator op, FunctionExpression left, FunctionExpression right) =>
        left is Const a && right is Const b ? new Const(FunctionProgram.Apply(op, a.Value, b.Value)) : new Binary(op, left, right);

    public static FunctionExpression operator +(FunctionExpression a, FunctionExpression b) => Combine(BinaryOperator.Add, a, b);
    public static FunctionExpression operator -(FunctionExpression a, FunctionExpression b) => Combine(BinaryOperator.Subtract, a, b);
    public static FunctionExpression operator *(FunctionExpression a, FunctionExpression b) => Combine(BinaryOperator.Multiply, a, b);
    public static FunctionExpression operator /(FunctionExpression a, FunctionExpression b) => Combine(BinaryOperator.Divide, a, b);
    public static FunctionExpression operator -(FunctionExpression a) => Negate(a);
    public static implicit operator FunctionExpression(double value) => new Const(value);

    public static FunctionExpression Pow(FunctionExpression x, FunctionExpression y) => Combine(BinaryOperator.Power, x, y);

    /// <summary>The largest variable index used plus one (0 for a constant).</summary>
    public int VariableCount() => this switch
    {
        Var v => v.Index + 1,
        Neg n => n.Operand.VariableCount(),
        Call c => c.Operand.VariableCount(),
        Binary b => Math.Max(b.Left.VariableCount(), b.Right.VariableCount()),
        _ => 0,
    };

    /// <summary>
    /// How smooth the function is (<see cref="Functions.Smoothness"/>): every elementary function is C-infinity on its
    /// domain except <c>abs</c>, whose kink makes f only Lipschitz (f' holds almost everywhere, f'' has a Dirac mass).
    /// A function added later that is not smooth belongs here too.
    /// </summary>
    public Smoothness GetSmoothness() => this switch
    {
        Call { Function: ElementaryFunction.Abs } => Smoothness.Kinked("it applies abs, which has a kink where its argument is 0"),
        Neg n => n.Operand.GetSmoothness(),
        Call c => c.Operand.GetSmoothness(),
        Binary b => Smoothness.Min(b.Left.GetSmoothness(), b.Right.GetSmoothness()),
        _ => Smoothness.Smooth,
    };

    /// <summary>Whether <c>z_index</c> occurs.</summary>
    public bool Uses(int index) => this switch
    {
        Var v => v.Index == index,
        Neg n => n.Operand.Uses(index),
        Call c => c.Operand.Uses(index),
        Binary b => b.Left.Uses(index) || b.Right.Uses(index),
        _ => false,
    };

    /// <summary>
    /// Recognises <c>f(z) = exp(tau z + d)</c> in one variable <c>z_0</c>, also when written as a positive constant times
    /// such exponentials, products, quotients or constant powers of them (<c>2*exp(-z)</c>, <c>exp(z)^3</c>,
    /// <c>1/exp(z)</c>): the form in which the paper's exponential shortcut (eq. 23) replaces the series.
    /// </summary>
    public bool TryGetExponential(out double tau, out double shift)
    {
        (tau, shift) = (0, 0);
        if (!Exponential(this, out var t, out var d) || !double.IsFinite(t) || !double.IsFinite(d)) return false;
        (tau, shift) = (t, d);
        return true;
    }

    // exp(tau z + d) forms; logScale-carrying (d absorbs positive constant factors).
    private static bool Exponential(FunctionExpression e, out double tau, out double shift)
    {
        (tau, shift) = (0, 0);
        switch (e)
        {
            case Call { Function: ElementaryFunction.Exp } c:
                return Affine(c.Operand, out tau, out shift);
            case Binary { Operator: BinaryOperator.Multiply } b:
                if (b.Left is Const { Value: > 0 } l && Exponential(b.Right, out tau, out shift)) { shift += Math.Log(l.Value); return true; }
                if (b.Right is Const { Value: > 0 } r && Exponential(b.Left, out tau, out shift)) { shift += Math.Log(r.Value); return true; }
                if (Exponential(b.Left, out var t1, out var d1) && Exponential(b.Right, out var t2, out var d2)) { (tau, shift) = (t1 + t2, d1 + d2); return true; }
                return false;
            case Binary { Operator: BinaryOperator.Divide } b:
                if (b.Right is Const { Value: > 0 } den && Exponential(b.Left, out tau, out shift)) { shift -= Math.Log(den.Value); return true; }
                if (b.Left is Const { Value: > 0 } num && Exponential(b.Right, out tau, out shift)) { (tau, shift) = (-tau, Math.Log(num.Value) - shift); return true; }
                if (Exponential(b.Left, out var t3, out var d3) && Exponential(b.Right, out var t4, out var d4)) { (tau, shift) = (t3 - t4, d3 - d4); return true; }
                return false;
            case Binary { Operator: BinaryOperator.Power, Right: Const p } b when Exponential(b.Left, out var t5, out var d5):
                (tau, shift) = (p.Value * t5, p.Value * d5);
                return true;
            case Binary { Operator: BinaryOperator.Power, Left: Const { Value: > 0 } baseValue } b when Affine(b.Right, out var a, out var c0):
                // c^(a z + b) = exp((a z + b) log c)
                double log = Math.Log(baseValue.Value);
                (tau, shift) = (a * log, c0 * log);
                return true;
            default:
                return false;
        }
    }

    // a z_0 + b, with z_0 the only variable.
    private static bool Affine(FunctionExpression e, out double a, out double b)
    {
        (a, b) = (0, 0);
        switch (e)
        {
            case Const c: b = c.Value; return true;
            case Var { Index: 0 }: a = 1; return true;
            case Neg n when Affine(n.Operand, out var na, out var nb): (a, b) = (-na, -nb); return true;
            case Binary { Operator: BinaryOperator.Add } s when Affine(s.Left, out var la, out var lb) && Affine(s.Right, out var ra, out var rb):
                (a, b) = (la + ra, lb + rb); return true;
            case Binary { Operator: BinaryOperator.Subtract } s when Affine(s.Left, out var la, out var lb) && Affine(s.Right, out var ra, out var rb):
                (a, b) = (la - ra, lb - rb); return true;
            case Binary { Operator: BinaryOperator.Multiply, Left: Const k } m when Affine(m.Right, out var ma, out var mb):
                (a, b) = (k.Value * ma, k.Value * mb); return true;
            case Binary { Operator: BinaryOperator.Multiply, Right: Const k } m when Affine(m.Left, out var ma, out var mb):
                (a, b) = (k.Value * ma, k.Value * mb); return true;
            case Binary { Operator: BinaryOperator.Divide, Right: Const { Value: not 0 } k } d when Affine(d.Left, out var da, out var db):
                (a, b) = (da / k.Value, db / k.Value); return true;
            default:
                return false;
        }
    }
}
