using SeriesCompiler.Runtime.Differentiation;

namespace SeriesCompiler.Runtime.Functions;

// The objectives behind Objective's factories. Each derivative comes from one place: Derivatives (jets), or
// StencilEvaluator (black boxes); the classes only say which coordinates a term depends on.

/// <summary>f of one variable over jets.</summary>
internal sealed class ScalarObjective(Func<Jet, Jet> f) : Objective
{
    private readonly Func<Jet, Jet> _f = f ?? throw new ArgumentNullException(nameof(f));

    public override int? Arity => 1;
    public override bool SupportsJets => true;

    public override double Value(ReadOnlySpan<double> z)
    {
        Span<double> c = stackalloc double[1];
        Derivatives.TaylorOfScalar(_f, z[0], 0, c);
        return c[0];
    }

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result) =>
        Derivatives.OfScalar(_f, z[0], order, result[..(order + 1)]);

    public override void Gradient(ReadOnlySpan<double> z, Span<double> gradient)
    {
        Span<double> d = stackalloc double[2];
        Derivatives.OfScalar(_f, z[0], 1, d);
        gradient[0] = d[1];
    }

    public override Jet Evaluate(ReadOnlySpan<Jet> z) => _f(z[0]);
}

/// <summary><c>sum_j g(z_j)</c> over jets: coordinates do not interact, so one scalar jet per coordinate.</summary>
internal sealed class SumObjective(Func<Jet, Jet> g) : Objective
{
    private readonly Func<Jet, Jet> _g = g ?? throw new ArgumentNullException(nameof(g));

    public override bool SupportsJets => true;

    public override double Value(ReadOnlySpan<double> z) => ScalarJets.Sum(_g, z);

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result) =>
        ScalarJets.Each(_g, z, order, result);

    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        int axis = SingleAxis(multiIndex, out int n);
        if (axis == NoAxis) return Value(z);
        if (axis == MixedAxes) return 0;
        Span<double> d = stackalloc double[n + 1];
        Derivatives.OfScalar(_g, z[axis], n, d);
        return d[n];
    }

    public override void Gradient(ReadOnlySpan<double> z, Span<double> gradient)
    {
        var d = Scratch(2 * z.Length);
        ScalarJets.Each(_g, z, 1, d);
        for (int j = 0; j < z.Length; j++) gradient[j] = d[2 * j + 1];
    }

    public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x) => ScalarJets.Sum(_g, [x]);

    // d^n/dz_j^n sum_i g(z_i) = g^(n)(z_j): one jet, by the same path as PurePartials.
    public override double CoordinatePartial(ReadOnlySpan<double> z, int coordinate, double x, int order)
    {
        Span<double> d = order < 64 ? stackalloc double[order + 1] : new double[order + 1];
        ScalarJets.Each(_g, new ReadOnlySpan<double>(in x), order, d);
        return d[order];
    }

    public override Jet Evaluate(ReadOnlySpan<Jet> z)
    {
        var sum = _g(z[0]);
        for (int j = 1; j < z.Length; j++) sum = sum + _g(z[j]);
        return sum;
    }

    // Block methods: f = sum_j g(z_j) is separable, so a row (coordinate j over the block) needs g and its derivatives at
    // that row's values only: one jet per entry, O(d) per sample, no gathering. The thread's own arenas, no instance state.
    public override bool BlockThreadSafe => true;

    // Each sample's sum runs over j in increasing order, as the scalar Value does (the same value, bit for bit).
    public override void Values(SampleBlock z, Span<double> values)
    {
        values[..z.Count].Clear();
        var arena = Derivatives.ArenaFor(0);
        var mark = arena.Mark();
        try
        {
            for (int j = 0; j < z.Dimension; j++)
            {
                var row = z.Row(j);
                for (int s = 0; s < row.Length; s++)
                {
                    values[s] += _g(arena.Variable(row[s])).Value;
                    arena.Release(mark);
                }
            }
        }
        finally
        {
            arena.Release(mark);
        }
    }

    public override void PurePartials(SampleBlock z, int order, Span<double> partials) => Fill(z, order, default, partials, values: false);

    public override void ValuesAndPurePartials(SampleBlock z, int order, Span<double> values, Span<double> partials) =>
        Fill(z, order, values, partials, values: true);

    // d^k f / dz_j^k = g^(k)(z_j): row j of order k is g^(k) over row j of the block.
    private void Fill(SampleBlock z, int order, Span<double> sums, Span<double> partials, bool values) =>
        JetRows.Fill(new DelegateScalar(_g), z, order, sums, partials, values);

    // d^n/dz_j^n f at z with z_j replaced by x = g^(n)(x): one jet per entry, O(1) per coordinate.
    public override void CoordinatePartials(SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result) =>
        JetRows.Shifted(new DelegateScalar(_g), z, x, order, result);

    internal const int NoAxis = -1, MixedAxes = -2;

    // For a sum of one-variable terms: the one coordinate a multi-index differentiates (then d^n f is that term's
    // derivative), NoAxis for the value, MixedAxes when it mixes coordinates (then d^n f = 0).
    internal static int SingleAxis(ReadOnlySpan<int> multiIndex, out int order)
    {
        int axis = NoAxis;
        order = 0;
        for (int j = 0; j < multiIndex.Length; j++)
        {
            if (multiIndex[j] == 0) continue;
            if (axis != NoAxis) return MixedAxes;
            axis = j;
            order = multiIndex[j];
        }
        return axis;
    }
}

