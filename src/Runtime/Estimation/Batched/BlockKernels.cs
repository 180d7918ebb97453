using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>Draws and checks shared by the block workers.</summary>
internal static class BlockDraws
{
    /// <summary>z of copy-count univariate copies for samples [first, first + count): sample i from stream (seed, i), copies in order.</summary>
    public static void Draw(IDistributionRule rule, double[][] thetas, RandomSource random, long first, int count, ulong seed, Span<double> z, int stride)
    {
        Span<double> one = stackalloc double[1];
        for (int s = 0; s < count; s++)
        {
            random.SetStream(seed, (ulong)(first + s));
            for (int c = 0; c < thetas.Length; c++)
            {
                rule.Sample(thetas[c], random, one);
                z[c * stride + s] = one[0];
            }
        }
    }

    /// <summary>Sample s of a block as a vector (for error messages).</summary>
    public static double[] Point(ReadOnlySpan<double> z, int dimension, int stride, int s)
    {
        var point = new double[dimension];
        for (int j = 0; j < dimension; j++) point[j] = z[j * stride + s];
        return point;
    }

    public static bool AllFinite(ReadOnlySpan<double> values)
    {
        // Four at a time: a value is not finite exactly when its exponent bits are all ones (an infinity or a NaN).
        var exponent = Vector256.Create(0x7FF0000000000000UL);
        var bad = Vector256<ulong>.Zero;
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
            bad |= Vector256.Equals(Vector256.Create(values.Slice(i, 4)).AsUInt64() & exponent, exponent);
        if (!Vector256.EqualsAll(bad, Vector256<ulong>.Zero)) return false;
        for (; i < values.Length; i++)
            if (!double.IsFinite(values[i])) return false;
        return true;
    }
}

/// <summary>
/// Theorem 1 for a univariate continuous rule over a block: z drawn per sample and copy, every pure partial of f up to
/// the jet order in one block call, the rows <c>f^(n)(z_c)</c> copied out and the contributions
/// <c>sum_n a_{n,p}(theta_c) f^(n)(z_c)</c> formed row by row with the coefficients computed once per call (in
/// <see cref="DirectSeriesKernel"/>). Quantities: the rows, then the contributions (per order, cumulative, in auto mode).
/// </summary>
internal sealed class SeriesBlockKernel : BlockKernel
{
    private readonly string _estimator;
    private readonly DirectSeriesKernel _kernel;
    private readonly Objective _f;
    private readonly int _rows, _slots, _contributions, _orders;
    private readonly bool _perOrder, _tracksNextOrder;
    private readonly int _partialOrder;   // the order of the partials asked of f per block
    private readonly int[] _rowCopy, _rowN;
    private readonly int[] _entryRow;   // per entry: its row's f^(n)(z_c) among the partials, (n d + c)
    private readonly bool _compact;     // a session: the contributions are the only quantities, formed from the partials
    private readonly double[]? _stencil;   // per row: the stencil's error per unit |f| at unit scale (stencil mode)
    private readonly ulong _readOrders = ulong.MaxValue;   // a session: the orders its rows read (bit n: order n); f may skip the others

