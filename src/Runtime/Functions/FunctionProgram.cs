using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>
/// A <see cref="FunctionExpression"/> compiled to a postfix program, interpreted over doubles (values) and over
/// <see cref="Jet"/>s (all derivatives to the jets' order at once). Interpretation allocates nothing: doubles live on
/// a stack buffer, jets in their arena and a thread-local handle stack. Operations with a constant operand use the
/// scalar jet kernels (<c>x * 2</c> scales, <c>x^3</c> powers by squaring), which are cheaper than full jet products.
/// </summary>
public sealed partial class FunctionProgram
{
    private enum OpCode : byte
    {
        Const, Var, Add, Subtract, Multiply, Divide, Negate,
        AddScalar, SubtractFromScalar, MultiplyScalar, DivideScalar, DivideScalarBy,
        Square, PowInt, PowReal, Pow, Call,
    }

    private readonly record struct Instruction(OpCode Op, int Argument, double Value, ElementaryFunction Function = default);

    [ThreadStatic] private static Jet[]? t_jetStack;

    private readonly Instruction[] _code;

    private FunctionProgram(FunctionExpression expression, Instruction[] code, int variableCount, int maxStack)
    {
        Expression = expression;
        _code = code;
        VariableCount = variableCount;
        MaxStack = maxStack;
    }

    /// <summary>The expression this program computes.</summary>
    public FunctionExpression Expression { get; }

    /// <summary>Number of variables the program reads (<c>z_0 .. z_{VariableCount-1}</c>).</summary>
    public int VariableCount { get; }

    /// <summary>Deepest operand stack an evaluation needs.</summary>
    public int MaxStack { get; }

    /// <summary>Compiles an expression in <paramref name="variableCount"/> variables (at least those it uses).</summary>
    public static FunctionProgram Compile(FunctionExpression expression, int? variableCount = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        int used = expression.VariableCount();
        int count = variableCount ?? used;
        if (count < used) throw new ArgumentException($"The expression uses {used} variables, more than {count}.", nameof(variableCount));
        var code = new List<Instruction>();
        int depth = 0, maxDepth = 0;
        Emit(expression, code, ref depth, ref maxDepth);
        return new FunctionProgram(expression, code.ToArray(), count, Math.Max(maxDepth, 1));
    }

    private static void Push(List<Instruction> code, Instruction instruction, ref int depth, ref int maxDepth, int delta)
    {
        code.Add(instruction);
        depth += delta;
        maxDepth = Math.Max(maxDepth, depth);
    }

    private static void Emit(FunctionExpression e, List<Instruction> code, ref int depth, ref int maxDepth)
    {
        switch (e)
        {
            case FunctionExpression.Const c:
                Push(code, new(OpCode.Const, 0, c.Value), ref depth, ref maxDepth, +1);
                return;
            case FunctionExpression.Var v:
                Push(code, new(OpCode.Var, v.Index, 0), ref depth, ref maxDepth, +1);
                return;
            case FunctionExpression.Neg n:
                Emit(n.Operand, code, ref depth, ref maxDepth);
                Push(code, new(OpCode.Negate, 0, 0), ref depth, ref maxDepth, 0);
                return;
            case FunctionExpression.Call c:
                Emit(c.Operand, code, ref depth, ref maxDepth);
                Push(code, new(OpCode.Call, 0, 0, c.Function), ref depth, ref maxDepth, 0);
                return;
            case FunctionExpression.Binary b:
                EmitBinary(b, code, ref depth, ref maxDepth);
                return;
            default:
                throw new ArgumentException($"Unknown expression node {e.GetType().Name}.", nameof(e));
        }
    }

