using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Rules;

namespace SeriesCompiler.Runtime.Functions;

// Row kernels (issue 13): a one-variable program run over a whole row of samples, instruction by instruction on
// register rows of up to ChunkLength values, four lanes at a time with Vector256. One call per row and no delegate or
// virtual call per value. Each lane performs the scalar compiled code's double operations in the same order (IEEE
// arithmetic is the same per lane; elementary functions and general powers call the same scalar Math per value), so a
// row's numbers are those of CompiledValue and CompiledDual bit for bit.
public sealed partial class FunctionProgram
{
    // Samples per register row: long enough that the per-instruction dispatch is amortised, short enough that the
    // registers (MaxStack rows, twice for duals) stay in L1.
    private const int ChunkLength = 256;

    [ThreadStatic] private static double[]? t_rowRegisters;

    /// <summary>Whether the row kernels apply: one variable (or none). <see cref="DualRows"/> also needs <see cref="CompiledDual"/>'s rules.</summary>
    public bool HasRowKernels => VariableCount <= 1;

    /// <summary>Whether <see cref="DualRows"/> applies (one variable and a first-derivative rule for every instruction).</summary>
    public bool HasDualRows => VariableCount <= 1 && CanCompileDual();

    /// <summary>
    /// <c>values[s] = f(x[s])</c> (with <paramref name="accumulate"/>: <c>values[s] += f(x[s])</c>), for a one-variable
    /// program; the numbers of <see cref="CompiledValue"/> bit for bit.
    /// </summary>
    public void ValueRows(ReadOnlySpan<double> x, Span<double> values, bool accumulate = false)
    {
        if (!HasRowKernels) throw new InvalidOperationException($"Row kernels need a program of one variable; this one takes {VariableCount}.");
        if (values.Length < x.Length) throw new ArgumentException($"values holds {values.Length}, fewer than the {x.Length} inputs.", nameof(values));
        var registers = Registers(MaxStack);
        for (int start = 0; start < x.Length; start += ChunkLength)
        {
            int n = Math.Min(ChunkLength, x.Length - start);
            var result = RunValues(x.Slice(start, n), registers);
            var target = values.Slice(start, n);
            if (accumulate) AddTo(result[..n], target);
            else result[..n].CopyTo(target);
        }
    }

    /// <summary>
    /// <c>slopes[s] = f'(x[s])</c> and, unless <paramref name="values"/> is empty, <c>values[s] = f(x[s])</c> (with
    /// <paramref name="accumulate"/>: <c>values[s] += f(x[s])</c>): the numbers of <see cref="CompiledDual"/> bit for bit.
    /// </summary>
    public void DualRows(ReadOnlySpan<double> x, Span<double> values, Span<double> slopes, bool accumulate = false)
    {
        if (!HasDualRows) throw new InvalidOperationException("This program has no first-derivative rows (several variables, or an operation without a dual rule).");
        if (slopes.Length < x.Length) throw new ArgumentException($"slopes holds {slopes.Length}, fewer than the {x.Length} inputs.", nameof(slopes));
        if (!values.IsEmpty && values.Length < x.Length) throw new ArgumentException($"values holds {values.Length}, fewer than the {x.Length} inputs.", nameof(values));
        var registers = Registers(2 * MaxStack);
        for (int start = 0; start < x.Length; start += ChunkLength)
        {
            int n = Math.Min(ChunkLength, x.Length - start);
            RunDuals(x.Slice(start, n), registers);
            Span<double> value = Row(registers, 0), slope = Row(registers, MaxStack);
            slope[..n].CopyTo(slopes.Slice(start, n));
            if (values.IsEmpty) continue;
            var target = values.Slice(start, n);
            if (accumulate) AddTo(value[..n], target);
            else value[..n].CopyTo(target);
        }
    }