    /// <param name="tracksNextOrder">Whether workers see if f's derivatives of order N + 1 all vanish (the one-off estimate
    /// reports the series as exact then). A session reads no such flag, so it asks f for orders up to N only: a jet's
    /// coefficient of order n depends on no higher one, so the rows are the same numbers.</param>
    public SeriesBlockKernel(string estimator, DirectSeriesKernel kernel, Objective f, bool perOrder, bool tracksNextOrder = true)
    {
        _tracksNextOrder = tracksNextOrder && kernel.ChecksNextOrder;
        _partialOrder = kernel.ChecksNextOrder && !tracksNextOrder ? kernel.Order : kernel.JetOrder;
        _estimator = estimator;
        _kernel = kernel;
        _f = f;
        _rows = kernel.RowCount;
        _slots = kernel.Problem.GradientLength;
        _orders = Math.Max(kernel.Order, 1);
        _perOrder = perOrder;
        _contributions = perOrder ? _orders * _slots : _slots;
        _stencil = f.Mode == DerivativeMode.Stencil ? SeriesEngine.StencilScales(kernel) : null;
        _rowCopy = new int[_rows];
        _rowN = new int[_rows];
        var rowOf = kernel.RowOf;
        for (int c = 0; c < kernel.Problem.Copies; c++)
            for (int n = 1; n <= kernel.Order; n++)
                if (rowOf[c * kernel.Order + n - 1] is var r and >= 0) (_rowCopy[r], _rowN[r]) = (c, n);
        // A session reports the gradient alone: no row needs its own mean, so the rows stay in the partials.
        _compact = !tracksNextOrder && !perOrder && _stencil is null;
        // A session reads only its rows' orders, so f may compute those alone (the GLM does; the Laplace law has no odd row
        // above 1).
        if (_compact)
        {
            ulong orders = 0;
            for (int r = 0; r < _rows; r++) orders |= _rowN[r] < 64 ? 1UL << _rowN[r] : ulong.MaxValue;
            _readOrders = orders;
        }
        _entryRow = new int[kernel.EntrySlot.Length];
        int d = kernel.Problem.TotalVariables;
        for (int r = 0; r < _rows; r++)
            for (int e = kernel.RowStart[r]; e < kernel.RowStart[r + 1]; e++) _entryRow[e] = _rowN[r] * d + _rowCopy[r];
    }

    public DirectSeriesKernel Kernel => _kernel;

    // a_{n,p}(theta) into the rows' entries, in place; stencil scales were computed from the first theta, so stencils refuse.
    public override bool ParametersChanged() => _stencil is null && _kernel.UpdateCoefficients();

    // The same from the session's flat theta: every copy's coefficients in one call of the rule.
    public override bool ParametersChanged(ReadOnlySpan<double> thetas) => _stencil is null && _kernel.UpdateCoefficients(thetas);

    /// <summary>The rows, the contributions, then (stencils) each row's stencil error at the sample.</summary>
    public override int Quantities => _compact ? _contributions : _rows + _contributions + (_stencil is null ? 0 : _rows);

    /// <summary>Where the contributions start among the quantities.</summary>
    public int ContributionOffset => _compact ? 0 : _rows;

    public int Contributions => _contributions;

    /// <summary>Where the rows' stencil errors start, or -1 with jets.</summary>
    public int StencilOffset => _stencil is null ? -1 : _rows + _contributions;

    public override bool ThreadSafe => _f.BlockThreadSafe;

    public override BlockWorker NewWorker(int capacity) => new Worker(this, capacity);

    internal sealed class Worker : BlockWorker
    {
        private readonly SeriesBlockKernel _k;
        private readonly RandomSource _random = new(0);
        private readonly double[] _z, _partials, _values;
        private readonly LaneDrawer? _lanes;
        private readonly double[] _draws = [];

        public Worker(SeriesBlockKernel kernel, int capacity)
        {
            _k = kernel;
            int d = kernel._kernel.Problem.TotalVariables;
            _lanes = LaneDrawer.TryCreate(kernel._kernel.Rule, kernel._kernel.Problem.Thetas);
            if (_lanes is not null) _draws = new double[kernel._kernel.Problem.Copies * _lanes.Draws * capacity];
            _z = new double[d * capacity];
            _partials = new double[(kernel._kernel.JetOrder + 1) * d * capacity];
            _values = new double[capacity];
        }

        public override void ParametersChanged() => _lanes?.SetParameters(_k._kernel.Problem.Thetas);

        /// <summary>Whether every derivative of order N + 1 was exactly 0 at every sample this worker saw (reset by the caller).</summary>
        public bool NextOrderVanished { get; set; } = true;

