using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// Theorem 1 for a generated rule: <c>dL/dtheta_p = sum_{1 &lt;= |n| &lt;= N} a_{n,p}(theta) E[d^n f(z)]</c>, for each
/// independent copy with its own coefficients. One variable: every order from one jet per coordinate (of order
/// N + 1, whose top coefficient tells whether the series stopped). Several (BivariateNormal): the mixed partials of
/// the multi-indices whose coefficients are not zero at theta.
/// </summary>
internal sealed class DirectSeriesKernel : SeriesKernel
{
    private readonly IDistributionRule _rule;
    private readonly Objective _f;
    private readonly int _order, _jetOrder;
    private readonly bool _checksNextOrder;
    private readonly int[] _rowOf;          // univariate: [copy * order + n - 1] -> row or -1
    private readonly int[][] _multiIndex;   // multivariate: per row, the multi-index over all of z
    private readonly double[] _partials;

    public DirectSeriesKernel(Problem problem, Objective f, int order) : base(problem)
    {
        _rule = problem.Rule.Direct!;
        _f = f;
        _order = order;
        int pd = _rule.Differentiable.Count, m = _rule.Dimension;
        var indices = _rule.MultiIndices;
        var a = new double[indices.Count * pd];
        Span<int> slots = stackalloc int[pd];
        var multi = new List<int[]>();
        _rowOf = new int[problem.Copies * order];
        Array.Fill(_rowOf, -1);
        for (int c = 0; c < problem.Copies; c++)
        {
            _rule.Coefficients(problem.Thetas[c], a);
            EnsureFinite(_rule, problem.Thetas[c], a, order);
            var errors = ErrorsOf(_rule, problem.Thetas[c], a.Length);
            for (int p = 0; p < pd; p++) slots[p] = c * pd + p;
            for (int row = 0; row < indices.Count; row++)
            {
                int degree = indices[row].Sum();
                if (degree > order) continue;
                int added = AddRow(degree, slots, a.AsSpan(row * pd, pd), errors is null ? default : errors.AsSpan(row * pd, pd));
                if (m == 1) _rowOf[c * order + degree - 1] = added;
                else if (added >= 0)
                {
                    var full = new int[problem.TotalVariables];
                    indices[row].CopyTo(full, c * m);
                    multi.Add(full);
                }
            }
        }
        _multiIndex = [.. multi];
        Seal();
        // Jets of the highest order that has a row, plus one to see whether f's next derivative vanishes.
        _checksNextOrder = m == 1 && f.Mode == DerivativeMode.Jet && HighestOrder == order;
        _jetOrder = _checksNextOrder ? order + 1 : Math.Max(HighestOrder, 1);
        _partials = m == 1 ? new double[problem.TotalVariables * (_jetOrder + 1)] : [];
    }

    private double[] _a = [];
    private int[] _entryOf = [];      // [(c * order + n - 1) * pd + p] -> the entry holding a_{n,p}(theta_c), or -1
    private int[] _source = [];       // [(c * order + n - 1) * pd + p] -> where a_{n,p}(theta_c) is among all copies' coefficients, or -1
    private int[] _degreeRow = [];    // [n - 1] -> the rule's row of order n in Coefficients' output (univariate: n = 1 .. order)
    private bool _dense;              // _entryOf[at] = at and _source[at] = c * width + (n - 1) P + p: each copy's entries are its rows 1 .. N