/// <summary>f of several variables over jets (any <see cref="IJetFunction"/>).</summary>
internal sealed class JetObjective<TF>(TF f, int? arity) : Objective where TF : IJetFunction
{
    private readonly TF _f = f;

    public override int? Arity => arity;
    public override bool SupportsJets => true;

    public override double Value(ReadOnlySpan<double> z)
    {
        Span<double> zero = z.Length <= 512 ? stackalloc double[z.Length] : new double[z.Length];
        zero.Clear();
        Span<double> c = stackalloc double[1];
        Derivatives.Directional(_f, z, zero, 0, c);
        return c[0];
    }

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result) =>
        Derivatives.PurePartials(_f, z, order, result);

    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex) =>
        Derivatives.MixedPartial(_f, z, multiIndex);

    public override Jet Evaluate(ReadOnlySpan<Jet> z) => _f.Evaluate(z);
}

/// <summary><c>g(a . z + b)</c>: one jet of g serves every coordinate.</summary>
internal sealed class RidgeObjective : Objective
{
    private readonly Func<Jet, Jet> _g;
    private readonly double[] _a;
    private readonly double _b;

    public RidgeObjective(Func<Jet, Jet> g, double[] weights, double bias)
    {
        _g = g ?? throw new ArgumentNullException(nameof(g));
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length == 0) throw new ArgumentException("A ridge function needs at least one weight.", nameof(weights));
        _a = (double[])weights.Clone();
        _b = bias;
    }

    public override int? Arity => _a.Length;
    public override bool SupportsJets => true;

    private double Inner(ReadOnlySpan<double> z)
    {
        double s = _b;
        for (int j = 0; j < _a.Length; j++) s += _a[j] * z[j];
        return s;
    }

    private double G(double s)
    {
        Span<double> c = stackalloc double[1];
        Derivatives.TaylorOfScalar(_g, s, 0, c);
        return c[0];
    }

    public override double Value(ReadOnlySpan<double> z) => G(Inner(z));

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        int stride = order + 1;
        Span<double> gk = stackalloc double[stride];
        Derivatives.OfScalar(_g, Inner(z), order, gk);
        for (int j = 0; j < _a.Length; j++)
        {
            double power = 1, aj = _a[j]; // a_j^k
            var r = result.Slice(j * stride, stride);
            for (int k = 0; k <= order; k++)
            {
                r[k] = power * gk[k];
                power *= aj;
            }
        }
    }

    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        int n = 0;
        double product = 1;
        for (int j = 0; j < multiIndex.Length; j++)
        {
            n += multiIndex[j];
            for (int k = 0; k < multiIndex[j]; k++) product *= _a[j];
        }
        Span<double> gk = stackalloc double[n + 1];
        Derivatives.OfScalar(_g, Inner(z), n, gk);
        return product * gk[n];
    }

    public override void Gradient(ReadOnlySpan<double> z, Span<double> gradient)
    {
        Span<double> gk = stackalloc double[2];
        Derivatives.OfScalar(_g, Inner(z), 1, gk);
        for (int j = 0; j < _a.Length; j++) gradient[j] = _a[j] * gk[1];
    }

    public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x) =>
        G(Inner(z) + _a[coordinate] * (x - z[coordinate]));

    public override Jet Evaluate(ReadOnlySpan<Jet> z)
    {
        var s = z[0] * _a[0];
        for (int j = 1; j < _a.Length; j++) s = s + z[j] * _a[j];
        return _g(s + _b);
    }
}

/// <summary><c>sum_j exp(tau z_j + shift)</c>: derivatives <c>tau^k exp(tau z + shift)</c> in closed form.</summary>
internal sealed class ExponentialObjective(double tau, double shift) : Objective
{
    public override bool SupportsJets => true;

    private double Term(double z) => Math.Exp(tau * z + shift);