        public override void Run(long first, int count, ulong seed, Span<double> q, int stride)
        {
            var k = _k._kernel;
            var problem = k.Problem;
            int d = problem.TotalVariables, jetOrder = _k._partialOrder, order = k.Order;
            if (_lanes is not null)
            {
                _lanes.Draw(seed, first, count, _draws, stride);
                _lanes.Map(problem.Thetas, _draws, count, stride, _z, problem.Variables);
            }
            else BlockDraws.Draw(k.Rule, problem.Thetas, _random, first, count, seed, _z, stride);
            var block = new SampleBlock(_z, d, count, stride);
            _k._f.ValuesAndPurePartials(block, jetOrder, _k._readOrders, _values.AsSpan(0, count), _partials);
            if (_k._compact)
            {
                Compact(first, count, q, stride);
                return;
            }
            // Rows: f^(n)(z_c), one contiguous run of the block per row.
            for (int r = 0; r < _k._rows; r++)
                _partials.AsSpan((_k._rowN[r] * d + _k._rowCopy[r]) * stride, count).CopyTo(q.Slice(r * stride, count));
            // Contributions: sum over rows of C_{r,p} times the row, an axpy per entry.
            var contributions = q.Slice(_k._rows * stride, _k._contributions * stride);
            for (int i = 0; i < _k._contributions; i++) contributions.Slice(i * stride, count).Clear();
            var rowStart = k.RowStart;
            var entrySlot = k.EntrySlot;
            var entryCoefficient = k.EntryCoefficient;
            var rowOrder = k.RowOrder;
            for (int r = 0; r < _k._rows; r++)
            {
                var row = q.Slice(r * stride, count);
                int offset = _k._perOrder ? (rowOrder[r] - 1) * _k._slots : 0;
                for (int e = rowStart[r]; e < rowStart[r + 1]; e++)
                {
                    double c = entryCoefficient[e];
                    var target = contributions.Slice((offset + entrySlot[e]) * stride, count);
                    for (int s = 0; s < count; s++) target[s] += c * row[s];
                }
            }
            if (_k._perOrder)
                for (int i = _k._slots; i < _k._contributions; i++)
                {
                    var target = contributions.Slice(i * stride, count);
                    var below = contributions.Slice((i - _k._slots) * stride, count);
                    for (int s = 0; s < count; s++) target[s] += below[s];
                }
            if (_k._tracksNextOrder && NextOrderVanished)
                for (int c = 0; c < d && NextOrderVanished; c++)
                {
                    var next = _partials.AsSpan(((order + 1) * d + c) * stride, count);
                    for (int s = 0; s < count; s++)
                        if (next[s] != 0) { NextOrderVanished = false; break; }
                }
            if (_k._stencil is { } stencil) StencilErrors(stencil, count, q, stride);
            Check(first, count, q, stride);
        }

        // The session's form: contribution (c, p) = sum_n a_{n,p}(theta_c) f^(n)(z_c), read from the partials entry by
        // entry (one pass over the non-zero coefficients; a sample's terms are added in the rows' order, as above).
        private void Compact(long first, int count, Span<double> q, int stride)
        {
            var k = _k._kernel;
            int slots = _k._slots;
            q[..(slots * stride)].Clear();
            var entrySlot = k.EntrySlot;
            var entryCoefficient = k.EntryCoefficient;
            var entryRow = _k._entryRow;
            var partials = _partials.AsSpan();
            if (count == 1)
            {
                // One sample (a training step): no row loop to set up per entry.
                for (int e = 0; e < entrySlot.Length; e++) q[entrySlot[e] * stride] += entryCoefficient[e] * partials[entryRow[e] * stride];
            }
            else
                for (int e = 0; e < entrySlot.Length; e++)
                {
                    double c = entryCoefficient[e];
                    var row = partials.Slice(entryRow[e] * stride, count);
                    var target = q.Slice(entrySlot[e] * stride, count);
                    for (int s = 0; s < count; s++) target[s] += c * row[s];
                }
            bool finite = BlockDraws.AllFinite(_values.AsSpan(0, count));
            // A full block's rows are one run of the quantities: one scan.
            if (count == stride) finite = finite && BlockDraws.AllFinite(q[..(slots * stride)]);
            else
                for (int i = 0; i < slots && finite; i++) finite = BlockDraws.AllFinite(q.Slice(i * stride, count));
            if (!finite) Check(first, count, q, stride);
        }