    private static void EmitBinary(FunctionExpression.Binary b, List<Instruction> code, ref int depth, ref int maxDepth)
    {
        // A constant operand becomes a scalar instruction on the other one.
        if (b.Right is FunctionExpression.Const r)
        {
            double c = r.Value;
            Emit(b.Left, code, ref depth, ref maxDepth);
            var scalar = b.Operator switch
            {
                BinaryOperator.Add => new Instruction(OpCode.AddScalar, 0, c),
                BinaryOperator.Subtract => new Instruction(OpCode.AddScalar, 0, -c),
                BinaryOperator.Multiply => new Instruction(OpCode.MultiplyScalar, 0, c),
                BinaryOperator.Divide => new Instruction(OpCode.DivideScalar, 0, c),
                _ when c == 2 => new Instruction(OpCode.Square, 0, c),
                _ when c == Math.Round(c) && Math.Abs(c) <= 64 => new Instruction(OpCode.PowInt, (int)c, c),
                _ => new Instruction(OpCode.PowReal, 0, c),
            };
            Push(code, scalar, ref depth, ref maxDepth, 0);
            return;
        }
        if (b.Left is FunctionExpression.Const l && b.Operator != BinaryOperator.Power)
        {
            double c = l.Value;
            Emit(b.Right, code, ref depth, ref maxDepth);
            var scalar = b.Operator switch
            {
                BinaryOperator.Add => new Instruction(OpCode.AddScalar, 0, c),
                BinaryOperator.Subtract => new Instruction(OpCode.SubtractFromScalar, 0, c),
                BinaryOperator.Multiply => new Instruction(OpCode.MultiplyScalar, 0, c),
                _ => new Instruction(OpCode.DivideScalarBy, 0, c),
            };
            Push(code, scalar, ref depth, ref maxDepth, 0);
            return;
        }
        if (b.Left is FunctionExpression.Const { Value: > 0 } baseValue)
        {
            // c^y = exp(y log c)
            Emit(b.Right, code, ref depth, ref maxDepth);
            Push(code, new(OpCode.MultiplyScalar, 0, Math.Log(baseValue.Value)), ref depth, ref maxDepth, 0);
            Push(code, new(OpCode.Call, 0, 0, ElementaryFunction.Exp), ref depth, ref maxDepth, 0);
            return;
        }
        Emit(b.Left, code, ref depth, ref maxDepth);
        Emit(b.Right, code, ref depth, ref maxDepth);
        var op = b.Operator switch
        {
            BinaryOperator.Add => OpCode.Add,
            BinaryOperator.Subtract => OpCode.Subtract,
            BinaryOperator.Multiply => OpCode.Multiply,
            BinaryOperator.Divide => OpCode.Divide,
            _ => OpCode.Pow,
        };
        Push(code, new(op, 0, 0), ref depth, ref maxDepth, -1);
    }

    // ------------------------------------------------------------------ doubles

    /// <summary>f(z) in doubles.</summary>
    public double Evaluate(ReadOnlySpan<double> z)
    {
        if (z.Length < VariableCount) throw new ArgumentException($"Needs {VariableCount} values, got {z.Length}.", nameof(z));
        Span<double> stack = MaxStack <= 256 ? stackalloc double[MaxStack] : new double[MaxStack];
        int top = -1;
        foreach (ref readonly var ins in _code.AsSpan())
        {
            switch (ins.Op)
            {
                case OpCode.Const: stack[++top] = ins.Value; break;
                case OpCode.Var: stack[++top] = z[ins.Argument]; break;
                case OpCode.Add: top--; stack[top] += stack[top + 1]; break;
                case OpCode.Subtract: top--; stack[top] -= stack[top + 1]; break;
                case OpCode.Multiply: top--; stack[top] *= stack[top + 1]; break;
                case OpCode.Divide: top--; stack[top] /= stack[top + 1]; break;
                case OpCode.Pow: top--; stack[top] = Math.Pow(stack[top], stack[top + 1]); break;
                case OpCode.Negate: stack[top] = -stack[top]; break;
                case OpCode.AddScalar: stack[top] += ins.Value; break;
                case OpCode.SubtractFromScalar: stack[top] = ins.Value - stack[top]; break;
                case OpCode.MultiplyScalar: stack[top] *= ins.Value; break;
                case OpCode.DivideScalar: stack[top] /= ins.Value; break;
                case OpCode.DivideScalarBy: stack[top] = ins.Value / stack[top]; break;
                case OpCode.Square: stack[top] *= stack[top]; break;
                case OpCode.PowInt: stack[top] = RuleMath.PowInt(stack[top], ins.Argument); break;
                case OpCode.PowReal: stack[top] = Math.Pow(stack[top], ins.Value); break;
                case OpCode.Call: stack[top] = Apply(ins.Function, stack[top]); break;
            }
        }
        return stack[0];
    }

    // ------------------------------------------------------------------ jets