    public override double Value(ReadOnlySpan<double> z)
    {
        double sum = 0;
        foreach (double x in z) sum += Term(x);
        return sum;
    }

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        int stride = order + 1;
        for (int j = 0; j < z.Length; j++)
        {
            double d = Term(z[j]);
            for (int k = 0; k <= order; k++, d *= tau) result[j * stride + k] = d;
        }
    }

    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        int axis = SumObjective.SingleAxis(multiIndex, out int n);
        return axis == SumObjective.NoAxis ? Value(z) : axis == SumObjective.MixedAxes ? 0 : Math.Pow(tau, n) * Term(z[axis]);
    }

    public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x) => Term(x);

    public override Jet Evaluate(ReadOnlySpan<Jet> z)
    {
        var sum = Jet.Exp(z[0] * tau + shift);
        for (int j = 1; j < z.Length; j++) sum = sum + Jet.Exp(z[j] * tau + shift);
        return sum;
    }

    public override bool TryGetExponential(out double t, out double s)
    {
        (t, s) = (tau, shift);
        return true;
    }
}

/// <summary>A black box of one variable, or a sum of it over coordinates; derivatives by stencils.</summary>
internal sealed class NumericObjective(Func<double, double> g, bool sum) : Objective
{
    private readonly Func<double, double> _g = g ?? throw new ArgumentNullException(nameof(g));

    public override int? Arity => sum ? null : 1;
    public override DerivativeMode Mode => DerivativeMode.Stencil;
    public override bool SupportsMixedPartials => sum;

    public override double Value(ReadOnlySpan<double> z)
    {
        double total = 0;
        foreach (double x in z) total += _g(x);
        return total;
    }

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        int stride = order + 1;
        for (int j = 0; j < z.Length; j++) Derivatives.FromStencil(_g, z[j], order, result.Slice(j * stride, stride));
    }

    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        int axis = SumObjective.SingleAxis(multiIndex, out int n);
        if (axis == SumObjective.NoAxis) return Value(z);
        if (axis == SumObjective.MixedAxes) return sum ? 0 : throw new ArgumentException("One variable.", nameof(multiIndex));
        Span<double> d = stackalloc double[n + 1];
        Derivatives.FromStencil(_g, z[axis], n, d);
        return d[n];
    }

    public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x) => _g(x);

    public override double CoordinatePartial(ReadOnlySpan<double> z, int coordinate, double x, int order)
    {
        if (!sum) return base.CoordinatePartial(z, coordinate, x, order);
        Span<double> d = order < 64 ? stackalloc double[order + 1] : new double[order + 1];
        Derivatives.FromStencil(_g, x, order, d);
        return d[order];
    }
}

/// <summary>A black box of several variables; pure and mixed partials by (tensor-product) stencils.</summary>
internal sealed class VectorNumericObjective(VectorFunction f, int arity) : Objective
{
    private readonly StencilEvaluator _stencils = new(f ?? throw new ArgumentNullException(nameof(f)));
    private readonly VectorFunction _f = f;

    public override int? Arity => arity;
    public override DerivativeMode Mode => DerivativeMode.Stencil;
    public override bool SupportsMixedPartials => true;

    public override double Value(ReadOnlySpan<double> z) => _f(z);

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result) => _stencils.PurePartials(z, order, result);

    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex) => _stencils.Partial(z, multiIndex);
}

/// <summary>A function with hand-written derivatives: of one variable, or a sum of it over coordinates.</summary>
internal sealed class SuppliedDerivativesObjective(Func<double, double> value, DerivativeFunction derivatives, bool sum) : Objective
{
    private readonly Func<double, double> _value = value ?? throw new ArgumentNullException(nameof(value));
    private readonly DerivativeFunction _derivatives = derivatives ?? throw new ArgumentNullException(nameof(derivatives));

    public override int? Arity => sum ? null : 1;
    public override bool SupportsMixedPartials => sum;

    public override double Value(ReadOnlySpan<double> z)
    {
        double total = 0;
        foreach (double x in z) total += _value(x);
        return total;
    }

    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        int stride = order + 1;
        for (int j = 0; j < z.Length; j++) _derivatives(z[j], result.Slice(j * stride, stride));
    }

    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        int axis = SumObjective.SingleAxis(multiIndex, out int n);
        if (axis == SumObjective.NoAxis) return Value(z);
        if (axis == SumObjective.MixedAxes) return sum ? 0 : throw new ArgumentException("One variable.", nameof(multiIndex));
        Span<double> d = stackalloc double[n + 1];
        _derivatives(z[axis], d);
        return d[n];
    }

    public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x) => _value(x);

    public override double CoordinatePartial(ReadOnlySpan<double> z, int coordinate, double x, int order)
    {
        if (!sum) return base.CoordinatePartial(z, coordinate, x, order);
        Span<double> d = order < 64 ? stackalloc double[order + 1] : new double[order + 1];
        _derivatives(x, d);
        return d[order];
    }
}