        // Row r's value at block sample s: a quantity, or (a session) its partial.
        private double RowValue(Span<double> q, int r, int s, int stride) =>
            _k._compact ? _partials[(_k._rowN[r] * _k._kernel.Problem.TotalVariables + _k._rowCopy[r]) * stride + s] : q[r * stride + s];

        // Each row's stencil rounding error at each sample, 2 eps sum_i |w_i| |f| / h^m with the step h_m = eps^(1/(m+4))
        // max(1, |z_j|): the smallest max(1, |z_j|) over the coordinates gives the largest error (the scalar loop's rule).
        private void StencilErrors(double[] stencil, int count, Span<double> q, int stride)
        {
            var k = _k._kernel;
            int d = k.Problem.TotalVariables, offset = _k.StencilOffset;
            for (int s = 0; s < count; s++)
            {
                double size = Math.Abs(_values[s]), scale = double.PositiveInfinity;
                for (int j = 0; j < d; j++) scale = Math.Min(scale, Math.Max(1, Math.Abs(_z[j * stride + s])));
                for (int r = 0; r < _k._rows; r++)
                    q[(offset + r) * stride + s] = k.DerivativeOrder(r) is { } m and > 0 ? stencil[r] * size / Math.Pow(scale, m) : 0;
            }
        }

        // The scalar loop's checks in its order (per sample: f, each row, the contribution), run sample by sample only when
        // something in the block is not finite.
        private void Check(long first, int count, Span<double> q, int stride)
        {
            bool finite = BlockDraws.AllFinite(_values.AsSpan(0, count));
            for (int i = 0; i < _k.ContributionOffset + _k._contributions && finite; i++) finite = BlockDraws.AllFinite(q.Slice(i * stride, count));
            if (finite) return;
            var k = _k._kernel;
            int offset = _k.ContributionOffset;
            int d = k.Problem.TotalVariables;
            for (int s = 0; s < count; s++)
            {
                if (!double.IsFinite(_values[s]))
                    throw new NonFiniteValueException(_k._estimator, "f", _values[s], first + s, BlockDraws.Point(_z, d, stride, s), 0);
                for (int r = 0; r < _k._rows; r++)
                {
                    double v = RowValue(q, r, s, stride);
                    if (!double.IsFinite(v))
                        throw new NonFiniteValueException(_k._estimator, k.Quantity(r), v, first + s, BlockDraws.Point(_z, d, stride, s), k.DerivativeOrder(r),
                            k.DerivativeOrder(r) is > 1 and var n ? $"if only high orders overflow, --order {n - 1} or less may do" : null);
                }
                for (int i = 0; i < _k._contributions; i++)
                    if (!double.IsFinite(q[(offset + i) * stride + s]))
                        throw new NonFiniteValueException(_k._estimator, "the sample's contribution to the gradient", q[(offset + i) * stride + s], first + s, BlockDraws.Point(_z, d, stride, s));
            }
        }
    }
}

/// <summary>
/// The exact resummed rules over a block: per sample, z for every copy, then for each copy, parameter and term a shift
/// U from the term's auxiliary law; per term one block call <c>f^(j)(z + U e_c)</c> for every coordinate at once
/// (<see cref="Objective.CoordinatePartials(SampleBlock, ReadOnlySpan{double}, int, Span{double})"/>: O(1) per coordinate
/// for a separable f), weighted by <c>C_term(theta_c)</c> computed once per call. Quantities: the contributions.
/// Terms of order 0 (differences of f) stay on the scalar loop.
/// </summary>
internal sealed class ResummedBlockKernel : BlockKernel
{
    private readonly string _estimator;
    private readonly Problem _problem;
    private readonly IDistributionRule _rule;
    private readonly IResummedRule _resummed;
    private readonly Objective _f;
    private readonly int _g, _terms;
    private readonly int[] _termSlot, _termIndex, _termOrder;   // per flattened term (p, t)
    private readonly double[] _coefficient;                     // [c * terms + k]