    /// <summary>
    /// a_{n,p}(theta) again for the problem's (changed) parameters, written over the rows' entries; false when a
    /// coefficient is zero where it was not or the reverse (the rows would differ), and then the entries are partly
    /// written: the caller restores the old parameters and calls again. Univariate rules only; allocates nothing after
    /// the first call. The entries' rounding bounds are not recomputed (a session does not report them).
    /// </summary>
    /// <param name="thetas">The same parameters copy-major in one span, when the caller has them so: a rule with
    /// <see cref="ICopyBatchedRule"/> then computes every copy's orders 1 .. N in one call (the same values as
    /// <see cref="IDistributionRule.Coefficients"/>, without its orders above N).</param>
    internal bool UpdateCoefficients(ReadOnlySpan<double> thetas = default)
    {
        if (_rule.Dimension != 1) return false;
        int pd = _rule.Differentiable.Count, rows = _rule.MultiIndices.Count, width = rows * pd;
        if (_entryOf.Length == 0) MapEntries(pd);
        var problemThetas = Problem.Thetas;
        int copies = problemThetas.Length;
        var batched = _rule as ICopyBatchedRule;
        if (thetas.Length != copies * _rule.Parameters.Count) batched = null;
        int size = batched is null ? width : copies * width;
        if (_a.Length != size) _a = new double[size];
        var coefficient = EntryCoefficient;
        if (batched is not null)
        {
            // Dense: the entries are the rows 1 .. N of each copy in order, so the rule writes them in place (a univariate
            // rule's rows go up in degree and it writes nothing above N); one scan then finds a zero or a non-finite value,
            // which the general loop below sorts out from the rows again.
            if (_dense)
            {
                int run = _order * pd;
                batched.CoefficientsOfCopies(thetas, copies, _order, coefficient, run);
                if (AllNonZeroFinite(coefficient)) return true;
            }
            batched.CoefficientsOfCopies(thetas, copies, _order, _a, width);
            return MoveBatched(coefficient, width);
        }
        var entryOf = _entryOf;
        var degreeRow = _degreeRow;
        for (int c = 0; c < copies; c++)
        {
            var a = _a.AsSpan();
            _rule.Coefficients(problemThetas[c], a);
            int at = c * _order * pd;
            for (int n = 1; n <= _order; n++)
            {
                int from = degreeRow[n - 1] * pd;
                for (int p = 0; p < pd; p++, at++)
                {
                    double value = from < 0 ? 0 : a[from + p];
                    int entry = entryOf[at];
                    // A row is kept for the non-zero coefficients only: a zero pattern that changes needs other rows.
                    if ((entry >= 0) != (value != 0)) return false;
                    if (entry < 0) continue;
                    if (!double.IsFinite(value)) EnsureFinite(_rule, problemThetas[c], a, _order);
                    coefficient[entry] = value;
                }
            }
        }
        return true;
    }

    // The batched form of the loop below, flat over (c, n, p) in the same order (the same result, the same first error):
    // a_{n,p}(theta_c) sits at _source[at] of the copies' coefficients, or nowhere (-1: the rule has no row of order n).
    private bool MoveBatched(double[] coefficient, int width)
    {
        var a = _a;
        var source = _source;
        var entryOf = _entryOf;
        int perCopy = _order * _rule.Differentiable.Count;
        for (int at = 0; at < source.Length; at++)
        {
            int from = source[at], entry = entryOf[at];
            double value = from < 0 ? 0 : a[from];
            // A row is kept for the non-zero coefficients only: a zero pattern that changes needs other rows.
            if ((entry >= 0) != (value != 0)) return false;
            if (entry < 0) continue;
            if (!double.IsFinite(value))
            {
                int c = at / perCopy;
                EnsureFinite(_rule, Problem.Thetas[c], a.AsSpan(c * width, width), _order);
            }
            coefficient[entry] = value;
        }
        return true;
    }

