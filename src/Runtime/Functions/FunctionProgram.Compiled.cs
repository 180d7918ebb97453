using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using SeriesCompiler.Runtime.Rules;
using E = System.Linq.Expressions.Expression;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>f(x) and f'(x) of a one-variable program, compiled: <c>value = f(x, out derivative)</c>.</summary>
public delegate double DualFunction(double x, out double derivative);

// The program compiled to IL through System.Linq.Expressions, for one variable (what --f is per copy under --dims):
// straight-line code with one local per instruction, in place of the interpreter's loop and switch.
public sealed partial class FunctionProgram
{
    private Func<double, double>? _compiledValue;
    private DualFunction? _compiledDual;
    private volatile bool _compiled;

    /// <summary>
    /// f(x) compiled, or null unless the program takes one variable. It performs the interpreter's double operations in
    /// the same order on the same instructions, so its values are those of <see cref="Evaluate(ReadOnlySpan{double})"/>
    /// bit for bit.
    /// </summary>
    public Func<double, double>? CompiledValue
    {
        get
        {
            EnsureCompiled();
            return _compiledValue;
        }
    }

    /// <summary>
    /// f(x) and f'(x) compiled as dual numbers (<c>(a, a')</c> through each instruction's derivative rule), or null when
    /// the program takes more than one variable or uses an operation without a rule here (a general power
    /// <c>x^y</c>, a non-integer power, tan, lgamma, abs: those stay on jets, which also watch abs's kink). The
    /// derivative is the jets' first derivative up to rounding (a few ulps: jets divide by c as a product with 1/c, for one).
    /// </summary>
    public DualFunction? CompiledDual
    {
        get
        {
            EnsureCompiled();
            return _compiledDual;
        }
    }

    private void EnsureCompiled()
    {
        if (_compiled) return;
        lock (_code)
        {
            if (_compiled) return;
            if (VariableCount <= 1 && RuntimeFeature.IsDynamicCodeSupported)
            {
                _compiledValue = CompileValue();
                _compiledDual = CanCompileDual() ? CompileDual() : null;
            }
            else if (VariableCount <= 1)
            {
                // Ahead-of-time compiled (the native seriesc): no IL can be emitted, and System.Linq.Expressions would
                // interpret the lambda. The row kernels over one value give the compiled code's numbers bit for bit
                // (RowKernelTests), with no interpreter in between.
                _compiledValue = OneRowValue;
                _compiledDual = CanCompileDual() ? OneRowDual : null;
            }
            _compiled = true;
        }
    }

    private double OneRowValue(double x)
    {
        Span<double> value = stackalloc double[1];
        ValueRows(new ReadOnlySpan<double>(in x), value);
        return value[0];
    }

    private double OneRowDual(double x, out double derivative)
    {
        Span<double> value = stackalloc double[1], slope = stackalloc double[1];
        DualRows(new ReadOnlySpan<double>(in x), value, slope);
        derivative = slope[0];
        return value[0];
    }

    private static readonly MethodInfo s_pow = typeof(Math).GetMethod(nameof(Math.Pow), [typeof(double), typeof(double)])!;
    private static readonly MethodInfo s_powInt = typeof(RuleMath).GetMethod(nameof(RuleMath.PowInt), [typeof(double), typeof(int)])!;
    private static readonly MethodInfo s_apply = typeof(FunctionProgram).GetMethod(nameof(Apply), [typeof(ElementaryFunction), typeof(double)])!;

    private static E Math1(string name, E x) => E.Call(typeof(Math).GetMethod(name, [typeof(double)])!, x);