    private ResummedBlockKernel(string estimator, Problem problem, Objective f)
    {
        _estimator = estimator;
        _problem = problem;
        _rule = problem.Rule.Direct!;
        _resummed = (IResummedRule)_rule;
        _f = f;
        _g = problem.GradientPerCopy;
        var slot = new List<int>();
        var index = new List<int>();
        var order = new List<int>();
        for (int p = 0; p < _g; p++)
            for (int t = 0; t < _resummed.TermCount(p); t++)
            {
                slot.Add(p);
                index.Add(t);
                order.Add(_resummed.DerivativeOrder(p, t));
            }
        (_termSlot, _termIndex, _termOrder) = ([.. slot], [.. index], [.. order]);
        _terms = _termSlot.Length;
        // C_term(theta_c) does not depend on z: once per call and copy.
        _coefficient = new double[problem.Copies * _terms];
        for (int c = 0; c < problem.Copies; c++)
            for (int k = 0; k < _terms; k++) _coefficient[c * _terms + k] = _resummed.TermCoefficient(problem.Thetas[c], _termSlot[k], _termIndex[k]);
    }

    /// <summary>The batched form, or null when a term is a difference of f (order 0), which the scalar loop takes by jets near 0.</summary>
    public static ResummedBlockKernel? TryCreate(string estimator, Problem problem, Objective f)
    {
        if (problem.Rule.Direct is not IResummedRule resummed || problem.Variables != 1) return null;
        for (int p = 0; p < problem.GradientPerCopy; p++)
            for (int t = 0; t < resummed.TermCount(p); t++)
                if (resummed.DerivativeOrder(p, t) == 0) return null;
        return new ResummedBlockKernel(estimator, problem, f);
    }

    public override int Quantities => _problem.GradientLength;

    public override bool ThreadSafe => _f.BlockThreadSafe;

    public override BlockWorker NewWorker(int capacity) => new Worker(this, capacity);

    // C_term(theta_c) again for the new parameters: every copy in one call of the rule when it numbers its terms as we do
    // (the same code as TermCoefficient, so the same values).
    public override bool ParametersChanged(ReadOnlySpan<double> thetas)
    {
        if (_rule is not ICopyBatchedRule batched || thetas.Length != _problem.Copies * _rule.Parameters.Count || !BatchedTermsAgree(batched, thetas))
            return ParametersChanged();
        batched.TermCoefficientsOfCopies(thetas, _problem.Copies, _coefficient);
        return true;
    }

    private bool? _batchedTerms;

    // Once: the batched terms are ours (the same count and order), checked value by value at the first parameters.
    private bool BatchedTermsAgree(ICopyBatchedRule batched, ReadOnlySpan<double> thetas)
    {
        if (_batchedTerms is { } known) return known;
        int copies = _problem.Copies;
        var values = new double[copies * _terms];
        batched.TermCoefficientsOfCopies(thetas, copies, values);
        bool agree = true;
        for (int c = 0; c < copies && agree; c++)
            for (int k = 0; k < _terms; k++)
            {
                double one = _resummed.TermCoefficient(thetas.Slice(c * _rule.Parameters.Count, _rule.Parameters.Count), _termSlot[k], _termIndex[k]);
                if (BitConverter.DoubleToInt64Bits(one) != BitConverter.DoubleToInt64Bits(values[c * _terms + k])) agree = false;
            }
        _batchedTerms = agree;
        return agree;
    }

    public override bool ParametersChanged()
    {
        for (int c = 0; c < _problem.Copies; c++)
            for (int k = 0; k < _terms; k++) _coefficient[c * _terms + k] = _resummed.TermCoefficient(_problem.Thetas[c], _termSlot[k], _termIndex[k]);
        return true;
    }

    private sealed class Worker(ResummedBlockKernel k, int capacity) : BlockWorker, LaneDrawer.IAfter
    {
        public override void ParametersChanged() => _lanes?.SetParameters(k._problem.Thetas);

