namespace SeriesCompiler.Runtime.Differentiation;

/// <summary>
/// Storage for the <see cref="Jet"/>s of one evaluation: a bump allocator over one flat
/// <c>double[]</c> in slots of <c>Order + 1</c> coefficients. Every jet operation takes the next
/// slot, so an expression such as <c>Jet.Exp(2 * x) * Jet.Sin(x)</c> allocates nothing on the GC
/// heap once the arena has grown to the largest evaluation it serves (it doubles when full and
/// never shrinks). Release whole evaluations with <see cref="Reset"/>, or nested ones with
/// <see cref="Mark"/>/<see cref="Release"/> (stack discipline).
/// </summary>
/// <remarks>
/// Not thread-safe: use one arena per thread (<see cref="Derivatives"/> keeps thread-local ones).
/// A jet whose slot has been released must not be used again; its coefficients will be
/// overwritten by later jets.
/// </remarks>
public sealed class JetArena
{
    private const int ScratchSlots = 3;

    private double[] _data;
    private readonly double[] _scratch;
    private Jet[] _inputs = [];
    private int _top;
    private int _inputTop;

    /// <summary>An arena for jets of the given order (coefficients 0..order).</summary>
    /// <param name="order">Truncation order N, 0..<see cref="TaylorSeries.MaxOrder"/>.</param>
    /// <param name="initialSlots">Jets that fit before the first growth.</param>
    public JetArena(int order, int initialSlots = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, TaylorSeries.MaxOrder);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialSlots, 1);
        Order = order;
        Stride = order + 1;
        _data = new double[Stride * initialSlots];
        _scratch = new double[Stride * ScratchSlots];
    }

    /// <summary>Truncation order N: jets carry f, f', ..., f^(N).</summary>
    public int Order { get; }

    /// <summary>Coefficients per jet, <c>Order + 1</c>.</summary>
    public int Stride { get; }

    /// <summary>Slots in use.</summary>
    public int Count => _top;

    /// <summary>Slots available before the next growth.</summary>
    public int Capacity => _data.Length / Stride;

    /// <summary>A position in the arena, returned by <see cref="Mark"/>.</summary>
    public readonly record struct Checkpoint(int Slots, int Inputs);

    /// <summary>Current position, to pass to <see cref="Release"/> later.</summary>
    public Checkpoint Mark() => new(_top, _inputTop);

    /// <summary>Frees every jet (and input list) allocated since <paramref name="mark"/>.</summary>
    public void Release(Checkpoint mark)
    {
        if ((uint)mark.Slots > (uint)_top || (uint)mark.Inputs > (uint)_inputTop)
            throw new ArgumentOutOfRangeException(nameof(mark), "Checkpoint is ahead of the arena (already released?).");
        _top = mark.Slots;
        _inputTop = mark.Inputs;
    }

    /// <summary>Frees every jet.</summary>
    public void Reset()
    {
        _top = 0;
        _inputTop = 0;
    }

    /// <summary>A constant: <c>(c, 0, 0, ...)</c>.</summary>
    public Jet Constant(double value)
    {
        var j = Allocate();
        TaylorSeries.Constant(value, j.Span);
        return j;
    }

    /// <summary>The independent variable <c>x(t) = at + direction t</c>: <c>(at, direction, 0, ...)</c>.</summary>
    public Jet Variable(double at, double direction = 1.0)
    {
        var j = Allocate();
        TaylorSeries.Variable(at, direction, j.Span);
        return j;
    }

    /// <summary>A jet from normalized coefficients <c>c_k = f^(k)/k!</c> (missing ones are zero, extra ones ignored).</summary>
    public Jet FromCoefficients(ReadOnlySpan<double> coefficients)
    {
        var j = Allocate();
        var s = j.Span;
        s.Clear();
        coefficients[..Math.Min(coefficients.Length, s.Length)].CopyTo(s);
        return j;
    }

    /// <summary>A jet from derivatives <c>f^(k)</c> (missing ones are zero, extra ones ignored).</summary>
    public Jet FromDerivatives(ReadOnlySpan<double> derivatives)
    {
        var j = Allocate();
        var s = j.Span;
        s.Clear();
        int n = Math.Min(derivatives.Length, s.Length);
        TaylorSeries.FromDerivatives(derivatives[..n], s[..n]);
        return j;
    }

    /// <summary>
    /// Input variables for a multivariate evaluation, <c>z_i(t) = at_i + direction_i t</c>: jets
    /// seeded along one direction, so that any output jet carries <c>D^k_direction f / k!</c>.
    /// The list lives in the arena (stack discipline, like the jets), so nested evaluations do
    /// not disturb it.
    /// </summary>
    public ReadOnlySpan<Jet> Variables(ReadOnlySpan<double> at, ReadOnlySpan<double> direction)
    {
        if (direction.Length != at.Length) throw new ArgumentException("Point and direction differ in length.", nameof(direction));
        int start = _inputTop, end = start + at.Length;
        // Growing replaces the array; spans handed out earlier keep the old one alive and intact.
        if (end > _inputs.Length) Array.Resize(ref _inputs, Math.Max(end, 2 * _inputs.Length));
        for (int i = 0; i < at.Length; i++) _inputs[start + i] = Variable(at[i], direction[i]);
        _inputTop = end;
        return _inputs.AsSpan(start, at.Length);
    }

    /// <summary>A fresh slot whose coefficients the caller overwrites entirely.</summary>
    internal Jet Allocate()
    {
        if ((_top + 1) * Stride > _data.Length) Grow();
        return new Jet(this, _top++);
    }

    internal Span<double> Coefficients(int slot) => _data.AsSpan(slot * Stride, Stride);

    // Kernel temporaries. Never handed out beyond one kernel call.
    internal Span<double> Scratch(int index) => _scratch.AsSpan(index * Stride, Stride);

    private void Grow()
    {
        // Jets hold slot indices, not spans, so moving the storage invalidates nothing.
        Array.Resize(ref _data, _data.Length * 2);
    }
}