    private Func<double, double> CompileValue()
    {
        var x = E.Parameter(typeof(double), "x");
        var locals = new List<ParameterExpression>();
        var body = new List<E>();
        var stack = new Stack<ParameterExpression>();
        ParameterExpression Push(E value)
        {
            var v = E.Variable(typeof(double), "v" + locals.Count);
            locals.Add(v);
            body.Add(E.Assign(v, value));
            stack.Push(v);
            return v;
        }
        foreach (var ins in _code)
        {
            switch (ins.Op)
            {
                case OpCode.Const: Push(E.Constant(ins.Value)); break;
                case OpCode.Var: Push(x); break;
                case OpCode.Negate: Push(E.Negate(stack.Pop())); break;
                case OpCode.AddScalar: Push(E.Add(stack.Pop(), E.Constant(ins.Value))); break;
                case OpCode.SubtractFromScalar: Push(E.Subtract(E.Constant(ins.Value), stack.Pop())); break;
                case OpCode.MultiplyScalar: Push(E.Multiply(stack.Pop(), E.Constant(ins.Value))); break;
                case OpCode.DivideScalar: Push(E.Divide(stack.Pop(), E.Constant(ins.Value))); break;
                case OpCode.DivideScalarBy: Push(E.Divide(E.Constant(ins.Value), stack.Pop())); break;
                case OpCode.Square: { var a = stack.Pop(); Push(E.Multiply(a, a)); break; }
                case OpCode.PowInt: Push(E.Call(s_powInt, stack.Pop(), E.Constant(ins.Argument))); break;
                case OpCode.PowReal: Push(E.Call(s_pow, stack.Pop(), E.Constant(ins.Value))); break;
                case OpCode.Call: Push(E.Call(s_apply, E.Constant(ins.Function), stack.Pop())); break;
                default:
                {
                    var b = stack.Pop();
                    var a = stack.Pop();
                    Push(ins.Op switch
                    {
                        OpCode.Add => E.Add(a, b),
                        OpCode.Subtract => E.Subtract(a, b),
                        OpCode.Multiply => E.Multiply(a, b),
                        OpCode.Divide => E.Divide(a, b),
                        _ => E.Call(s_pow, a, b),
                    });
                    break;
                }
            }
        }
        body.Add(stack.Pop());
        return E.Lambda<Func<double, double>>(E.Block(locals, body), x).Compile();
    }

    private bool CanCompileDual()
    {
        foreach (var ins in _code)
        {
            if (ins.Op is OpCode.Pow or OpCode.PowReal) return false;
            if (ins.Op == OpCode.Call && ins.Function is ElementaryFunction.Tan or ElementaryFunction.LogGamma or ElementaryFunction.Abs) return false;
        }
        return true;
    }