        public override void ParametersChanged(ReadOnlySpan<double> thetas) => _lanes?.SetParameters(k._problem.Thetas, thetas);

        private readonly RandomSource _random = new(0);
        private readonly double[] _z = new double[k._problem.Copies * capacity];
        private readonly double[] _x = new double[k._terms * k._problem.Copies * capacity];
        private readonly double[] _result = new double[k._problem.Copies * capacity];
        private readonly double[] _values = new double[capacity];
        private readonly LaneDrawer? _lanes = LanesWithShifts(k);
        private double[] _draws = [];
        private int _stride;

        private static LaneDrawer? LanesWithShifts(ResummedBlockKernel k)
        {
            var lanes = LaneDrawer.TryCreate(k._rule, k._problem.Thetas);
            lanes?.TryEnableShifts(k._rule, k._termSlot, k._termIndex, k._problem.Thetas);
            return lanes;
        }

        // Stream L of sample s, after its z draws: the shifts of its copies (L, L + 8, ...), per copy parameter by term.
        public void Continue(int s, int lane, int width, RandomSource random)
        {
            int copies = k._problem.Copies, terms = k._terms;
            var thetas = k._problem.Thetas;
            for (int c = lane; c < copies; c += LaneDrawer.Lanes)
                for (int t = 0; t < terms; t++)
                    _x[(t * copies + c) * _stride + s] = k._resummed.SampleShift(thetas[c], k._termSlot[t], k._termIndex[t], random);
        }

        public override void Run(long first, int count, ulong seed, Span<double> q, int stride)
        {
            int copies = k._problem.Copies, terms = k._terms, g = k._g;
            var thetas = k._problem.Thetas;
            if (_lanes is not null)
            {
                if (_draws.Length < copies * _lanes.Draws * stride) _draws = new double[copies * _lanes.Draws * stride];
                _stride = stride;
                if (_lanes.DrawsShifts) _lanes.Draw(seed, first, count, _draws, stride, _x.AsSpan(0, terms * copies * stride));
                else _lanes.Draw(seed, first, count, _draws, stride, this, _random);
                _lanes.Map(thetas, _draws, count, stride, _z, 1);
                // x = z + U: the shifts were drawn on their own; the point is the copy's z moved by them.
                if (count == stride)
                {
                    // Full rows: each term's shifts and z are one run of copies * count values.
                    int run = copies * count;
                    var z = _z.AsSpan(0, run);
                    for (int t = 0; t < terms; t++)
                    {
                        var x = _x.AsSpan(t * run, run);
                        for (int i = 0; i < run; i++) x[i] += z[i];
                    }
                }
                else
                    for (int t = 0; t < terms; t++)
                        for (int c = 0; c < copies; c++)
                        {
                            var x = _x.AsSpan((t * copies + c) * stride, count);
                            var z = _z.AsSpan(c * stride, count);
                            for (int s = 0; s < count; s++) x[s] += z[s];
                        }
            }
            else Scalar(first, count, seed, stride);
            Evaluate(first, count, q, stride);
        }

        private void Scalar(long first, int count, ulong seed, int stride)
        {
            int copies = k._problem.Copies, terms = k._terms;
            var thetas = k._problem.Thetas;
            Span<double> one = stackalloc double[1];
            for (int s = 0; s < count; s++)
            {
                _random.SetStream(seed, (ulong)(first + s));
                for (int c = 0; c < copies; c++)
                {
                    k._rule.Sample(thetas[c], _random, one);
                    _z[c * stride + s] = one[0];
                }
                // Shifts in the scalar loop's order: copy, parameter, term.
                for (int c = 0; c < copies; c++)
                    for (int t = 0; t < terms; t++)
                        _x[(t * copies + c) * stride + s] = _z[c * stride + s] + k._resummed.SampleShift(thetas[c], k._termSlot[t], k._termIndex[t], _random);
            }
        }