    private static bool AllNonZeroFinite(ReadOnlySpan<double> values)
    {
        // Four at a time (a session's training step scans every copy's coefficients): a value is refused when it equals 0
        // (either sign) or its exponent bits are all ones (an infinity or a NaN).
        var exponent = Vector256.Create(0x7FF0000000000000UL);
        var bad = Vector256<ulong>.Zero;
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            var v = Vector256.Create(values.Slice(i, 4));
            bad |= Vector256.Equals(v, Vector256<double>.Zero).AsUInt64() | Vector256.Equals(v.AsUInt64() & exponent, exponent);
        }
        if (!Vector256.EqualsAll(bad, Vector256<ulong>.Zero)) return false;
        for (; i < values.Length; i++)
            if (values[i] == 0 || !double.IsFinite(values[i])) return false;
        return true;
    }

    // Which entry holds a_{n,p}(theta_c), and where order n sits in the rule's coefficient rows: found once.
    private void MapEntries(int pd)
    {
        var indices = _rule.MultiIndices;
        _degreeRow = new int[_order];
        Array.Fill(_degreeRow, -1);
        for (int row = 0; row < indices.Count; row++)
            if (indices[row].Sum() is var n and >= 1 && n <= _order) _degreeRow[n - 1] = row;
        _entryOf = new int[Problem.Copies * _order * pd];
        Array.Fill(_entryOf, -1);
        _source = new int[_entryOf.Length];
        int width = indices.Count * pd;
        for (int c = 0, at = 0; c < Problem.Copies; c++)
            for (int n = 1; n <= _order; n++)
                for (int p = 0; p < pd; p++, at++) _source[at] = _degreeRow[n - 1] < 0 ? -1 : c * width + _degreeRow[n - 1] * pd + p;
        var slot = EntrySlot;
        var start = RowStart;
        for (int c = 0; c < Problem.Copies; c++)
            for (int n = 1; n <= _order; n++)
            {
                int row = _rowOf[c * _order + n - 1];
                if (row < 0) continue;
                for (int e = start[row]; e < start[row + 1]; e++) _entryOf[(c * _order + n - 1) * pd + slot[e] - c * pd] = e;
            }
        _dense = EntryCoefficient.Length == _source.Length;
        for (int at = 0; at < _source.Length && _dense; at++)
        {
            int c = at / (_order * pd), within = at % (_order * pd);
            if (_entryOf[at] != at || _source[at] != c * width + within) _dense = false;
        }
    }

    public override string Method => "series";

    public override bool ChecksNextOrder => _checksNextOrder;

    /// <summary>Univariate rules: the row of copy c's order-n derivative at <c>[c * order + n - 1]</c>, or -1 (the batched core reads it).</summary>
    internal ReadOnlySpan<int> RowOf => _rowOf;

    /// <summary>The order of the jets taken (one above N when the next order is checked for vanishing).</summary>
    internal int JetOrder => _jetOrder;

    internal int Order => _order;

    internal IDistributionRule Rule => _rule;

    public override string Quantity(int row) => _rule.Dimension == 1 ? base.Quantity(row)
        : $"the partial derivative of f of multi-index ({string.Join(",", _multiIndex[row])})";

    public override void Draw(RandomSource random, Span<double> z)
    {
        int m = _rule.Dimension;
        for (int c = 0; c < Problem.Copies; c++) _rule.Sample(Problem.Thetas[c], random, z.Slice(c * m, m));
    }

    public override void Evaluate(ReadOnlySpan<double> z, Span<double> rows)
    {
        if (_rule.Dimension > 1)
        {
            for (int r = 0; r < _multiIndex.Length; r++) rows[r] = _f.Partial(z, _multiIndex[r]);
            // Mixed partials need not show a NaN value of f (log of a negative number has finite derivatives).
            LastValue = _f.Value(z);
            return;
        }
        int stride = _jetOrder + 1;
        _f.PurePartials(z, _jetOrder, _partials);
        bool vanished = true;
        double value = 0;
        for (int c = 0; c < Problem.Copies; c++)
        {
            // f's value sits in every copy's slot 0; a non-finite one is reported even when no derivative shows it.
            if (!double.IsFinite(_partials[c * stride])) value = _partials[c * stride];
            for (int n = 1; n <= _order; n++)
            {
                int row = _rowOf[c * _order + n - 1];
                if (row >= 0) rows[row] = _partials[c * stride + n];
            }
            if (_checksNextOrder) vanished &= _partials[c * stride + _order + 1] == 0;
        }
        LastValue = value;
        NextOrderVanished = vanished;
    }
}

/// <summary>
/// Theorem 1 for a derived distribution (Beta, Dirichlet): each latent component <c>g_i ~ Rule(args_i(theta))</c>
/// contributes <c>sum_n a^{(i)}_{n,q}(args_i) E[d^n/dg_i^n f(value(g))]</c> to <c>dL/d args_{i,q}</c>, chained to theta
/// through <c>d args / d theta</c>. The derivatives along <c>g_i</c> come from jets pushed through <c>value</c> (or from
/// stencils on the composite when f is a black box).
/// </summary>
internal sealed class DerivedSeriesKernel : SeriesKernel
{
    private readonly Sampler _sampler;
    private readonly IDerivedRule _derived;
    private readonly Objective _f;
    private readonly int _order;
    private readonly int[] _rowOf;   // [component * order + n - 1] -> row or -1
    private readonly double[] _derivatives;
    private readonly Jet[] _latentJets, _valueJets;
    private readonly double[] _latents, _z;
    private readonly Func<double, double> _along;
    private int _component;