    private DualFunction CompileDual()
    {
        var x = E.Parameter(typeof(double), "x");
        var output = E.Parameter(typeof(double).MakeByRefType(), "derivative");
        var locals = new List<ParameterExpression>();
        var body = new List<E>();
        var stack = new Stack<(ParameterExpression V, ParameterExpression D)>();
        ParameterExpression Local(E value)
        {
            var v = E.Variable(typeof(double), "t" + locals.Count);
            locals.Add(v);
            body.Add(E.Assign(v, value));
            return v;
        }
        void Push(E value, Func<ParameterExpression, E> derivative)
        {
            var v = Local(value);
            stack.Push((v, Local(derivative(v))));
        }
        E Const(double c) => E.Constant(c);
        foreach (var ins in _code)
        {
            switch (ins.Op)
            {
                case OpCode.Const: Push(Const(ins.Value), _ => Const(0.0)); break;
                case OpCode.Var: Push(x, _ => Const(1.0)); break;
                case OpCode.Negate: { var (a, da) = stack.Pop(); Push(E.Negate(a), _ => E.Negate(da)); break; }
                case OpCode.AddScalar: { var (a, da) = stack.Pop(); Push(E.Add(a, Const(ins.Value)), _ => da); break; }
                case OpCode.SubtractFromScalar: { var (a, da) = stack.Pop(); Push(E.Subtract(Const(ins.Value), a), _ => E.Negate(da)); break; }
                case OpCode.MultiplyScalar: { var (a, da) = stack.Pop(); Push(E.Multiply(a, Const(ins.Value)), _ => E.Multiply(da, Const(ins.Value))); break; }
                case OpCode.DivideScalar: { var (a, da) = stack.Pop(); Push(E.Divide(a, Const(ins.Value)), _ => E.Divide(da, Const(ins.Value))); break; }
                // (c/a)' = -(c/a) a'/a
                case OpCode.DivideScalarBy: { var (a, da) = stack.Pop(); Push(E.Divide(Const(ins.Value), a), q => E.Negate(E.Divide(E.Multiply(q, da), a))); break; }
                // (a^2)' = 2 a a'
                case OpCode.Square: { var (a, da) = stack.Pop(); Push(E.Multiply(a, a), _ => E.Multiply(Const(2.0), E.Multiply(a, da))); break; }
                // (a^n)' = n a^(n-1) a'
                case OpCode.PowInt:
                {
                    var (a, da) = stack.Pop();
                    int n = ins.Argument;
                    Push(E.Call(s_powInt, a, E.Constant(n)), _ => n == 0 ? Const(0.0) : E.Multiply(E.Multiply(Const(n), E.Call(s_powInt, a, E.Constant(n - 1))), da));
                    break;
                }
                case OpCode.Call:
                {
                    var (a, da) = stack.Pop();
                    Push(E.Call(s_apply, E.Constant(ins.Function), a), v => E.Multiply(Slope(ins.Function, a, v), da));
                    break;
                }
                default:
                {
                    var (b, db) = stack.Pop();
                    var (a, da) = stack.Pop();
                    switch (ins.Op)
                    {
                        case OpCode.Add: Push(E.Add(a, b), _ => E.Add(da, db)); break;
                        case OpCode.Subtract: Push(E.Subtract(a, b), _ => E.Subtract(da, db)); break;
                        // (ab)' = a' b + a b'
                        case OpCode.Multiply: Push(E.Multiply(a, b), _ => E.Add(E.Multiply(da, b), E.Multiply(a, db))); break;
                        // (a/b)' = (a' - (a/b) b') / b
                        default: Push(E.Divide(a, b), q => E.Divide(E.Subtract(da, E.Multiply(q, db)), b)); break;
                    }
                    break;
                }
            }
        }
        var (value, slope) = stack.Pop();
        body.Add(E.Assign(output, slope));
        body.Add(value);
        return E.Lambda<DualFunction>(E.Block(locals, body), x, output).Compile();
    }

    // d/da of an elementary function, from its argument a and its value v = g(a).
    private static E Slope(ElementaryFunction function, E a, E v)
    {
        E one = E.Constant(1.0);
        return function switch
        {
            ElementaryFunction.Exp => v,                                                     // exp' = exp
            ElementaryFunction.Log => E.Divide(one, a),                                      // log' = 1/a
            ElementaryFunction.Log1p => E.Divide(one, E.Add(one, a)),                        // log1p' = 1/(1+a)
            ElementaryFunction.Sqrt => E.Divide(E.Constant(0.5), v),                         // sqrt' = 1/(2 sqrt a)
            ElementaryFunction.Sin => Math1(nameof(Math.Cos), a),
            ElementaryFunction.Cos => E.Negate(Math1(nameof(Math.Sin), a)),
            ElementaryFunction.Sinh => Math1(nameof(Math.Cosh), a),
            ElementaryFunction.Cosh => Math1(nameof(Math.Sinh), a),
            ElementaryFunction.Tanh => E.Subtract(one, E.Multiply(v, v)),                    // tanh' = 1 - tanh^2
            ElementaryFunction.Atan => E.Divide(one, E.Add(one, E.Multiply(a, a))),          // atan' = 1/(1+a^2)
            ElementaryFunction.Sigmoid => E.Multiply(v, E.Subtract(one, v)),                 // s' = s (1 - s)
            ElementaryFunction.Softplus => E.Call(s_apply, E.Constant(ElementaryFunction.Sigmoid), a),                // softplus' = sigmoid
            ElementaryFunction.LogSigmoid => E.Call(s_apply, E.Constant(ElementaryFunction.Sigmoid), E.Negate(a)),   // log sigmoid' = sigmoid(-a)
            _ => throw new ArgumentOutOfRangeException(nameof(function)),
        };
    }
}