        private void Evaluate(long first, int count, Span<double> q, int stride)
        {
            int copies = k._problem.Copies, terms = k._terms, g = k._g;
            var block = new SampleBlock(_z, copies, count, stride);
            // The terms need f only at shifted points, but an f that is NaN or infinite at a sample has no expectation to differentiate.
            k._f.Values(block, _values.AsSpan(0, count));
            for (int s = 0; s < count; s++)
                if (!double.IsFinite(_values[s])) throw new NonFiniteValueException(k._estimator, "f", _values[s], first + s, BlockDraws.Point(_z, copies, stride, s), 0);
            if (count == stride) q[..(copies * g * stride)].Clear();
            else
                for (int i = 0; i < copies * g; i++) q.Slice(i * stride, count).Clear();
            for (int t = 0; t < terms; t++)
            {
                int j = k._termOrder[t], p = k._termSlot[t];
                k._f.CoordinatePartials(block, _x.AsSpan(t * copies * stride, copies * stride), j, _result);
                if (count == 1 && stride == 1)
                {
                    // One sample in a one-sample block (a training step): a row is one value a copy, the copies' values
                    // in a run, checked four at a time first; a non-finite one is named by the loop below.
                    ReadOnlySpan<double> result = _result.AsSpan(0, copies);
                    if (BlockDraws.AllFinite(result))
                    {
                        ReadOnlySpan<double> coefficients = k._coefficient;
                        for (int c = 0, at = p, from = t; c < result.Length; c++, at += g, from += terms)
                            q[at] += coefficients[from] * result[c];
                        continue;
                    }
                }
                for (int c = 0; c < copies; c++)
                {
                    double coefficient = k._coefficient[c * terms + t];
                    var derivative = _result.AsSpan(c * stride, count);
                    var target = q.Slice((c * g + p) * stride, count);
                    for (int s = 0; s < count; s++) target[s] += coefficient * derivative[s];
                    if (!BlockDraws.AllFinite(derivative))
                        for (int s = 0; s < count; s++)
                            if (!double.IsFinite(derivative[s]))
                                throw new NonFiniteValueException(k._estimator, $"f^({j}) at a shifted point", derivative[s], first + s, BlockDraws.Point(_z, copies, stride, s), j);
                }
            }
            if (count == stride && BlockDraws.AllFinite(q[..(copies * g * stride)])) return;
            for (int i = 0; i < copies * g; i++)
                if (!BlockDraws.AllFinite(q.Slice(i * stride, count)))
                    for (int s = 0; s < count; s++)
                        if (!double.IsFinite(q[i * stride + s]))
                            throw new NonFiniteValueException(k._estimator, "the sample's contribution to the gradient", q[i * stride + s], first + s, BlockDraws.Point(_z, copies, stride, s));
        }
    }
}

/// <summary>
/// The pathwise baseline of a direct rule over a block: z and dz/dtheta drawn per sample and copy, the gradient of f for
/// the block in one call (order-1 partials), the contributions <c>sum_d df/dz_d dz_d/dtheta_p</c>. Quantities: the contributions.
/// </summary>
internal sealed class PathwiseBlockKernel(string estimator, Problem problem, Objective f) : BlockKernel
{
    private readonly IDistributionRule _rule = problem.Rule.Direct!;
    private readonly Problem _problem = problem;
    private readonly Objective _f = f;
    private readonly string _estimator = estimator;

    public override int Quantities => _problem.GradientLength;

    public override bool ThreadSafe => _f.BlockThreadSafe;

    public override BlockWorker NewWorker(int capacity) => new Worker(this, capacity);

    private sealed class Worker(PathwiseBlockKernel k, int capacity) : BlockWorker
    {
        private readonly RandomSource _random = new(0);
        private readonly double[] _z = new double[k._problem.TotalVariables * capacity];
        private readonly double[] _dz = new double[k._problem.TotalVariables * k._problem.GradientPerCopy * capacity];
        private readonly double[] _partials = new double[2 * k._problem.TotalVariables * capacity];
        private readonly double[] _values = new double[capacity];
        private readonly double[] _one = new double[k._problem.Variables], _dOne = new double[k._problem.Variables * k._problem.GradientPerCopy];
        private readonly LaneDrawer? _lanes = LaneDrawer.TryCreate(k._rule, k._problem.Thetas);
        private double[] _draws = [], _shape = [];