    /// <summary>f over jets: the result carries every derivative up to the jets' order along their seeding direction.</summary>
    public Jet Evaluate(ReadOnlySpan<Jet> z)
    {
        if (z.Length < Math.Max(VariableCount, 1))
            throw new ArgumentException($"Needs {Math.Max(VariableCount, 1)} jets (one gives the arena), got {z.Length}.", nameof(z));
        var arena = z[0].Arena;
        var stack = t_jetStack;
        if (stack is null || stack.Length < MaxStack) t_jetStack = stack = new Jet[Math.Max(MaxStack, 32)];
        int top = -1;
        foreach (ref readonly var ins in _code.AsSpan())
        {
            switch (ins.Op)
            {
                case OpCode.Const: stack[++top] = arena.Constant(ins.Value); break;
                case OpCode.Var: stack[++top] = z[ins.Argument]; break;
                case OpCode.Add: top--; stack[top] = stack[top] + stack[top + 1]; break;
                case OpCode.Subtract: top--; stack[top] = stack[top] - stack[top + 1]; break;
                case OpCode.Multiply: top--; stack[top] = stack[top] * stack[top + 1]; break;
                case OpCode.Divide: top--; stack[top] = stack[top] / stack[top + 1]; break;
                case OpCode.Pow: top--; stack[top] = Jet.Pow(stack[top], stack[top + 1]); break;
                case OpCode.Negate: stack[top] = -stack[top]; break;
                case OpCode.AddScalar: stack[top] = stack[top] + ins.Value; break;
                case OpCode.SubtractFromScalar: stack[top] = ins.Value - stack[top]; break;
                case OpCode.MultiplyScalar: stack[top] = stack[top] * ins.Value; break;
                case OpCode.DivideScalar: stack[top] = stack[top] / ins.Value; break;
                case OpCode.DivideScalarBy: stack[top] = ins.Value / stack[top]; break;
                case OpCode.Square: stack[top] = Jet.Square(stack[top]); break;
                case OpCode.PowInt: stack[top] = Jet.Pow(stack[top], ins.Argument); break;
                case OpCode.PowReal: stack[top] = Jet.Pow(stack[top], ins.Value); break;
                case OpCode.Call: stack[top] = Apply(ins.Function, stack[top]); break;
            }
        }
        var result = stack[0];
        stack.AsSpan(0, top + 1).Clear(); // drop arena references
        return result;
    }

    // ------------------------------------------------------------------ the elementary functions, once for each number type

    /// <summary>An elementary function of a double, computed as its jet rule's value.</summary>
    public static double Apply(ElementaryFunction function, double x) => function switch
    {
        ElementaryFunction.Exp => Math.Exp(x),
        ElementaryFunction.Log => Math.Log(x),
        ElementaryFunction.Log1p => TaylorSeries.LogOnePlus(x),
        ElementaryFunction.Sqrt => Math.Sqrt(x),
        ElementaryFunction.Sin => Math.Sin(x),
        ElementaryFunction.Cos => Math.Cos(x),
        ElementaryFunction.Tan => Math.Tan(x),
        ElementaryFunction.Sinh => Math.Sinh(x),
        ElementaryFunction.Cosh => Math.Cosh(x),
        ElementaryFunction.Tanh => Math.Tanh(x),
        ElementaryFunction.Atan => Math.Atan(x),
        ElementaryFunction.LogGamma => SpecialFunctions.LogGamma(x),
        ElementaryFunction.Sigmoid => TaylorSeries.Logistic(x),
        ElementaryFunction.Softplus => TaylorSeries.Softplus(x),
        ElementaryFunction.LogSigmoid => -TaylorSeries.Softplus(-x),
        ElementaryFunction.Abs => Math.Abs(x),
        _ => throw new ArgumentOutOfRangeException(nameof(function)),
    };

    /// <summary>An elementary function of a jet.</summary>
    public static Jet Apply(ElementaryFunction function, Jet x) => function switch
    {
        ElementaryFunction.Exp => Jet.Exp(x),
        ElementaryFunction.Log => Jet.Log(x),
        ElementaryFunction.Log1p => Jet.Log1p(x),
        ElementaryFunction.Sqrt => Jet.Sqrt(x),
        ElementaryFunction.Sin => Jet.Sin(x),
        ElementaryFunction.Cos => Jet.Cos(x),
        ElementaryFunction.Tan => Jet.Tan(x),
        ElementaryFunction.Sinh => Jet.Sinh(x),
        ElementaryFunction.Cosh => Jet.Cosh(x),
        ElementaryFunction.Tanh => Jet.Tanh(x),
        ElementaryFunction.Atan => Jet.Atan(x),
        ElementaryFunction.LogGamma => Jet.LogGamma(x),
        ElementaryFunction.Sigmoid => Jet.Sigmoid(x),
        ElementaryFunction.Softplus => Jet.Softplus(x),
        ElementaryFunction.LogSigmoid => Jet.LogSigmoid(x),
        ElementaryFunction.Abs => Jet.Abs(x),
        _ => throw new ArgumentOutOfRangeException(nameof(function)),
    };

    /// <summary>A binary operator on doubles (for constant folding).</summary>
    public static double Apply(BinaryOperator op, double a, double b) => op switch
    {
        BinaryOperator.Add => a + b,
        BinaryOperator.Subtract => a - b,
        BinaryOperator.Multiply => a * b,
        BinaryOperator.Divide => a / b,
        _ => b == Math.Round(b) && Math.Abs(b) <= 64 ? RuleMath.PowInt(a, (int)b) : Math.Pow(a, b),
    };
}