    public DerivedSeriesKernel(Problem problem, Sampler sampler, Objective f, int order) : base(problem)
    {
        _sampler = sampler;
        _derived = problem.Rule.Derived!;
        _f = f;
        _order = order;
        var components = sampler.Components;
        _rowOf = new int[components.Length * order];
        Array.Fill(_rowOf, -1);
        int g = problem.GradientPerCopy;
        Span<int> slots = stackalloc int[g];
        Span<double> chained = stackalloc double[g];
        Span<double> chainedErrors = stackalloc double[g];
        for (int i = 0; i < components.Length; i++)
        {
            var component = components[i];
            var rule = component.Rule;
            int pd = rule.Differentiable.Count;
            var a = new double[rule.MultiIndices.Count * pd];
            rule.Coefficients(component.Arguments, a);
            EnsureFinite(rule, component.Arguments, a, Math.Min(order, rule.Order));
            var errors = ErrorsOf(rule, component.Arguments, a.Length);
            for (int s = 0; s < g; s++) slots[s] = component.Copy * g + s;
            for (int n = 1; n <= Math.Min(order, rule.Order); n++)
            {
                for (int s = 0; s < g; s++) chained[s] = component.Chain(a.AsSpan((n - 1) * pd, pd), s);
                if (errors is not null)
                {
                    // The chain rule is a linear map: its absolute values carry the bounds.
                    for (int s = 0; s < g; s++) chainedErrors[s] = component.ChainAbsolute(errors.AsSpan((n - 1) * pd, pd), s);
                    _rowOf[i * order + n - 1] = AddRow(n, slots, chained, chainedErrors);
                }
                else _rowOf[i * order + n - 1] = AddRow(n, slots, chained);
            }
        }
        Seal();
        _derivatives = new double[order + 1];
        _latentJets = new Jet[sampler.LatentsPerCopy];
        _valueJets = new Jet[problem.TotalVariables];
        _latents = new double[sampler.Latents.Length];
        _z = new double[problem.TotalVariables];
        _along = Along;
    }

    public override string Method => "series";

    public override string Quantity(int row) => $"the derivative of order {RowOrder[row]} of f(value(g)) along a latent";

    public override void Draw(RandomSource random, Span<double> z) => _sampler.Draw(random, z);

    public override void Evaluate(ReadOnlySpan<double> z, Span<double> rows)
    {
        var components = _sampler.Components;
        int order = Math.Max(HighestOrder, 1);
        double value = 0;
        for (int i = 0; i < components.Length; i++)
        {
            if (_f.SupportsJets) JetDerivatives(z, i, order);
            else StencilDerivatives(z, i, order);
            if (!double.IsFinite(_derivatives[0])) value = _derivatives[0];
            for (int n = 1; n <= _order; n++)
            {
                int row = _rowOf[i * _order + n - 1];
                if (row >= 0) rows[row] = _derivatives[n];
            }
        }
        LastValue = value;
    }

    // d^n/dg_i^n f(value(g)) for n = 0..order: latent i seeded, the others constant, value and f over jets.
    private void JetDerivatives(ReadOnlySpan<double> z, int i, int order)
    {
        var arena = Derivatives.ArenaFor(order);
        var mark = arena.Mark();
        try
        {
            int copy = _sampler.Components[i].Copy, l = _sampler.LatentsPerCopy, v = Problem.Variables;
            var latents = _sampler.Latents;
            for (int k = 0; k < l; k++)
            {
                int index = copy * l + k;
                _latentJets[k] = index == i ? arena.Variable(latents[index]) : arena.Constant(latents[index]);
            }
            for (int j = 0; j < z.Length; j++)
                if (j / v != copy) _valueJets[j] = arena.Constant(z[j]);
            _derived.Value<Jet>(_latentJets, _valueJets.AsSpan(copy * v, v));
            var y = _f.Evaluate(_valueJets);
            y.CopyDerivativesTo(_derivatives.AsSpan(0, order + 1));
        }
        finally
        {
            arena.Release(mark);
            Array.Clear(_latentJets);
            Array.Clear(_valueJets);
        }
    }

    private void StencilDerivatives(ReadOnlySpan<double> z, int i, int order)
    {
        _sampler.Latents.CopyTo(_latents, 0);
        z.CopyTo(_z);
        _component = i;
        Derivatives.FromStencil(_along, _sampler.Latents[i], order, _derivatives.AsSpan(0, order + 1));
    }

    // f(value(g)) with latent _component set to x.
    private double Along(double x)
    {
        _latents[_component] = x;
        _sampler.ApplyValue(_sampler.Components[_component].Copy, _latents, _z);
        return _f.Value(_z);
    }
}