    // target[s] += source[s], four lanes at a time (each lane the scalar sum).
    private static void AddTo(Span<double> source, Span<double> target)
    {
        int n = source.Length, s = 0;
        ref double src = ref MemoryMarshal.GetReference(source), dst = ref MemoryMarshal.GetReference(target);
        for (; s + 4 <= n; s += 4)
            (Vector256.LoadUnsafe(ref dst, (nuint)s) + Vector256.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)s);
        for (; s < n; s++) target[s] += source[s];
    }

    private static Span<double> Registers(int rows)
    {
        int length = rows * ChunkLength;
        var registers = t_rowRegisters;
        if (registers is null || registers.Length < length) t_rowRegisters = registers = new double[Math.Max(length, 8 * ChunkLength)];
        return registers.AsSpan(0, length);
    }

    // Register r is registers[r * ChunkLength ..]; the program's stack slot top is register top. Lanes past n (up to a
    // multiple of 4) compute on leftovers and are never read.
    private Span<double> RunValues(ReadOnlySpan<double> x, Span<double> registers)
    {
        int n = x.Length, top = -1;
        int lanes = (n + 3) & ~3;
        foreach (ref readonly var ins in _code.AsSpan())
        {
            switch (ins.Op)
            {
                case OpCode.Const: Row(registers, ++top).Fill(ins.Value); break;
                case OpCode.Var: x.CopyTo(Row(registers, ++top)); break;
                case OpCode.Call: Apply(ins.Function, Row(registers, top)[..n]); break;
                case OpCode.PowReal: { var a = Row(registers, top); for (int s = 0; s < n; s++) a[s] = Math.Pow(a[s], ins.Value); break; }
                case OpCode.Pow:
                {
                    top--;
                    var a = Row(registers, top);
                    var b = Row(registers, top + 1);
                    for (int s = 0; s < n; s++) a[s] = Math.Pow(a[s], b[s]);
                    break;
                }
                case OpCode.Add or OpCode.Subtract or OpCode.Multiply or OpCode.Divide:
                    top--;
                    Binary(ins.Op, Row(registers, top), Row(registers, top + 1), lanes);
                    break;
                default: Unary(ins, Row(registers, top), lanes); break;
            }
        }
        return Row(registers, 0);
    }

    private static Span<double> Row(Span<double> registers, int r) => registers.Slice(r * ChunkLength, ChunkLength);

    // -x flips the sign bit, as the scalar negation does (0 - x would turn -0 into +0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Negate(Vector256<double> x) => x ^ Vector256.Create(-0.0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load(Span<double> row, int s) => Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(row), (nuint)s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<double> v, Span<double> row, int s) => v.StoreUnsafe(ref MemoryMarshal.GetReference(row), (nuint)s);

    // a op= b over the lanes.
    private static void Binary(OpCode op, Span<double> a, Span<double> b, int lanes)
    {
        switch (op)
        {
            case OpCode.Add: for (int s = 0; s < lanes; s += 4) Store(Load(a, s) + Load(b, s), a, s); break;
            case OpCode.Subtract: for (int s = 0; s < lanes; s += 4) Store(Load(a, s) - Load(b, s), a, s); break;
            case OpCode.Multiply: for (int s = 0; s < lanes; s += 4) Store(Load(a, s) * Load(b, s), a, s); break;
            default: for (int s = 0; s < lanes; s += 4) Store(Load(a, s) / Load(b, s), a, s); break;
        }
    }

    // The one-operand instructions with a constant (the scalar compiled code's operand order: a op c, or c op a).
    private static void Unary(in Instruction ins, Span<double> a, int lanes)
    {
        var c = Vector256.Create(ins.Value);
        switch (ins.Op)
        {
            case OpCode.Negate: for (int s = 0; s < lanes; s += 4) Store(Negate(Load(a, s)), a, s); break;
            case OpCode.AddScalar: for (int s = 0; s < lanes; s += 4) Store(Load(a, s) + c, a, s); break;
            case OpCode.SubtractFromScalar: for (int s = 0; s < lanes; s += 4) Store(c - Load(a, s), a, s); break;
            case OpCode.MultiplyScalar: for (int s = 0; s < lanes; s += 4) Store(Load(a, s) * c, a, s); break;
            case OpCode.DivideScalar: for (int s = 0; s < lanes; s += 4) Store(Load(a, s) / c, a, s); break;
            case OpCode.DivideScalarBy: for (int s = 0; s < lanes; s += 4) Store(c / Load(a, s), a, s); break;
            case OpCode.Square: for (int s = 0; s < lanes; s += 4) { var v = Load(a, s); Store(v * v, a, s); } break;
            case OpCode.PowInt: PowIntRow(a, ins.Argument, lanes); break;
            default: throw new InvalidOperationException($"Unexpected instruction {ins.Op}.");
        }
    }

    // x^n per lane with RuleMath.PowInt's squarings and products in its order (so its bits): the product of x^(2^i) over
    // n's bits, 1/x^|n| for n < 0. Written into the loops, not called: crossgen2 never precompiles a method with
    // Vector256 in its signature nor one that calls such a method, and these loops would then be JIT-compiled in every
    // fresh process.
    private static void PowIntRow(Span<double> a, int n, int lanes)
    {
        int m = Math.Abs(n);
        for (int s = 0; s < lanes; s += 4)
        {
            Vector256<double> result = Vector256<double>.One, square = Load(a, s);
            for (int k = m; k > 0; k >>= 1)
            {
                if ((k & 1) != 0) result *= square;
                if (k > 1) square *= square;
            }
            Store(n < 0 ? Vector256<double>.One / result : result, a, s);
        }
    }

    // The function chosen once per row, not per value.
    private static void Apply(ElementaryFunction function, Span<double> a)
    {
        switch (function)
        {
            case ElementaryFunction.Exp: foreach (ref double u in a) u = Math.Exp(u); break;
            case ElementaryFunction.Log: foreach (ref double u in a) u = Math.Log(u); break;
            case ElementaryFunction.Sqrt: foreach (ref double u in a) u = Math.Sqrt(u); break;
            case ElementaryFunction.Sin: foreach (ref double u in a) u = Math.Sin(u); break;
            case ElementaryFunction.Cos: foreach (ref double u in a) u = Math.Cos(u); break;
            case ElementaryFunction.Tanh: foreach (ref double u in a) u = Math.Tanh(u); break;
            default: foreach (ref double u in a) u = Apply(function, u); break;
        }
    }

    // ---- duals: value register r and its derivative register MaxStack + r, through CompileDual's rules in its order.

    // The result is left in registers 0 (values) and MaxStack (slopes).
    private void RunDuals(ReadOnlySpan<double> x, Span<double> registers)
    {
        int n = x.Length, top = -1, m = MaxStack;
        int lanes = (n + 3) & ~3;
        foreach (ref readonly var ins in _code.AsSpan())
        {
            switch (ins.Op)
            {
                case OpCode.Const: top++; Row(registers, top).Fill(ins.Value); Row(registers, m + top).Clear(); break;
                case OpCode.Var: top++; x.CopyTo(Row(registers, top)); Row(registers, m + top).Fill(1.0); break;
                case OpCode.Call: DualCall(ins.Function, Row(registers, top)[..n], Row(registers, m + top)); break;
                case OpCode.Add or OpCode.Subtract or OpCode.Multiply or OpCode.Divide:
                    top--;
                    DualBinary(ins.Op, Row(registers, top), Row(registers, m + top), Row(registers, top + 1), Row(registers, m + top + 1), lanes);
                    break;
                default: DualUnary(ins, Row(registers, top), Row(registers, m + top), lanes); break;
            }
        }
    }

    private static void DualBinary(OpCode op, Span<double> a, Span<double> da, Span<double> b, Span<double> db, int lanes)
    {
        switch (op)
        {
            case OpCode.Add: for (int s = 0; s < lanes; s += 4) { Store(Load(a, s) + Load(b, s), a, s); Store(Load(da, s) + Load(db, s), da, s); } break;
            case OpCode.Subtract: for (int s = 0; s < lanes; s += 4) { Store(Load(a, s) - Load(b, s), a, s); Store(Load(da, s) - Load(db, s), da, s); } break;
            // (ab)' = a' b + a b'
            case OpCode.Multiply:
                for (int s = 0; s < lanes; s += 4)
                {
                    var (u, du, v, dv) = (Load(a, s), Load(da, s), Load(b, s), Load(db, s));
                    Store(u * v, a, s);
                    Store(du * v + u * dv, da, s);
                }
                break;
            // (a/b)' = (a' - (a/b) b') / b
            default:
                for (int s = 0; s < lanes; s += 4)
                {
                    var (u, du, v, dv) = (Load(a, s), Load(da, s), Load(b, s), Load(db, s));
                    var q = u / v;
                    Store(q, a, s);
                    Store((du - q * dv) / v, da, s);
                }
                break;
        }
    }

    private static void DualUnary(in Instruction ins, Span<double> a, Span<double> da, int lanes)
    {
        var c = Vector256.Create(ins.Value);
        int k = ins.Argument;
        switch (ins.Op)
        {
            case OpCode.Negate: for (int s = 0; s < lanes; s += 4) { Store(Negate(Load(a, s)), a, s); Store(Negate(Load(da, s)), da, s); } break;
            case OpCode.AddScalar: for (int s = 0; s < lanes; s += 4) Store(Load(a, s) + c, a, s); break;
            case OpCode.SubtractFromScalar: for (int s = 0; s < lanes; s += 4) { Store(c - Load(a, s), a, s); Store(Negate(Load(da, s)), da, s); } break;
            case OpCode.MultiplyScalar: for (int s = 0; s < lanes; s += 4) { Store(Load(a, s) * c, a, s); Store(Load(da, s) * c, da, s); } break;
            case OpCode.DivideScalar: for (int s = 0; s < lanes; s += 4) { Store(Load(a, s) / c, a, s); Store(Load(da, s) / c, da, s); } break;
            // (c/a)' = -(c/a) a'/a
            case OpCode.DivideScalarBy:
                for (int s = 0; s < lanes; s += 4) { var u = Load(a, s); var q = c / u; Store(q, a, s); Store(Negate(q * Load(da, s) / u), da, s); }
                break;
            // (a^2)' = 2 a a'
            case OpCode.Square:
                for (int s = 0; s < lanes; s += 4) { var u = Load(a, s); Store(u * u, a, s); Store(Vector256.Create(2.0) * (u * Load(da, s)), da, s); }
                break;
            // (a^n)' = n a^(n-1) a'
            case OpCode.PowInt:
            {
                // u^k and u^(k-1) side by side, each as PowIntRow computes it (RuleMath.PowInt's order).
                int m = Math.Abs(k), m1 = Math.Abs(k - 1);
                for (int s = 0; s < lanes; s += 4)
                {
                    var u = Load(a, s);
                    Vector256<double> power = Vector256<double>.One, square = u, lower = Vector256<double>.One, square1 = u;
                    for (int i = m; i > 0; i >>= 1)
                    {
                        if ((i & 1) != 0) power *= square;
                        if (i > 1) square *= square;
                    }
                    for (int i = m1; i > 0; i >>= 1)
                    {
                        if ((i & 1) != 0) lower *= square1;
                        if (i > 1) square1 *= square1;
                    }
                    if (k < 0) power = Vector256<double>.One / power;
                    if (k - 1 < 0) lower = Vector256<double>.One / lower;
                    Store(power, a, s);
                    Store(k == 0 ? Vector256<double>.Zero : Vector256.Create((double)k) * lower * Load(da, s), da, s);
                }
                break;
            }
            default: throw new InvalidOperationException($"No dual rule for {ins.Op}.");
        }
    }

    // g(a) and g'(a) a' per value, with CompileDual's Slope formulas; the function chosen once per row.
    private static void DualCall(ElementaryFunction function, Span<double> a, Span<double> da)
    {
        int n = a.Length;
        da = da[..n];
        switch (function)
        {
            case ElementaryFunction.Exp: for (int s = 0; s < n; s++) { double v = Math.Exp(a[s]); a[s] = v; da[s] = v * da[s]; } break;           // exp' = exp
            case ElementaryFunction.Log: for (int s = 0; s < n; s++) { double u = a[s]; a[s] = Math.Log(u); da[s] = 1.0 / u * da[s]; } break;  // log' = 1/a
            case ElementaryFunction.Sqrt: for (int s = 0; s < n; s++) { double v = Math.Sqrt(a[s]); a[s] = v; da[s] = 0.5 / v * da[s]; } break; // sqrt' = 1/(2 sqrt a)
            case ElementaryFunction.Sin: for (int s = 0; s < n; s++) { double u = a[s]; a[s] = Math.Sin(u); da[s] = Math.Cos(u) * da[s]; } break;
            case ElementaryFunction.Cos: for (int s = 0; s < n; s++) { double u = a[s]; a[s] = Math.Cos(u); da[s] = -Math.Sin(u) * da[s]; } break;
            case ElementaryFunction.Tanh: for (int s = 0; s < n; s++) { double v = Math.Tanh(a[s]); a[s] = v; da[s] = (1.0 - v * v) * da[s]; } break; // tanh' = 1 - tanh^2
            default:
                for (int s = 0; s < n; s++)
                {
                    double u = a[s], v = Apply(function, u);
                    double slope = function switch
                    {
                        ElementaryFunction.Log1p => 1.0 / (1.0 + u),                        // log1p' = 1/(1+a)
                        ElementaryFunction.Sinh => Math.Cosh(u),
                        ElementaryFunction.Cosh => Math.Sinh(u),
                        ElementaryFunction.Atan => 1.0 / (1.0 + u * u),                     // atan' = 1/(1+a^2)
                        ElementaryFunction.Sigmoid => v * (1.0 - v),                        // s' = s (1 - s)
                        ElementaryFunction.Softplus => Apply(ElementaryFunction.Sigmoid, u),     // softplus' = sigmoid
                        ElementaryFunction.LogSigmoid => Apply(ElementaryFunction.Sigmoid, -u),  // log sigmoid' = sigmoid(-a)
                        _ => throw new InvalidOperationException($"No dual rule for {function}."),
                    };
                    a[s] = v;
                    da[s] = slope * da[s];
                }
                break;
        }
    }
}