/// <summary>A function of one variable over jets; a struct, so the JIT specialises <see cref="JetRows"/> per kind.</summary>
internal interface IScalarJetFunction
{
    Jet Evaluate(Jet x);
}

/// <summary>A <c>Func&lt;Jet, Jet&gt;</c> (Objective.Sum's g).</summary>
internal readonly struct DelegateScalar(Func<Jet, Jet> g) : IScalarJetFunction
{
    public Jet Evaluate(Jet x) => g(x);
}

/// <summary>
/// The block loops of a separable f = sum_j g(z_j) over jets, written once for every separable objective
/// (<see cref="Objective.Sum"/>, an <c>--f</c> summed over <c>--dims</c> copies): one jet per entry of a row, in the
/// thread's arena, no instance state.
/// </summary>
internal static class JetRows
{
    /// <summary>
    /// <c>partials[(k * d + j) * stride + s] = g^(k)(z[j, s])</c> for k = 1..order; with <paramref name="values"/>, also
    /// <c>sums[s] = sum_j g(z[j, s])</c>, summed over j in increasing order (the scalar Value's order, bit for bit).
    /// </summary>
    public static void Fill<TG>(TG g, SampleBlock z, int order, Span<double> sums, Span<double> partials, bool values) where TG : IScalarJetFunction
    {
        int d = z.Dimension, stride = z.Stride;
        if (values) sums[..z.Count].Clear();
        var arena = Derivatives.ArenaFor(order);
        var mark = arena.Mark();
        Span<double> one = stackalloc double[order + 1];
        try
        {
            for (int j = 0; j < d; j++)
            {
                var row = z.Row(j);
                for (int s = 0; s < row.Length; s++)
                {
                    var y = g.Evaluate(arena.Variable(row[s]));
                    if (!ReferenceEquals(y.Arena, arena)) throw new InvalidOperationException("g returned a jet that is not built from its input (create constants with x.Const(c)).");
                    y.CopyDerivativesTo(one);
                    arena.Release(mark);
                    if (values) sums[s] += one[0];
                    for (int k = 1; k <= order; k++) partials[(k * d + j) * stride + s] = one[k];
                }
            }
        }
        finally
        {
            arena.Release(mark);
        }
    }

    /// <summary><c>result[j * stride + s] = g^(order)(x[j * stride + s])</c>: f's partial along j with coordinate j moved to x (the other terms do not depend on it).</summary>
    public static void Shifted<TG>(TG g, SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result) where TG : IScalarJetFunction
    {
        var arena = Derivatives.ArenaFor(order);
        var mark = arena.Mark();
        Span<double> one = stackalloc double[order + 1];
        try
        {
            for (int j = 0; j < z.Dimension; j++)
                for (int s = 0; s < z.Count; s++)
                {
                    g.Evaluate(arena.Variable(x[j * z.Stride + s])).CopyDerivativesTo(one);
                    arena.Release(mark);
                    result[j * z.Stride + s] = one[order];
                }
        }
        finally
        {
            arena.Release(mark);
        }
    }
}

/// <summary>One scalar jet per coordinate in one arena: <c>result[j*(order+1) + k] = g^(k)(z_j)</c>.</summary>
internal static class ScalarJets
{
    public static void Each(Func<Jet, Jet> g, ReadOnlySpan<double> z, int order, Span<double> result) =>
        Each(new DelegateScalar(g), z, order, result);

    public static void Each<TG>(TG g, ReadOnlySpan<double> z, int order, Span<double> result) where TG : IScalarJetFunction
    {
        int stride = order + 1;
        var arena = Derivatives.ArenaFor(order);
        var mark = arena.Mark();
        try
        {
            for (int j = 0; j < z.Length; j++)
            {
                var y = g.Evaluate(arena.Variable(z[j]));
                if (!ReferenceEquals(y.Arena, arena)) throw new InvalidOperationException("g returned a jet that is not built from its input (create constants with x.Const(c)).");
                y.CopyDerivativesTo(result.Slice(j * stride, stride));
                arena.Release(mark);
            }
        }
        finally
        {
            arena.Release(mark);
        }
    }

    /// <summary><c>sum_j g(z_j)</c> through order-0 jets in one arena.</summary>
    public static double Sum(Func<Jet, Jet> g, ReadOnlySpan<double> z)
    {
        var arena = Derivatives.ArenaFor(0);
        var mark = arena.Mark();
        double sum = 0;
        try
        {
            for (int j = 0; j < z.Length; j++)
            {
                sum += g(arena.Variable(z[j])).Value;
                arena.Release(mark);
            }
        }
        finally
        {
            arena.Release(mark);
        }
        return sum;
    }
}
