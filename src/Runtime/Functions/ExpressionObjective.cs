using System.Runtime.InteropServices;
using SeriesCompiler.Runtime.Differentiation;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>
/// An objective given as an expression (what <c>seriesc estimate --f</c> parses): <c>f(z) = sum_b body(z_b)</c> over
/// consecutive blocks <c>z_b</c> of <see cref="BlockWidth"/> variables. One block is an ordinary function of all of z;
/// several are the independent copies of <c>--dims</c> (or the components <c>z[j]</c> of a family), each differentiated
/// on its own block only. Derivatives by jets through the compiled <see cref="FunctionProgram"/>, or by stencils.
/// </summary>
public sealed class ExpressionObjective : Objective
{
    private readonly FunctionProgram _body;
    private readonly StencilEvaluator? _stencils;
    private readonly DerivativeMode _mode;

    /// <param name="body">The expression of one block, in variables <c>0 .. blockWidth-1</c>.</param>
    /// <param name="blockWidth">Variables per block; z must hold a whole number of blocks.</param>
    /// <param name="mode">Jets (exact) or stencils.</param>
    /// <param name="text">The source text, for reports.</param>
    public ExpressionObjective(FunctionExpression body, int blockWidth, DerivativeMode mode = DerivativeMode.Jet, string? text = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockWidth, 1);
        _body = FunctionProgram.Compile(body, blockWidth);
        _mode = mode;
        Text = text ?? body.ToString();
        if (mode == DerivativeMode.Stencil) _stencils = new StencilEvaluator(_body.Evaluate);
        // One variable per block (--f under --dims, or a univariate rule): values and first derivatives run compiled,
        // as row kernels over blocks and as delegates (compiled at their first use) for one point.
        _oneVariable = blockWidth == 1;
        _hasDual = _oneVariable && mode == DerivativeMode.Jet && _body.HasDualRows;
    }

    private readonly bool _oneVariable, _hasDual;

    // The scalar paths' compiled delegates: System.Linq.Expressions compiles them at the first scalar call, so a run on
    // the block methods alone (the batched estimators) never pays for that compiler.
    private Func<double, double>? ScalarValue => _oneVariable ? _body.CompiledValue : null;
    private DualFunction? ScalarDual => _hasDual ? _body.CompiledDual : null;

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Variables per block.</summary>
    public int BlockWidth => _body.VariableCount;

    /// <summary>The compiled body.</summary>
    public FunctionProgram Body => _body;

    public override DerivativeMode Mode => _mode;

    // Known exactly from the expression, whatever the derivative mode (a stencil across a kink is no better than a jet).
    protected override Smoothness IntrinsicSmoothness => _body.Expression.GetSmoothness();
    public override bool SupportsJets => _mode == DerivativeMode.Jet;
    public override bool SupportsMixedPartials => true;

    private int Blocks(ReadOnlySpan<double> z)
    {
        int w = BlockWidth;
        if (z.Length % w != 0) throw new ArgumentException($"f takes blocks of {w} variables; got {z.Length} values.", nameof(z));
        return z.Length / w;
    }

    public override double Value(ReadOnlySpan<double> z)
    {
        int w = BlockWidth, blocks = Blocks(z);
        double sum = 0;
        if (ScalarValue is { } value)
            foreach (double x in z) sum += value(x);
        else
            for (int b = 0; b < blocks; b++) sum += _body.Evaluate(z.Slice(b * w, w));
        return sum;
    }

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        int w = BlockWidth, blocks = Blocks(z), stride = w * (order + 1);
        if (order == 1 && ScalarDual is { } dual)
        {
            for (int b = 0; b < blocks; b++) result[2 * b] = dual(z[b], out result[2 * b + 1]);
            return;
        }
        if (w == 1 && _stencils is null)
        {
            // One scalar jet per block, all in one arena.
            ScalarJets.Each(new BodyScalar(_body), z, order, result);
            return;
        }
        for (int b = 0; b < blocks; b++)
        {
            var block = z.Slice(b * w, w);
            var r = result.Slice(b * stride, stride);
            if (_stencils is not null) _stencils.PurePartials(block, order, r);
            else Derivatives.PurePartials(new ProgramFunction(_body), block, order, r);
        }
    }

    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        int w = BlockWidth, blocks = Blocks(z), only = -1;
        for (int b = 0; b < blocks; b++)
        {
            if (!multiIndex.Slice(b * w, w).ContainsAnyExcept(0)) continue;
            if (only >= 0) return 0; // blocks do not interact
            only = b;
        }
        if (only < 0) return Value(z);
        var block = z.Slice(only * w, w);
        var local = multiIndex.Slice(only * w, w);
        return _stencils is not null ? _stencils.Partial(block, local) : Derivatives.MixedPartial(new ProgramFunction(_body), block, local);
    }

    public override void Gradient(ReadOnlySpan<double> z, Span<double> gradient)
    {
        if (ScalarDual is not { } dual)
        {
            base.Gradient(z, gradient);
            return;
        }
        _ = Blocks(z);
        for (int j = 0; j < z.Length; j++) dual(z[j], out gradient[j]);
    }

    public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x)
    {
        if (ScalarValue is { } value) return value(x);
        int w = BlockWidth, b = coordinate / w;
        var copy = Scratch(w);
        z.Slice(b * w, w).CopyTo(copy);
        copy[coordinate - b * w] = x;
        return _body.Evaluate(copy.AsSpan(0, w));
    }

    // Blocks do not interact: only coordinate j's block is differentiated, by the same path as PurePartials (O(block), not O(dim z)).
    public override double CoordinatePartial(ReadOnlySpan<double> z, int coordinate, double x, int order)
    {
        int w = BlockWidth, b = coordinate / w, stride = order + 1;
        _ = Blocks(z);
        if (order == 1 && ScalarDual is { } dual)
        {
            dual(x, out double slope);
            return slope;
        }
        var block = _block.Length >= w ? _block : _block = new double[w];
        z.Slice(b * w, w).CopyTo(block);
        block[coordinate - b * w] = x;
        var partials = _blockPartials.Length >= w * stride ? _blockPartials : _blockPartials = new double[w * stride];
        PurePartials(block.AsSpan(0, w), order, partials.AsSpan(0, w * stride));
        return partials[(coordinate - b * w) * stride + order];
    }

    private double[] _block = [];
    private double[] _blockPartials = [];

    // ---- block methods: an expression summed over one-variable copies (--f under --dims) is separable, so row j of a
    // block needs the body at row j's values only, O(d) per sample; values and first derivatives run as row kernels
    // (FunctionProgram.ValueRows / DualRows: one call per row, SIMD lanes), higher orders as one jet per entry.
    // Everything else (several variables per copy, stencils) keeps the scalar-gather defaults.

    private bool Separable => _oneVariable && _stencils is null;

    // Rows shorter than one Vector256 (a one-sample step) go through the compiled scalar delegates: a row kernel's set-up
    // per call costs more than the value there. Both give the same numbers (RowKernelTests).
    private const int ShortRow = 4;

    // Compiled delegates and the interpreter's thread-static stacks: no instance state on the separable paths.
    public override bool BlockThreadSafe => Separable;

    // Each sample's sum runs over j in increasing order with the compiled value, as the scalar Value does (bit for bit).
    public override void Values(SampleBlock z, Span<double> values)
    {
        if (!Separable)
        {
            base.Values(z, values);
            return;
        }
        // One row kernel call per coordinate (FunctionProgram.ValueRows: the compiled value's numbers, SIMD lanes).
        var sums = values[..z.Count];
        sums.Clear();
        if (z.Count < ShortRow)
        {
            var value = ScalarValue!;
            for (int j = 0; j < z.Dimension; j++)
            {
                var row = z.Row(j);
                for (int s = 0; s < row.Length; s++) sums[s] += value(row[s]);
            }
            return;
        }
        for (int j = 0; j < z.Dimension; j++) _body.ValueRows(z.Row(j), sums, accumulate: true);
    }

    public override void PurePartials(SampleBlock z, int order, Span<double> partials)
    {
        if (!Separable) base.PurePartials(z, order, partials);
        else Rows(z, order, default, partials, values: false);
    }

    public override void ValuesAndPurePartials(SampleBlock z, int order, Span<double> values, Span<double> partials)
    {
        if (!Separable) base.ValuesAndPurePartials(z, order, values, partials);
        else if (order == 1 && _hasDual && z.Count >= ShortRow)
        {
            // One dual pass per row gives both: its values are the compiled value's (the same operations), summed over j
            // in increasing order as the scalar Value sums them, and its slopes are row (1, j).
            int d = z.Dimension, stride = z.Stride;
            var sums = values[..z.Count];
            sums.Clear();
            for (int j = 0; j < d; j++) _body.DualRows(z.Row(j), sums, partials.Slice((d + j) * stride, z.Count), accumulate: true);
        }
        else
        {
            // f's value for the finiteness check comes from the compiled value (the scalar Value's numbers).
            Values(z, values);
            Rows(z, order, values, partials, values: false);
        }
    }

    // d^k f / dz_j^k is the body's k-th derivative at z_j: duals for order 1, one scalar jet per entry above.
    private void Rows(SampleBlock z, int order, Span<double> sums, Span<double> partials, bool values)
    {
        int d = z.Dimension, stride = z.Stride;
        if (order == 1 && _hasDual)
        {
            if (z.Count < ShortRow)
            {
                var dual = ScalarDual!;
                for (int j = 0; j < d; j++)
                {
                    var row = z.Row(j);
                    var target = partials.Slice((d + j) * stride, row.Length);
                    for (int s = 0; s < row.Length; s++) dual(row[s], out target[s]);
                }
                return;
            }
            for (int j = 0; j < d; j++) _body.DualRows(z.Row(j), default, partials.Slice((d + j) * stride, z.Count));
            return;
        }
        // Above the body's degree as a polynomial every row is identically 0: the jets carry only the orders below (their
        // coefficients there do not depend on the orders carried, so the same numbers), the rest are zeros.
        int carried = Math.Min(order, _body.PolynomialDegree);
        JetRows.Fill(new BodyScalar(_body), z, carried, sums, partials, values);
        for (int k = carried + 1; k <= order; k++)
            for (int j = 0; j < d; j++) partials.Slice((k * d + j) * stride, z.Count).Clear();
    }

    // f^(order) with coordinate j replaced by x[j, s]: the body at x alone.
    public override void CoordinatePartials(SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result)
    {
        if (!Separable)
        {
            base.CoordinatePartials(z, x, order, result);
            return;
        }
        int d = z.Dimension, stride = z.Stride;
        // Row kernels: one call per coordinate's row, the compiled value's and dual's numbers; rows shorter than a lane
        // (one sample per step) through the compiled delegates, whose per-call cost is lower there (the same numbers).
        if (z.Count < ShortRow && order <= 1 && (order == 0 || _hasDual))
        {
            if (order == 1)
            {
                var dual = ScalarDual!;
                for (int j = 0; j < d; j++)
                    for (int s = 0; s < z.Count; s++) dual(x[j * stride + s], out result[j * stride + s]);
            }
            else
            {
                var value = ScalarValue!;
                for (int j = 0; j < d; j++)
                    for (int s = 0; s < z.Count; s++) result[j * stride + s] = value(x[j * stride + s]);
            }
            return;
        }
        if (order == 1 && _hasDual)
        {
            for (int j = 0; j < d; j++) _body.DualRows(x.Slice(j * stride, z.Count), default, result.Slice(j * stride, z.Count));
            return;
        }
        if (order == 0)
        {
            for (int j = 0; j < d; j++) _body.ValueRows(x.Slice(j * stride, z.Count), result.Slice(j * stride, z.Count));
            return;
        }
        if (order > _body.PolynomialDegree)
        {
            // g^(order) of a polynomial of lower degree is identically 0.
            for (int j = 0; j < d; j++) result.Slice(j * stride, z.Count).Clear();
            return;
        }
        JetRows.Shifted(new BodyScalar(_body), z, x, order, result);
    }

    public override Jet Evaluate(ReadOnlySpan<Jet> z)
    {
        if (_mode != DerivativeMode.Jet) return base.Evaluate(z);
        int w = BlockWidth;
        if (z.Length % w != 0) throw new ArgumentException($"f takes blocks of {w} variables; got {z.Length} jets.", nameof(z));
        var sum = _body.Evaluate(z[..w]);
        for (int b = 1; b < z.Length / w; b++) sum = sum + _body.Evaluate(z.Slice(b * w, w));
        return sum;
    }

    public override bool TryGetExponential(out double tau, out double shift)
    {
        (tau, shift) = (0, 0);
        return BlockWidth == 1 && _body.Expression.TryGetExponential(out tau, out shift);
    }

    public override string ToString() => Text;

    /// <summary>A one-variable program as the row loops' g.</summary>
    private readonly struct BodyScalar(FunctionProgram program) : IScalarJetFunction
    {
        public Jet Evaluate(Jet x) => program.Evaluate(MemoryMarshal.CreateReadOnlySpan(ref x, 1));
    }

    /// <summary>A program as an <see cref="IJetFunction"/> for the <see cref="Derivatives"/> helpers.</summary>
    private readonly struct ProgramFunction(FunctionProgram program) : IJetFunction
    {
        public Jet Evaluate(ReadOnlySpan<Jet> z) => program.Evaluate(z);
    }
}
