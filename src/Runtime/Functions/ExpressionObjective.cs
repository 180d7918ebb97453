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
        // One variable per block (--f under --dims, or a univariate rule): values and first derivatives run compiled.
        if (blockWidth == 1)
        {
            _value = _body.CompiledValue;
            if (mode == DerivativeMode.Jet) _dual = _body.CompiledDual;
        }
    }

    private readonly Func<double, double>? _value;
    private readonly DualFunction? _dual;

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
        if (_value is { } value)
            foreach (double x in z) sum += value(x);
        else
            for (int b = 0; b < blocks; b++) sum += _body.Evaluate(z.Slice(b * w, w));
        return sum;
    }

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        int w = BlockWidth, blocks = Blocks(z), stride = w * (order + 1);
        if (order == 1 && _dual is { } dual)
        {
            for (int b = 0; b < blocks; b++) result[2 * b] = dual(z[b], out result[2 * b + 1]);
            return;
        }
        if (w == 1 && _stencils is null)
        {
            // One scalar jet per block, all in one arena.
            var arena = Derivatives.ArenaFor(order);
            var mark = arena.Mark();
            try
            {
                for (int b = 0; b < blocks; b++)
                {
                    var x = arena.Variable(z[b]);
                    _body.Evaluate(MemoryMarshal.CreateReadOnlySpan(ref x, 1)).CopyDerivativesTo(result.Slice(b * stride, stride));
                    arena.Release(mark);
                }
            }
            finally
            {
                arena.Release(mark);
            }
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
        if (_dual is not { } dual)
        {
            base.Gradient(z, gradient);
            return;
        }
        _ = Blocks(z);
        for (int j = 0; j < z.Length; j++) dual(z[j], out gradient[j]);
    }

    public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x)
    {
        if (_value is { } value) return value(x);
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
        if (order == 1 && _dual is { } dual)
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

    /// <summary>A program as an <see cref="IJetFunction"/> for the <see cref="Derivatives"/> helpers.</summary>
    private readonly struct ProgramFunction(FunctionProgram program) : IJetFunction
    {
        public Jet Evaluate(ReadOnlySpan<Jet> z) => program.Evaluate(z);
    }
}