        public override void ParametersChanged() => _lanes?.SetParameters(k._problem.Thetas);

        public override void Run(long first, int count, ulong seed, Span<double> q, int stride)
        {
            var problem = k._problem;
            int v = problem.Variables, g = problem.GradientPerCopy, total = problem.TotalVariables;
            if (_lanes is not null) Lanes(first, count, seed, stride);
            else Scalar(first, count, seed, stride);
            Evaluate(first, count, q, stride);
        }

        // The draws in lanes, then per copy: dg/dk of each gamma draw over the row at the copy's shape, and z, dz/dtheta.
        private void Lanes(long first, int count, ulong seed, int stride)
        {
            var problem = k._problem;
            var lanes = _lanes!;
            int v = problem.Variables, g = problem.GradientPerCopy, n = lanes.Draws;
            if (_draws.Length < problem.Copies * n * stride)
            {
                _draws = new double[problem.Copies * n * stride];
                _shape = new double[n * stride];
            }
            lanes.Draw(seed, first, count, _draws, stride);
            for (int c = 0; c < problem.Copies; c++)
            {
                var draws = _draws.AsSpan(c * n * stride, n * stride);
                for (int i = 0; i < n; i++)
                    if (lanes.Kinds[i] == Rules.LaneDraw.Gamma)
                        GammaShapeDerivative.Row(lanes.Argument(c, i), draws.Slice(i * stride, count), _shape.AsSpan(i * stride, count));
                lanes.Rule.SamplePathwiseFromDraws(problem.Thetas[c], draws, _shape, count, stride, _z.AsSpan(c * v * stride), _dz.AsSpan(c * v * g * stride));
            }
        }

        private void Scalar(long first, int count, ulong seed, int stride)
        {
            var problem = k._problem;
            int v = problem.Variables, g = problem.GradientPerCopy;
            for (int s = 0; s < count; s++)
            {
                _random.SetStream(seed, (ulong)(first + s));
                for (int c = 0; c < problem.Copies; c++)
                {
                    k._rule.SamplePathwise(problem.Thetas[c], _random, _one, _dOne);
                    for (int d = 0; d < v; d++)
                    {
                        _z[(c * v + d) * stride + s] = _one[d];
                        for (int p = 0; p < g; p++) _dz[((c * v + d) * g + p) * stride + s] = _dOne[d * g + p];
                    }
                }
            }
        }

        private void Evaluate(long first, int count, Span<double> q, int stride)
        {
            var problem = k._problem;
            int v = problem.Variables, g = problem.GradientPerCopy, total = problem.TotalVariables;
            var block = new SampleBlock(_z, total, count, stride);
            k._f.ValuesAndPurePartials(block, 1, _values.AsSpan(0, count), _partials);
            for (int s = 0; s < count; s++)
                if (!double.IsFinite(_values[s])) throw new NonFiniteValueException(k._estimator, "f", _values[s], first + s, BlockDraws.Point(_z, total, stride, s), 0);
            for (int c = 0; c < problem.Copies; c++)
                for (int p = 0; p < g; p++)
                {
                    var target = q.Slice((c * g + p) * stride, count);
                    target.Clear();
                    for (int d = 0; d < v; d++)
                    {
                        var slope = _partials.AsSpan((total + c * v + d) * stride, count);
                        var dz = _dz.AsSpan(((c * v + d) * g + p) * stride, count);
                        for (int s = 0; s < count; s++) target[s] += slope[s] * dz[s];
                    }
                }
            for (int i = 0; i < problem.GradientLength; i++)
                if (!BlockDraws.AllFinite(q.Slice(i * stride, count)))
                    for (int s = 0; s < count; s++)
                        if (!double.IsFinite(q[i * stride + s]))
                            throw new NonFiniteValueException(k._estimator, "the sample's contribution to the gradient", q[i * stride + s], first + s, BlockDraws.Point(_z, total, stride, s));
        }
    }
}
