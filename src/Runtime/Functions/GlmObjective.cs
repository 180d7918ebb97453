using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>
/// A linear-predictor (GLM) objective over a data matrix: <c>f(w) = scale sum_{n in batch} g(y_n, x_n . w)</c>, with
/// <c>d^k f / dw_j^k = scale sum_n x_nj^k g^(k)(y_n, x_n . w)</c> (and <c>prod_j x_nj^{k_j} g^(|k|)</c> for mixed partials).
/// </summary>
/// <remarks>
/// <para>Each evaluation computes <c>eta = X w</c> once, then <c>g^(k)(eta)</c> per order for the whole batch (one
/// vectorised pass per order for <see cref="GlmLink.Logistic"/>), then one pass over the features per order against the
/// powers <c>x_nj^k</c>, which are computed once per batch. The rules that shift one coordinate reuse eta: shifting
/// <c>w_j</c> by delta shifts <c>eta_n</c> by <c>x_nj delta</c>, so a shifted partial costs O(batch), not a new <c>X w</c>.</para>
/// <para><see cref="SelectRows"/> picks a mini-batch (gathering its rows once, not per call) and sets the scale to
/// <c>N / batch</c>, so f is an unbiased estimate of the sum over all N rows. Like every objective, use one instance
/// from one thread at a time.</para>
/// </remarks>
public sealed class GlmObjective : Objective
{
    private const int Lanes = 4;

    private readonly double[] _x;   // all rows, row-major: x[n * d + j]
    private readonly double[] _y;
    private readonly int _rows, _d;
    private readonly GlmLink _link;

    // The current batch, column-major and padded to a multiple of Lanes with zero rows: xt[j * bp + n].
    private int _batch, _bp;
    private int[] _batchRow = [];   // the data row in each slot (its features are contiguous in _x)
    private double[] _xt = [], _yb = [], _sign = [];   // _sign: +1 for a positive label, -1 otherwise (the logistic fast path)
    private readonly List<double[]> _powers = [];   // _powers[k - 1][j * bp + n] = x_nj^k, built on demand per batch

    // The last point: eta = X w there, and which orders of g^(k)(eta) are held in _h[k * bp + n].
    private double[] _w = [], _eta = [], _h = [], _shifted = [], _hShifted = [], _point = [];
    private bool _haveEta;
    private ulong _haveOrders;

    internal GlmObjective(double[] rowMajor, int rows, int features, double[] y, GlmLink link, double scale)
    {
        _x = rowMajor;
        _rows = rows;
        _d = features;
        _y = y;
        _link = link;
        SelectAllRows(scale);
    }

    /// <summary>Builds the objective from rows of features (each row one data point), checking every value.</summary>
    internal static GlmObjective Create(double[][] x, double[] y, GlmLink link, double scale)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(link);
        if (x.Length == 0) throw new ArgumentException("A GLM objective needs at least one data row.", nameof(x));
        if (x[0] is null || x[0].Length == 0) throw new ArgumentException("Data row 0 has no features.", nameof(x));
        int d = x[0].Length;
        var flat = new double[x.Length * d];
        for (int n = 0; n < x.Length; n++)
        {
            if (x[n] is null || x[n].Length != d)
                throw new ArgumentException($"Data row {n} has {x[n]?.Length ?? 0} features, row 0 has {d}.", nameof(x));
            x[n].CopyTo(flat, n * d);
        }
        return Create(flat, x.Length, d, y, link, scale);
    }

    internal static GlmObjective Create(double[,] x, double[] y, GlmLink link, double scale)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rows = x.GetLength(0), d = x.GetLength(1);
        if (rows == 0 || d == 0) throw new ArgumentException($"A GLM objective needs at least one row and one feature (got {rows} x {d}).", nameof(x));
        var flat = new double[rows * d];
        for (int n = 0; n < rows; n++)
            for (int j = 0; j < d; j++) flat[n * d + j] = x[n, j];
        return Create(flat, rows, d, y, link, scale);
    }

    private static GlmObjective Create(double[] flat, int rows, int d, double[] y, GlmLink link, double scale)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(link);
        if (y.Length != rows) throw new ArgumentException($"{rows} data rows but {y.Length} labels.", nameof(y));
        for (int n = 0; n < rows; n++)
            for (int j = 0; j < d; j++)
                if (!double.IsFinite(flat[n * d + j]))
                    throw new ArgumentException($"Feature {j} of data row {n} is {flat[n * d + j].ToString(CultureInfo.InvariantCulture)}: features must be finite.", "x");
        for (int n = 0; n < rows; n++)
            if (link.CheckLabel(y[n]) is { } why) throw new ArgumentException($"Label of data row {n}: {why}.", nameof(y));
        CheckScale(scale);
        return new GlmObjective(flat, rows, d, (double[])y.Clone(), link, scale);
    }

    private static void CheckScale(double scale)
    {
        if (!double.IsFinite(scale) || scale == 0)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale of a GLM objective must be finite and not 0.");
    }

    /// <summary>Number of data rows N.</summary>
    public int Rows => _rows;

    /// <summary>Number of features d (the dimension of w).</summary>
    public int Features => _d;

    /// <summary>Number of rows in the current batch.</summary>
    public int BatchSize => _batch;

    /// <summary>The factor in front of the sum (1 over all rows; <c>N / batch</c> after <see cref="SelectRows"/> unless given).</summary>
    public double Scale { get; private set; }

    /// <summary>The link g.</summary>
    public GlmLink Link => _link;

    public override int? Arity => _d;
    public override bool SupportsJets => _link.SupportsJets;

    /// <summary>Uses every row, with the given scale (1: the plain sum).</summary>
    public void SelectAllRows(double scale = 1)
    {
        CheckScale(scale);
        Resize(_rows);
        for (int n = 0; n < _rows; n++) Put(n, n);
        Scale = scale;
    }

    /// <summary>
    /// Uses the mini-batch <paramref name="rows"/> (repeats allowed) until the next selection. Their features are gathered
    /// once here (every later evaluation reads the gathered copy); the scale becomes <paramref name="scale"/>, by default
    /// <c>N / batch</c> (the batch sum then estimates the sum over all rows without bias). Allocates nothing once the
    /// buffers have grown to the batch size.
    /// </summary>
    public void SelectRows(ReadOnlySpan<int> rows, double? scale = null)
    {
        if (rows.Length == 0) throw new ArgumentException("A batch needs at least one row.", nameof(rows));
        for (int i = 0; i < rows.Length; i++)
            if ((uint)rows[i] >= (uint)_rows)
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"Batch entry {i} is row {rows[i]}, outside the data's rows 0..{_rows - 1}.");
        double s = scale ?? (double)_rows / rows.Length;
        CheckScale(s);
        Resize(rows.Length);
        for (int i = 0; i < rows.Length; i++) Put(i, rows[i]);
        FindTwins(rows);
        Scale = s;
    }

    // Repeated rows of a batch (drawn with replacement: about 3 repeats in 64 of 569 rows). A repeat has the first
    // occurrence's x, so its eta and every term built from them are the same numbers: the curvature kernel
    // (CurvatureRow) computes such a term once and adds it again at the repeat's place in the sum, whose order is kept.
    // _twin[n]: -1 (a row without repeats), 2k (the first occurrence of a repeated row: keep its term in slot k) or
    // 2k + 1 (a repeat: add slot k's term). _slotOfRow: scratch, one entry per data row, -1 between calls.
    private int[] _twin = [], _slotOfRow = [];
    private int _twinSlots;

    private void FindTwins(ReadOnlySpan<int> rows)
    {
        if (_twin.Length < rows.Length) _twin = new int[rows.Length];
        if (_slotOfRow.Length < _rows) { _slotOfRow = new int[_rows]; Array.Fill(_slotOfRow, -1); }
        int slots = 0;
        for (int n = 0; n < rows.Length; n++)
        {
            _twin[n] = -1;
            int first = _slotOfRow[rows[n]];
            if (first < 0) { _slotOfRow[rows[n]] = n; continue; }
            if (_twin[first] < 0) _twin[first] = 2 * slots++;
            _twin[n] = _twin[first] + 1;
        }
        for (int n = 0; n < rows.Length; n++) _slotOfRow[rows[n]] = -1;
        _twinSlots = slots;
    }

    private void Resize(int batch)
    {
        int bp = (batch + Lanes - 1) / Lanes * Lanes;
        if (_xt.Length < _d * bp) _xt = new double[_d * bp];
        if (_yb.Length < bp) { _yb = new double[bp]; _sign = new double[bp]; _batchRow = new int[bp]; }
        _batch = batch;
        _bp = bp;
        _twinSlots = 0;
        // Padding rows have x = 0 (they add nothing to any derivative of order >= 1; values sum only the real rows) and a
        // valid label.
        Array.Clear(_xt, 0, _d * bp);
        Array.Fill(_yb, 1.0, 0, bp);
        Array.Fill(_sign, 1.0, 0, bp);
        _builtPowers = 1;
        _labelsFor = -1;
        _haveEta = false;
        _blockCount = -1;
        _haveOrders = 0;
    }

    private void Put(int slot, int row)
    {
        for (int j = 0; j < _d; j++) _xt[j * _bp + slot] = _x[row * _d + j];
        _yb[slot] = _y[row];
        _batchRow[slot] = row;
        _sign[slot] = _y[row] > 0 ? 1 : -1;
    }

    private int _builtPowers = 1;

    // x_nj^k for the current batch, as one row per feature: k = 1 is the batch itself.
    private ReadOnlySpan<double> Power(int k, int j) => Powers(k).Slice(j * _bp, _bp);

    // Every feature's row of x_nj^k (d rows of bp).
    private ReadOnlySpan<double> Powers(int k)
    {
        if (k == 1) return _xt.AsSpan(0, _d * _bp);
        while (_builtPowers < k)
        {
            int next = _builtPowers + 1, size = _d * _bp;
            while (_powers.Count < next - 1) _powers.Add([]);
            if (_powers[next - 2].Length < size) _powers[next - 2] = new double[size];
            var previous = next == 2 ? _xt : _powers[next - 3];
            var target = _powers[next - 2];
            for (int i = 0; i < size; i++) target[i] = previous[i] * _xt[i];
            _builtPowers = next;
        }
        return _powers[k - 2].AsSpan(0, _d * _bp);
    }

    // ------------------------------------------------------------------ eta and g^(k) at the last point

    private void EnsureEta(ReadOnlySpan<double> w)
    {
        if (w.Length != _d) throw new ArgumentException($"w has {w.Length} values, the GLM has {_d} features.", nameof(w));
        // The same point as the last call (the estimators ask for the value, then partials, at one sample): keep eta.
        if (_haveEta && MemoryMarshal.AsBytes(w).SequenceEqual(MemoryMarshal.AsBytes(_w.AsSpan(0, _d)))) return;
        if (_w.Length < _d) _w = new double[_d];
        w.CopyTo(_w);
        if (_eta.Length < _bp) _eta = new double[_bp];
        var eta = _eta.AsSpan(0, _bp);
        eta.Clear();
        // eta = sum_j w_j x_.j: one axpy per feature over the batch column.
        for (int j = 0; j < _d; j++) Axpy(w[j], _xt.AsSpan(j * _bp, _bp), eta);
        _haveEta = true;
        _haveOrders = 0;
    }

    // g^(k)(eta) for k = 0..order held in _h (computed together for those not yet held).
    private void EnsureOrders(int lowest, int highest)
    {
        CheckOrder(highest);
        // f and f' share their exponential (the estimators ask for both at every sample: the value is their finiteness
        // check), so a request for one computes the other too.
        if (highest == 0 && _link.MaxOrder >= 1) highest = 1;
        if (highest == 1) lowest = 0;
        ulong wanted = Mask(lowest, highest);
        if ((_haveOrders & wanted) == wanted) return;
        int rows = highest + 1;
        if (_h.Length < rows * _bp)
        {
            var grown = new double[Math.Max(rows * _bp, 2 * _h.Length)];
            _h.AsSpan().CopyTo(grown);
            _h = grown;
        }
        // Only the missing range is computed: from the lowest order not held to the highest requested.
        int from = lowest;
        while (from <= highest && (_haveOrders & (1UL << from)) != 0) from++;
        _link.Derivatives(_yb.AsSpan(0, _batch), _eta.AsSpan(0, _batch), from, highest, _h.AsSpan(from * _bp), _bp);
        for (int k = from; k <= highest; k++) ClearPadding(_h.AsSpan(k * _bp, _bp));
        _haveOrders |= Mask(from, highest);
    }

    private void CheckOrder(int order)
    {
        if (order < 0 || order > Math.Min(_link.MaxOrder, 63))
            throw new ArgumentOutOfRangeException(nameof(order), order, $"The GLM objective gives derivatives of order 0..{Math.Min(_link.MaxOrder, 63)}.");
    }

    private static ulong Mask(int lowest, int highest) => (highest >= 63 ? ulong.MaxValue : (1UL << (highest + 1)) - 1) & ~((1UL << lowest) - 1);

    private ReadOnlySpan<double> H(int k) => _h.AsSpan(k * _bp, _bp);

    // The padding rows are not data: the link never sees them, and their g^(k) is 0 so the vector kernels can run over them.
    private void ClearPadding(Span<double> row) => row[_batch..].Clear();

    private double SumOfValues(ReadOnlySpan<double> g0)
    {
        double sum = 0;
        for (int n = 0; n < _batch; n++) sum += g0[n];
        return Scale * sum;
    }

    // ------------------------------------------------------------------ scalar view

    public override double Value(ReadOnlySpan<double> z)
    {
        EnsureEta(z);
        EnsureOrders(0, 0);
        return SumOfValues(H(0));
    }

    // result[j*(order+1) + k] = scale sum_n x_nj^k g^(k)(eta_n); slot k = 0 holds f itself (the estimators' finiteness check).
    public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        EnsureEta(z);
        EnsureOrders(0, order);
        double value = SumOfValues(H(0));
        int stride = order + 1;
        for (int j = 0; j < _d; j++) result[j * stride] = value;
        for (int k = 1; k <= order; k++)
        {
            var powers = Powers(k);
            var h = H(k);
            for (int j = 0; j < _d; j++) result[j * stride + k] = Scale * Dot(powers.Slice(j * _bp, _bp), h);
        }
    }

    // df/dw_j = scale sum_n x_nj g'(eta_n).
    public override void Gradient(ReadOnlySpan<double> z, Span<double> gradient)
    {
        EnsureEta(z);
        EnsureOrders(1, 1);
        var h1 = H(1);
        for (int j = 0; j < _d; j++) gradient[j] = Scale * Dot(_xt.AsSpan(j * _bp, _bp), h1);
    }

    // d^|m| f / dw^m = scale sum_n prod_j x_nj^{m_j} g^(|m|)(eta_n).
    public override double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        if (multiIndex.Length != _d) throw new ArgumentException($"The multi-index has {multiIndex.Length} entries, the GLM has {_d} features.", nameof(multiIndex));
        int order = 0;
        foreach (int m in multiIndex)
        {
            if (m < 0) throw new ArgumentOutOfRangeException(nameof(multiIndex), m, "A multi-index entry is at least 0.");
            order += m;
        }
        EnsureEta(z);
        EnsureOrders(order, order);
        if (order == 0) return SumOfValues(H(0));
        var h = H(order);
        double sum = 0;
        for (int n = 0; n < _batch; n++)
        {
            double product = h[n];
            for (int j = 0; j < _d; j++)
                for (int p = 0; p < multiIndex[j]; p++) product *= _xt[j * _bp + n];
            sum += product;
        }
        return Scale * sum;
    }

    // w_j = x shifts eta_n by x_nj (x - w_j): f at that point, over the batch.
    public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x)
    {
        CheckCoordinate(coordinate);
        EnsureEta(z);
        double delta = x - z[coordinate];
        if (delta == 0)
        {
            EnsureOrders(0, 0);
            return SumOfValues(H(0));
        }
        var g0 = Shifted(coordinate, delta, 0);
        return SumOfValues(g0);
    }

    // d^k f / dw_j^k at w with w_j = x: scale sum_n x_nj^k g^(k)(eta_n + x_nj (x - w_j)), O(batch) from the cached eta.
    public override double CoordinatePartial(ReadOnlySpan<double> z, int coordinate, double x, int order)
    {
        CheckCoordinate(coordinate);
        CheckOrder(order);
        EnsureEta(z);
        return ShiftedPartial(z, coordinate, x, order);
    }

    // CoordinatePartial once eta at z is held and the arguments are checked.
    private double ShiftedPartial(ReadOnlySpan<double> z, int coordinate, double x, int order)
    {
        double delta = x - z[coordinate];
        if (order == 0) return CoordinateSlice(z, coordinate, x);
        if (delta == 0)
        {
            EnsureOrders(order, order);
            return Scale * Dot(Power(order, coordinate), H(order));
        }
        if (order <= 2 && _link is LogisticLink) return Scale * LogisticShifted(coordinate, delta, order);
        return Scale * Dot(Power(order, coordinate), Shifted(coordinate, delta, order));
    }

    // The resummed rules' path for the logistic link, in one pass over the batch with no intermediate rows:
    // m = s (eta + delta x), e = exp(-|m|), r = 1 / (1 + e); g' = s sigmoid(-m) (e r for m >= 0, r otherwise) and
    // g'' = -sigmoid(m) sigmoid(-m) = -e / (1 + e)^2 (the sign s cancels; GlmKernels.CurvatureTerm). The same values as
    // the block kernels (SlopeRow, CurvatureRow; tested bit for bit), summed over the rows in order, so the block and
    // scalar paths give the same numbers. Order 2 sums x^2 e / (1 + e)^2 and negates the sum: rounding is symmetric, so
    // that is the sum of the negated terms, bit for bit.
    private double LogisticShifted(int coordinate, double delta, int order)
    {
        var vDelta = Vector256.Create(delta);
        var acc = Vector256<double>.Zero;
        int row = coordinate * _bp;
        for (int n = 0; n < _batch; n++)
            acc = ShiftedLogisticTerm(Vector256.Create(_xt[row + n]), Vector256.Create(_sign[n]), Vector256.Create(_eta[n]), vDelta, order, acc);
        return order == 2 ? -acc.ToScalar() : acc.ToScalar();
    }

    // acc + x g'(eta + delta x) = acc + x s v (order 1), or acc - x^2 g''(eta + delta x) = acc + x^2 e / (1 + e)^2 (order 2,
    // GlmKernels' curvature kernel: |s y| = |y|, so the sign drops out there).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ShiftedLogisticTerm(Vector256<double> x, Vector256<double> s, Vector256<double> eta, Vector256<double> delta, int order, Vector256<double> acc)
    {
        if (order == 2) return GlmKernels.CurvatureTerm(x * x, Vector256.FusedMultiplyAdd(delta, x, eta), acc);
        var m = s * Vector256.FusedMultiplyAdd(delta, x, eta);
        var e = FastMath.ExpNonPositive(-Vector256.Abs(m));
        var r = Vector256<double>.One / (Vector256<double>.One + e);
        var v = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(m, Vector256<double>.Zero), e * r, r);
        return Vector256.FusedMultiplyAdd(x, s * v, acc);
    }

    // The block path's order-1 term: ShiftedLogisticTerm's numbers (other = the label's sign s). Four and eight lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> BlockTerm(Vector256<double> x, Vector256<double> other, Vector256<double> eta, Vector256<double> delta, Vector256<double> acc)
    {
        var m = other * Vector256.FusedMultiplyAdd(delta, x, eta);
        var e1 = FastMath.ExpNonPositive(-Vector256.Abs(m));
        var r1 = Vector256<double>.One / (Vector256<double>.One + e1);
        var v = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(m, Vector256<double>.Zero), e1 * r1, r1);
        return Vector256.FusedMultiplyAdd(x, other * v, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> BlockTerm(Vector512<double> x, Vector512<double> other, Vector512<double> eta, Vector512<double> delta, Vector512<double> acc)
    {
        var m = other * Vector512.FusedMultiplyAdd(delta, x, eta);
        var e1 = WideMath.ExpNonPositive(-Vector512.Abs(m));
        var r1 = Vector512<double>.One / (Vector512<double>.One + e1);
        var v = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(m, Vector512<double>.Zero), e1 * r1, r1);
        return Vector512.FusedMultiplyAdd(x, other * v, acc);
    }

    private void CheckCoordinate(int coordinate)
    {
        if ((uint)coordinate >= (uint)_d)
            throw new ArgumentOutOfRangeException(nameof(coordinate), coordinate, $"The coordinate must be in 0..{_d - 1}.");
    }

    // g^(order)(eta + delta x_.j) over the batch.
    private ReadOnlySpan<double> Shifted(int coordinate, double delta, int order)
    {
        if (_shifted.Length < _bp) { _shifted = new double[_bp]; _hShifted = new double[_bp]; }
        var shifted = _shifted.AsSpan(0, _bp);
        _eta.AsSpan(0, _bp).CopyTo(shifted);
        Axpy(delta, _xt.AsSpan(coordinate * _bp, _bp), shifted);
        _link.Derivatives(_yb.AsSpan(0, _batch), shifted[.._batch], order, order, _hShifted, _bp);
        ClearPadding(_hShifted.AsSpan(0, _bp));
        return _hShifted.AsSpan(0, _bp);
    }

    public override Jet Evaluate(ReadOnlySpan<Jet> z)
    {
        if (!_link.SupportsJets) return base.Evaluate(z);
        if (z.Length != _d) throw new ArgumentException($"z has {z.Length} values, the GLM has {_d} features.", nameof(z));
        Jet Term(ReadOnlySpan<Jet> z, int n)
        {
            var eta = z[0] * _xt[n];
            for (int j = 1; j < _d; j++) eta = eta + z[j] * _xt[j * _bp + n];
            return _link.Evaluate(_yb[n], eta);
        }
        var sum = Term(z, 0);
        for (int n = 1; n < _batch; n++) sum = sum + Term(z, n);
        return sum * Scale;
    }

    // ------------------------------------------------------------------ block view: samples in the SIMD lanes

    // A block's arithmetic runs with the samples in the vector lanes, so every entry is summed in the scalar path's order
    // (over j for eta, over the batch rows for the partials) and nothing is reduced across lanes: the same numbers, bit for
    // bit, as the scalar methods. Layout, with sp = the sample count rounded up to Lanes (padding samples are w = 0):
    //   _wb[j * sp + s]  w of sample s (a copy of the block, kept to recognise the same block in the next call)
    //   _eb[n * sp + s]  eta_{n,s} = x_n . w_s
    //   _hb[k * B sp + n * sp + s]  g^(k)(eta_{n,s}), orders _blockOrders held
    // The resummed rules ask for f, its unshifted f' and its shifted f'' at one block: eta is computed once for the three.
    private double[] _wb = [], _eb = [], _hb = [], _yRow = [], _cb = [], _db = [];   // _cb: products; _db: a row's deltas and results
    private int _sp, _blockCount = -1, _labelsFor = -1;   // _labelsFor: the sample stride _yRow holds the batch's labels for (-1: none)
    private ulong _blockOrders;

    private static int Padded(int count) => (count + Lanes - 1) / Lanes * Lanes;

    // Loads the block's w and eta unless it is the block of the last call (same count and bits).
    private void LoadBlock(SampleBlock z)
    {
        CheckBlock(z);
        int count = z.Count, sp = Padded(count), d = _d, b = _batch;
        if (_blockCount == count)
        {
            bool same = true;
            for (int j = 0; j < d && same; j++)
                same = MemoryMarshal.AsBytes(z.Row(j)).SequenceEqual(MemoryMarshal.AsBytes(_wb.AsSpan(j * sp, count)));
            if (same) return;
        }
        _blockCount = -1;
        if (_wb.Length < d * sp) _wb = new double[d * sp];
        if (_eb.Length < b * sp) _eb = new double[b * sp];
        if (_yRow.Length < sp) _yRow = new double[sp];
        _sp = sp;
        for (int j = 0; j < d; j++)
        {
            z.Row(j).CopyTo(_wb.AsSpan(j * sp, count));
            _wb.AsSpan(j * sp + count, sp - count).Clear();
        }
        EtaBlock(sp);
        _blockOrders = 0;
        _blockCount = count;
    }

    // eta_{n,s} = sum_j w_{j,s} x_nj, the fused multiply-adds over j in EnsureEta's order: four rows by two vectors of
    // samples per pass over the features (the broadcast x_nj are four consecutive entries of feature j's column).
    private void EtaBlock(int sp)
    {
        int b = _batch, d = _d, bp = _bp;
        ref double x = ref MemoryMarshal.GetArrayDataReference(_xt);
        ref double w = ref MemoryMarshal.GetArrayDataReference(_wb);
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_eb);
        int n = 0;
        for (; n + 4 <= b; n += 4)
        {
            int s = 0;
            if (WideMath.Enabled)
                for (; s + 4 * Lanes <= sp; s += 4 * Lanes) EtaWide(n, s, sp);
            for (; s + 2 * Lanes <= sp; s += 2 * Lanes)
            {
                Vector256<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
                for (int j = 0; j < d; j++)
                {
                    var w0 = Vector256.LoadUnsafe(ref w, (nuint)(j * sp + s));
                    var w1 = Vector256.LoadUnsafe(ref w, (nuint)(j * sp + s + Lanes));
                    int c = j * bp + n;
                    var x0 = Vector256.Create(Unsafe.Add(ref x, c));
                    var x1 = Vector256.Create(Unsafe.Add(ref x, c + 1));
                    var x2 = Vector256.Create(Unsafe.Add(ref x, c + 2));
                    var x3 = Vector256.Create(Unsafe.Add(ref x, c + 3));
                    a00 = Vector256.FusedMultiplyAdd(w0, x0, a00); a01 = Vector256.FusedMultiplyAdd(w1, x0, a01);
                    a10 = Vector256.FusedMultiplyAdd(w0, x1, a10); a11 = Vector256.FusedMultiplyAdd(w1, x1, a11);
                    a20 = Vector256.FusedMultiplyAdd(w0, x2, a20); a21 = Vector256.FusedMultiplyAdd(w1, x2, a21);
                    a30 = Vector256.FusedMultiplyAdd(w0, x3, a30); a31 = Vector256.FusedMultiplyAdd(w1, x3, a31);
                }
                a00.StoreUnsafe(ref eta, (nuint)(n * sp + s)); a01.StoreUnsafe(ref eta, (nuint)(n * sp + s + Lanes));
                a10.StoreUnsafe(ref eta, (nuint)((n + 1) * sp + s)); a11.StoreUnsafe(ref eta, (nuint)((n + 1) * sp + s + Lanes));
                a20.StoreUnsafe(ref eta, (nuint)((n + 2) * sp + s)); a21.StoreUnsafe(ref eta, (nuint)((n + 2) * sp + s + Lanes));
                a30.StoreUnsafe(ref eta, (nuint)((n + 3) * sp + s)); a31.StoreUnsafe(ref eta, (nuint)((n + 3) * sp + s + Lanes));
            }
            for (; s < sp; s += Lanes) EtaFour(n, s, sp);
        }
        for (; n < b; n++)
            for (int s = 0; s < sp; s += Lanes) EtaOne(n, s, sp);
    }

    // Four rows by sixteen samples (two eight-lane vectors): the same multiply-adds per lane, in j order.
    private void EtaWide(int n, int s, int sp)
    {
        int d = _d, bp = _bp;
        ref double x = ref MemoryMarshal.GetArrayDataReference(_xt);
        ref double w = ref MemoryMarshal.GetArrayDataReference(_wb);
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_eb);
        const int Wide = 2 * Lanes;
        Vector512<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int j = 0; j < d; j++)
        {
            var w0 = Vector512.LoadUnsafe(ref w, (nuint)(j * sp + s));
            var w1 = Vector512.LoadUnsafe(ref w, (nuint)(j * sp + s + Wide));
            int c = j * bp + n;
            var x0 = Vector512.Create(Unsafe.Add(ref x, c));
            var x1 = Vector512.Create(Unsafe.Add(ref x, c + 1));
            var x2 = Vector512.Create(Unsafe.Add(ref x, c + 2));
            var x3 = Vector512.Create(Unsafe.Add(ref x, c + 3));
            a00 = Vector512.FusedMultiplyAdd(w0, x0, a00); a01 = Vector512.FusedMultiplyAdd(w1, x0, a01);
            a10 = Vector512.FusedMultiplyAdd(w0, x1, a10); a11 = Vector512.FusedMultiplyAdd(w1, x1, a11);
            a20 = Vector512.FusedMultiplyAdd(w0, x2, a20); a21 = Vector512.FusedMultiplyAdd(w1, x2, a21);
            a30 = Vector512.FusedMultiplyAdd(w0, x3, a30); a31 = Vector512.FusedMultiplyAdd(w1, x3, a31);
        }
        a00.StoreUnsafe(ref eta, (nuint)(n * sp + s)); a01.StoreUnsafe(ref eta, (nuint)(n * sp + s + Wide));
        a10.StoreUnsafe(ref eta, (nuint)((n + 1) * sp + s)); a11.StoreUnsafe(ref eta, (nuint)((n + 1) * sp + s + Wide));
        a20.StoreUnsafe(ref eta, (nuint)((n + 2) * sp + s)); a21.StoreUnsafe(ref eta, (nuint)((n + 2) * sp + s + Wide));
        a30.StoreUnsafe(ref eta, (nuint)((n + 3) * sp + s)); a31.StoreUnsafe(ref eta, (nuint)((n + 3) * sp + s + Wide));
    }

    // Four rows by one vector of samples (a tail): four independent chains over j.
    private void EtaFour(int n, int s, int sp)
    {
        int d = _d, bp = _bp;
        ref double x = ref MemoryMarshal.GetArrayDataReference(_xt);
        ref double w = ref MemoryMarshal.GetArrayDataReference(_wb);
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_eb);
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int j = 0; j < d; j++)
        {
            var wj = Vector256.LoadUnsafe(ref w, (nuint)(j * sp + s));
            int c = j * bp + n;
            a0 = Vector256.FusedMultiplyAdd(wj, Vector256.Create(Unsafe.Add(ref x, c)), a0);
            a1 = Vector256.FusedMultiplyAdd(wj, Vector256.Create(Unsafe.Add(ref x, c + 1)), a1);
            a2 = Vector256.FusedMultiplyAdd(wj, Vector256.Create(Unsafe.Add(ref x, c + 2)), a2);
            a3 = Vector256.FusedMultiplyAdd(wj, Vector256.Create(Unsafe.Add(ref x, c + 3)), a3);
        }
        a0.StoreUnsafe(ref eta, (nuint)(n * sp + s));
        a1.StoreUnsafe(ref eta, (nuint)((n + 1) * sp + s));
        a2.StoreUnsafe(ref eta, (nuint)((n + 2) * sp + s));
        a3.StoreUnsafe(ref eta, (nuint)((n + 3) * sp + s));
    }

    private void EtaOne(int n, int s, int sp)
    {
        var acc = Vector256<double>.Zero;
        for (int j = 0; j < _d; j++)
            acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_wb), (nuint)(j * sp + s)), Vector256.Create(_xt[j * _bp + n]), acc);
        acc.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(_eb), (nuint)(n * sp + s));
    }

    // g^(k)(eta) of the loaded block for k = lowest..highest (those not yet held): the logistic link in one call over every
    // row and sample (padding included, never read back), another link one call per batch row over the block's samples.
    private void BlockOrders(int lowest, int highest, ulong only = ulong.MaxValue)
    {
        ulong wanted = Mask(lowest, highest) & only;
        if ((_blockOrders & wanted) == wanted) return;
        if (_link is LogisticLink logistic && only != ulong.MaxValue)
        {
            // Only the orders asked (a Fourier series whose rule has no coefficient at some orders): the link skips the
            // others' Horner sums, and each order it computes has the numbers of the full range.
            ulong missing = wanted & ~_blockOrders;
            int low = System.Numerics.BitOperations.TrailingZeroCount(missing), high = 63 - System.Numerics.BitOperations.LeadingZeroCount(missing);
            int cells = _batch * _sp;
            EnsureBlockRows(high + 1);
            FillLabels();
            logistic.Derivatives(_yRow.AsSpan(0, cells), _eb.AsSpan(0, cells), low, high, missing, _hb.AsSpan(low * cells), cells);
            _blockOrders |= missing;
            return;
        }
        int from = lowest;
        while (from <= highest && (_blockOrders & (1UL << from)) != 0) from++;
        int sp = _sp, count = _blockCount, area = _batch * sp;
        EnsureBlockRows(highest + 1);
        if (_link is LogisticLink)
        {
            // The built-in link in one call over every row and sample (eta is contiguous: n * sp + s), so its lanes run
            // without a per-row call and tail; the padding samples (w = 0, eta = 0) go through too, lane by lane apart
            // from the real ones, and no product ever reads them out.
            FillLabels();
            _link.Derivatives(_yRow.AsSpan(0, area), _eb.AsSpan(0, area), from, highest, _hb.AsSpan(from * area), area);
        }
        else
            for (int n = 0; n < _batch; n++)
            {
                _yRow.AsSpan(0, count).Fill(_yb[n]);
                _link.Derivatives(_yRow.AsSpan(0, count), _eb.AsSpan(n * sp, count), from, highest, _hb.AsSpan(from * area + n * sp), area);
            }
        _blockOrders |= Mask(from, highest);
    }

    // Room in _hb for g^(k), k < rows, of the loaded block (the orders held are kept).
    private void EnsureBlockRows(int rows)
    {
        int area = _batch * _sp;
        if (_hb.Length >= rows * area) return;
        var grown = new double[Math.Max(rows * area, 2 * _hb.Length)];
        _hb.AsSpan(0, Math.Min(_hb.Length, grown.Length)).CopyTo(grown);
        _hb = grown;
    }

    // Each batch row's label across the block's samples (_yRow[n * sp + s] = y_n), for the logistic link's one call.
    private void FillLabels()
    {
        int sp = _sp, area = _batch * sp;
        if (_labelsFor == sp) return;
        if (_yRow.Length < area) _yRow = new double[area];
        for (int n = 0; n < _batch; n++) _yRow.AsSpan(n * sp, sp).Fill(_yb[n]);
        _labelsFor = sp;
    }

    // f for each sample: scale sum_n g(eta_{n,s}), summed over n in order (SumOfValues' order).
    public override void Values(SampleBlock z, Span<double> values)
    {
        LoadBlock(z);
        // g and g' share their exponential, and the callers that ask for values (the resummed rules) ask for f' next: one
        // pass for both (each order's numbers are the same whatever range is asked).
        BlockOrders(0, Math.Min(1, _link.MaxOrder));
        BlockValues(values);
    }

    private void BlockValues(Span<double> values)
    {
        int sp = _sp;
        if (_cb.Length < sp) _cb = new double[Math.Max(sp, _d * sp)];
        ref double h = ref MemoryMarshal.GetArrayDataReference(_hb);
        var scale = Vector256.Create(Scale);
        for (int s = 0; s < sp; s += Lanes)
        {
            var acc = Vector256<double>.Zero;
            for (int n = 0; n < _batch; n++) acc += Vector256.LoadUnsafe(ref h, (nuint)(n * sp + s));
            (scale * acc).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(_cb), (nuint)s);
        }
        _cb.AsSpan(0, _blockCount).CopyTo(values);
    }

    public override void PurePartials(SampleBlock z, int order, Span<double> partials)
    {
        CheckBlock(z);
        if (order < 1) return;
        CheckOrder(order);
        LoadBlock(z);
        BlockOrders(1, order);
        BlockPartials(z, order, partials);
    }

    // The Fourier series and the pathwise rule need f (its finiteness check) and the partials at every sample: one eta
    // and one pass of the link over orders 0..order serve both (g^(k) of each order is computed the same way whatever the
    // range asked, so values and partials equal Value and PurePartials bit for bit).
    public override void ValuesAndPurePartials(SampleBlock z, int order, Span<double> values, Span<double> partials) =>
        ValuesAndPurePartials(z, order, ulong.MaxValue, values, partials);

    // Only the orders whose bit is set in 'orders' (bit k: order k): the link and the matrix products of the other orders
    // are skipped and their rows not written; each order written has the numbers of the full call.
    internal override void ValuesAndPurePartials(SampleBlock z, int order, ulong orders, Span<double> values, Span<double> partials)
    {
        CheckBlock(z);
        if (order < 1)
        {
            Values(z, values);
            return;
        }
        CheckOrder(order);
        LoadBlock(z);
        // g and g' share their exponential: order 0 (the values) and 1 are always computed together.
        BlockOrders(0, order, orders | 3);
        BlockValues(values);
        BlockPartials(z, order, partials, orders);
    }

    // partials_k (d x S) = scale P_k (d x B) G_k (B x S) per order, P_k[j, n] = x_nj^k: one small matrix product each.
    private void BlockPartials(SampleBlock z, int order, Span<double> partials, ulong orders = ulong.MaxValue)
    {
        int d = _d, count = _blockCount, stride = z.Stride;
        for (int k = 1; k <= order; k++)
        {
            if ((orders & (1UL << k)) == 0) continue;
            Product(k, k, _cb);
            for (int j = 0; j < d; j++) _cb.AsSpan(j * _sp, count).CopyTo(partials.Slice((k * d + j) * stride, count));
        }
    }

    // c[j * sp + s] = scale sum_n x_nj^power g^(order)(eta_{n,s}), the multiply-adds over n in order (Dot's order): four
    // features by two vectors of samples per pass over the batch, every load serving four or two products.
    private void Product(int power, int order, double[] c)
    {
        int d = _d, sp = _sp, b = _batch, bp = _bp, area = b * sp;
        if (c.Length < d * sp) c = _cb = new double[d * sp];
        var powers = Powers(power);
        ref double p = ref MemoryMarshal.GetReference(powers);
        ref double h = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_hb), order * area);
        ref double o = ref MemoryMarshal.GetArrayDataReference(c);
        var scale = Vector256.Create(Scale);
        int j = 0, tail = sp;   // tail: the first sample the passes over four features leave (at most one vector remains)
        for (; j + 4 <= d; j += 4)
        {
            int s = 0;
            if (WideMath.Enabled)
                for (; s + 4 * Lanes <= sp; s += 4 * Lanes) ProductWide(ref p, ref h, ref o, j, s, scale);
            for (; s + 2 * Lanes <= sp; s += 2 * Lanes)
            {
                Vector256<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
                for (int n = 0; n < b; n++)
                {
                    var h0 = Vector256.LoadUnsafe(ref h, (nuint)(n * sp + s));
                    var h1 = Vector256.LoadUnsafe(ref h, (nuint)(n * sp + s + Lanes));
                    var p0 = Vector256.Create(Unsafe.Add(ref p, j * bp + n));
                    var p1 = Vector256.Create(Unsafe.Add(ref p, (j + 1) * bp + n));
                    var p2 = Vector256.Create(Unsafe.Add(ref p, (j + 2) * bp + n));
                    var p3 = Vector256.Create(Unsafe.Add(ref p, (j + 3) * bp + n));
                    a00 = Vector256.FusedMultiplyAdd(p0, h0, a00); a01 = Vector256.FusedMultiplyAdd(p0, h1, a01);
                    a10 = Vector256.FusedMultiplyAdd(p1, h0, a10); a11 = Vector256.FusedMultiplyAdd(p1, h1, a11);
                    a20 = Vector256.FusedMultiplyAdd(p2, h0, a20); a21 = Vector256.FusedMultiplyAdd(p2, h1, a21);
                    a30 = Vector256.FusedMultiplyAdd(p3, h0, a30); a31 = Vector256.FusedMultiplyAdd(p3, h1, a31);
                }
                (scale * a00).StoreUnsafe(ref o, (nuint)(j * sp + s)); (scale * a01).StoreUnsafe(ref o, (nuint)(j * sp + s + Lanes));
                (scale * a10).StoreUnsafe(ref o, (nuint)((j + 1) * sp + s)); (scale * a11).StoreUnsafe(ref o, (nuint)((j + 1) * sp + s + Lanes));
                (scale * a20).StoreUnsafe(ref o, (nuint)((j + 2) * sp + s)); (scale * a21).StoreUnsafe(ref o, (nuint)((j + 2) * sp + s + Lanes));
                (scale * a30).StoreUnsafe(ref o, (nuint)((j + 3) * sp + s)); (scale * a31).StoreUnsafe(ref o, (nuint)((j + 3) * sp + s + Lanes));
            }
            tail = s;
        }
        // The last vector of samples for those features, eight features at a time (eight chains), then four.
        if (tail < sp)
        {
            int f = 0;
            for (; f + 8 <= j; f += 8) ProductEight(ref p, ref h, ref o, f, tail, scale);
            if (f < j) ProductFour(ref p, ref h, ref o, f, tail, scale);
        }
        // The features past the last four, together (a feature repeated past d is the same computation written twice).
        if (j < d) ProductLeftover(ref p, ref h, ref o, j, scale);
    }

    // Four features by sixteen samples (two eight-lane vectors): the same multiply-adds per lane, in row order.
    private void ProductWide(ref double p, ref double h, ref double o, int j, int s, Vector256<double> narrowScale)
    {
        int b = _batch, bp = _bp, sp = _sp;
        const int Wide = 2 * Lanes;
        var scale = Vector512.Create(narrowScale.ToScalar());
        Vector512<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int n = 0; n < b; n++)
        {
            var h0 = Vector512.LoadUnsafe(ref h, (nuint)(n * sp + s));
            var h1 = Vector512.LoadUnsafe(ref h, (nuint)(n * sp + s + Wide));
            var p0 = Vector512.Create(Unsafe.Add(ref p, j * bp + n));
            var p1 = Vector512.Create(Unsafe.Add(ref p, (j + 1) * bp + n));
            var p2 = Vector512.Create(Unsafe.Add(ref p, (j + 2) * bp + n));
            var p3 = Vector512.Create(Unsafe.Add(ref p, (j + 3) * bp + n));
            a00 = Vector512.FusedMultiplyAdd(p0, h0, a00); a01 = Vector512.FusedMultiplyAdd(p0, h1, a01);
            a10 = Vector512.FusedMultiplyAdd(p1, h0, a10); a11 = Vector512.FusedMultiplyAdd(p1, h1, a11);
            a20 = Vector512.FusedMultiplyAdd(p2, h0, a20); a21 = Vector512.FusedMultiplyAdd(p2, h1, a21);
            a30 = Vector512.FusedMultiplyAdd(p3, h0, a30); a31 = Vector512.FusedMultiplyAdd(p3, h1, a31);
        }
        (scale * a00).StoreUnsafe(ref o, (nuint)(j * sp + s)); (scale * a01).StoreUnsafe(ref o, (nuint)(j * sp + s + Wide));
        (scale * a10).StoreUnsafe(ref o, (nuint)((j + 1) * sp + s)); (scale * a11).StoreUnsafe(ref o, (nuint)((j + 1) * sp + s + Wide));
        (scale * a20).StoreUnsafe(ref o, (nuint)((j + 2) * sp + s)); (scale * a21).StoreUnsafe(ref o, (nuint)((j + 2) * sp + s + Wide));
        (scale * a30).StoreUnsafe(ref o, (nuint)((j + 3) * sp + s)); (scale * a31).StoreUnsafe(ref o, (nuint)((j + 3) * sp + s + Wide));
    }

    // A tail of four samples for four features: four independent chains (one chain would wait on each multiply-add).
    private void ProductFour(ref double p, ref double h, ref double o, int j, int s, Vector256<double> scale)
    {
        int b = _batch, bp = _bp, sp = _sp;
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int n = 0; n < b; n++)
        {
            var hn = Vector256.LoadUnsafe(ref h, (nuint)(n * sp + s));
            a0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, j * bp + n)), hn, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 1) * bp + n)), hn, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 2) * bp + n)), hn, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 3) * bp + n)), hn, a3);
        }
        (scale * a0).StoreUnsafe(ref o, (nuint)(j * sp + s));
        (scale * a1).StoreUnsafe(ref o, (nuint)((j + 1) * sp + s));
        (scale * a2).StoreUnsafe(ref o, (nuint)((j + 2) * sp + s));
        (scale * a3).StoreUnsafe(ref o, (nuint)((j + 3) * sp + s));
    }

    // The last vector of samples for eight features: eight independent chains.
    private void ProductEight(ref double p, ref double h, ref double o, int j, int s, Vector256<double> scale)
    {
        int b = _batch, bp = _bp, sp = _sp;
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int n = 0; n < b; n++)
        {
            var hn = Vector256.LoadUnsafe(ref h, (nuint)(n * sp + s));
            a0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, j * bp + n)), hn, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 1) * bp + n)), hn, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 2) * bp + n)), hn, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 3) * bp + n)), hn, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 4) * bp + n)), hn, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 5) * bp + n)), hn, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 6) * bp + n)), hn, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, (j + 7) * bp + n)), hn, a7);
        }
        (scale * a0).StoreUnsafe(ref o, (nuint)(j * sp + s));
        (scale * a1).StoreUnsafe(ref o, (nuint)((j + 1) * sp + s));
        (scale * a2).StoreUnsafe(ref o, (nuint)((j + 2) * sp + s));
        (scale * a3).StoreUnsafe(ref o, (nuint)((j + 3) * sp + s));
        (scale * a4).StoreUnsafe(ref o, (nuint)((j + 4) * sp + s));
        (scale * a5).StoreUnsafe(ref o, (nuint)((j + 5) * sp + s));
        (scale * a6).StoreUnsafe(ref o, (nuint)((j + 6) * sp + s));
        (scale * a7).StoreUnsafe(ref o, (nuint)((j + 7) * sp + s));
    }

    // Features j0 .. d - 1 (one to three of them) over every sample: three features by two vectors per pass (six
    // chains); a feature index past d is clamped to d - 1, which only computes that feature's entries twice.
    private void ProductLeftover(ref double p, ref double h, ref double o, int j0, Vector256<double> scale)
    {
        int b = _batch, bp = _bp, sp = _sp, s = 0;
        int f0 = j0, f1 = Math.Min(j0 + 1, _d - 1), f2 = Math.Min(j0 + 2, _d - 1);
        if (WideMath.Enabled)
        {
            const int Wide = 2 * Lanes;
            var wideScale = Vector512.Create(Scale);
            for (; s + 2 * Wide <= sp; s += 2 * Wide)
            {
                Vector512<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
                for (int n = 0; n < b; n++)
                {
                    var h0 = Vector512.LoadUnsafe(ref h, (nuint)(n * sp + s));
                    var h1 = Vector512.LoadUnsafe(ref h, (nuint)(n * sp + s + Wide));
                    var p0 = Vector512.Create(Unsafe.Add(ref p, f0 * bp + n));
                    var p1 = Vector512.Create(Unsafe.Add(ref p, f1 * bp + n));
                    var p2 = Vector512.Create(Unsafe.Add(ref p, f2 * bp + n));
                    a00 = Vector512.FusedMultiplyAdd(p0, h0, a00); a01 = Vector512.FusedMultiplyAdd(p0, h1, a01);
                    a10 = Vector512.FusedMultiplyAdd(p1, h0, a10); a11 = Vector512.FusedMultiplyAdd(p1, h1, a11);
                    a20 = Vector512.FusedMultiplyAdd(p2, h0, a20); a21 = Vector512.FusedMultiplyAdd(p2, h1, a21);
                }
                (wideScale * a00).StoreUnsafe(ref o, (nuint)(f0 * sp + s)); (wideScale * a01).StoreUnsafe(ref o, (nuint)(f0 * sp + s + Wide));
                (wideScale * a10).StoreUnsafe(ref o, (nuint)(f1 * sp + s)); (wideScale * a11).StoreUnsafe(ref o, (nuint)(f1 * sp + s + Wide));
                (wideScale * a20).StoreUnsafe(ref o, (nuint)(f2 * sp + s)); (wideScale * a21).StoreUnsafe(ref o, (nuint)(f2 * sp + s + Wide));
            }
        }
        for (; s + 2 * Lanes <= sp; s += 2 * Lanes)
        {
            Vector256<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
            for (int n = 0; n < b; n++)
            {
                var h0 = Vector256.LoadUnsafe(ref h, (nuint)(n * sp + s));
                var h1 = Vector256.LoadUnsafe(ref h, (nuint)(n * sp + s + Lanes));
                var p0 = Vector256.Create(Unsafe.Add(ref p, f0 * bp + n));
                var p1 = Vector256.Create(Unsafe.Add(ref p, f1 * bp + n));
                var p2 = Vector256.Create(Unsafe.Add(ref p, f2 * bp + n));
                a00 = Vector256.FusedMultiplyAdd(p0, h0, a00); a01 = Vector256.FusedMultiplyAdd(p0, h1, a01);
                a10 = Vector256.FusedMultiplyAdd(p1, h0, a10); a11 = Vector256.FusedMultiplyAdd(p1, h1, a11);
                a20 = Vector256.FusedMultiplyAdd(p2, h0, a20); a21 = Vector256.FusedMultiplyAdd(p2, h1, a21);
            }
            (scale * a00).StoreUnsafe(ref o, (nuint)(f0 * sp + s)); (scale * a01).StoreUnsafe(ref o, (nuint)(f0 * sp + s + Lanes));
            (scale * a10).StoreUnsafe(ref o, (nuint)(f1 * sp + s)); (scale * a11).StoreUnsafe(ref o, (nuint)(f1 * sp + s + Lanes));
            (scale * a20).StoreUnsafe(ref o, (nuint)(f2 * sp + s)); (scale * a21).StoreUnsafe(ref o, (nuint)(f2 * sp + s + Lanes));
        }
        for (; s < sp; s += Lanes)
        {
            Vector256<double> a0 = default, a1 = default, a2 = default;
            for (int n = 0; n < b; n++)
            {
                var hn = Vector256.LoadUnsafe(ref h, (nuint)(n * sp + s));
                a0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, f0 * bp + n)), hn, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, f1 * bp + n)), hn, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref p, f2 * bp + n)), hn, a2);
            }
            (scale * a0).StoreUnsafe(ref o, (nuint)(f0 * sp + s));
            (scale * a1).StoreUnsafe(ref o, (nuint)(f1 * sp + s));
            (scale * a2).StoreUnsafe(ref o, (nuint)(f2 * sp + s));
        }
    }

    // The resummed rules' call. Rows whose points are all unshifted (the E[f'] term) are products against the held
    // g^(order); for the logistic link at orders 1 and 2 shifted rows run BlockTerm with the samples in the
    // lanes (every coordinate's g^(order)(eta + delta x_.j) in O(batch), no intermediate rows). Other links and orders
    // take the scalar path per sample (the same numbers by construction).
    public override void CoordinatePartials(SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result)
    {
        CheckBlock(z);
        CheckOrder(order);
        bool logistic = _link is LogisticLink && order is 1 or 2;
        if (order == 0 || !logistic && !AllUnshifted(z, x))
        {
            ScalarCoordinatePartials(z, x, order, result);
            return;
        }
        LoadBlock(z);
        int d = _d, sp = _sp, count = _blockCount, stride = z.Stride;
        if (_db.Length < 2 * sp) _db = new double[2 * sp];
        // Rows with every sample unshifted, and (order 2) samples with delta = 0 in a shifted row: the scalar path's
        // delta == 0 branch is the product against the link's g^(order). For order 1 the shifted formula at delta = 0 is
        // that number too (the same lane operations); order 2's curvature kernel is another evaluation, so those lanes
        // take the product's value. Both are found in the pass below and written after it (one scan of the rows).
        bool anyUnshifted = false, anyZero = false;
        // Order 2 on eight lanes: each row's passes of sixteen samples, and the last samples (fewer than sixteen) of every
        // row queued in groups of four and run two groups per eight-lane vector (CurvatureTails): 50 samples make three
        // passes and a group of four, and two rows' groups fill one vector instead of half of two.
        int wide = order == 2 && WideMath.Enabled && GlmKernels.Native ? sp - sp % (4 * Lanes) : -1;
        int units = 0, tail = count - wide;
        // One or two samples left per row (50 = 48 + 2): packed eight or four rows to a vector (CurvatureTailsPacked).
        bool packed = wide >= 0 && tail is 1 or 2;
        for (int j = 0; j < d; j++)
        {
            var row = z.Row(j);
            var moved = x.Slice(j * stride, count);
            var target = result.Slice(j * stride, count);
            if (MemoryMarshal.AsBytes(row).SequenceEqual(MemoryMarshal.AsBytes(moved)))
            {
                anyUnshifted = true;
                continue;
            }
            bool zero = false;
            for (int s = 0; s < count; s++)
            {
                double shift = moved[s] - row[s];
                _db[s] = shift;
                zero |= shift == 0;
            }
            anyZero |= zero && order == 2;
            _db.AsSpan(count, sp - count).Clear();
            if (wide < 0)
            {
                ShiftedRow(j, order, target);
                continue;
            }
            CurvatureRow(j, wide);
            _db.AsSpan(sp, Math.Min(count, wide)).CopyTo(target);
            if (packed)
            {
                if (_tailDelta.Length < (units + 2 * Lanes) * tail)
                {
                    Array.Resize(ref _tailDelta, (units + 2 * Lanes) * tail * 2);
                    Array.Resize(ref _tailUnit, (units + 2 * Lanes) * 2);
                }
                _db.AsSpan(wide, tail).CopyTo(_tailDelta.AsSpan(units * tail));
                _tailUnit[units++] = (j, wide);
                continue;
            }
            if (_tailDelta.Length < (units + 4) * Lanes)
            {
                Array.Resize(ref _tailDelta, (units + 4) * Lanes * 2);
                Array.Resize(ref _tailUnit, (units + 4) * 2);
            }
            for (int s0 = wide; s0 < sp; s0 += Lanes, units++)
            {
                _db.AsSpan(s0, Lanes).CopyTo(_tailDelta.AsSpan(units * Lanes));
                _tailUnit[units] = (j, s0);
            }
        }
        if (units > 0 && packed) CurvatureTailsPacked(units, tail, wide, result, stride);
        else if (units > 0) CurvatureTails(units, result, stride, count);
        if (!anyUnshifted && !anyZero) return;
        BlockOrders(order, order);
        Product(order, order, _cb);
        for (int j = 0; j < d; j++)
        {
            var row = z.Row(j);
            var moved = x.Slice(j * stride, count);
            if (MemoryMarshal.AsBytes(row).SequenceEqual(MemoryMarshal.AsBytes(moved))) _cb.AsSpan(j * sp, count).CopyTo(result.Slice(j * stride, count));
            else if (anyZero)
                for (int s = 0; s < count; s++)
                    if (moved[s] - row[s] == 0) result[j * stride + s] = _cb[j * sp + s];
        }
    }

    private double[] _tailDelta = [];
    private (int Row, int Start)[] _tailUnit = [];

    // The queued groups of four samples (row j, samples s0 .. s0 + 3, their deltas in _tailDelta), two per eight-lane
    // vector: lane by lane the operations of CurvatureRow's four-lane loop (the same numbers), an odd last group on four lanes.
    private void CurvatureTails(int units, Span<double> result, int stride, int count)
    {
        int sp = _sp, bp = _bp;
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_eb);
        ref double x = ref MemoryMarshal.GetArrayDataReference(_xt);
        ref double square = ref MemoryMarshal.GetReference(Powers(2));
        ref double deltas = ref MemoryMarshal.GetArrayDataReference(_tailDelta);
        var wideScale = Vector512.Create(-Scale);
        Span<double> lanes = stackalloc double[2 * Lanes];
        int u = 0;
        for (; u + 2 <= units; u += 2)
        {
            var (j1, s1) = _tailUnit[u];
            var (j2, s2) = _tailUnit[u + 1];
            var delta = Vector512.LoadUnsafe(ref deltas, (nuint)(u * Lanes));
            var acc = Vector512<double>.Zero;
            for (int n = 0; n < _batch; n++)
            {
                var xn = Vector512.Create(Vector256.Create(Unsafe.Add(ref x, j1 * bp + n)), Vector256.Create(Unsafe.Add(ref x, j2 * bp + n)));
                var wn = Vector512.Create(Vector256.Create(Unsafe.Add(ref square, j1 * bp + n)), Vector256.Create(Unsafe.Add(ref square, j2 * bp + n)));
                var en = Vector512.Create(Vector256.LoadUnsafe(ref eta, (nuint)(n * sp + s1)), Vector256.LoadUnsafe(ref eta, (nuint)(n * sp + s2)));
                acc = GlmKernels.CurvatureTerm(wn, Vector512.FusedMultiplyAdd(delta, xn, en), acc);
            }
            (wideScale * acc).CopyTo(lanes);
            for (int l = 0; l < Lanes; l++)
            {
                if (s1 + l < count) result[j1 * stride + s1 + l] = lanes[l];
                if (s2 + l < count) result[j2 * stride + s2 + l] = lanes[Lanes + l];
            }
        }
        if (u < units)
        {
            var (j, s0) = _tailUnit[u];
            var delta = Vector256.LoadUnsafe(ref deltas, (nuint)(u * Lanes));
            var acc = Vector256<double>.Zero;
            for (int n = 0; n < _batch; n++)
                acc = GlmKernels.CurvatureTerm(Vector256.Create(Unsafe.Add(ref square, j * bp + n)),
                    Vector256.FusedMultiplyAdd(delta, Vector256.Create(Unsafe.Add(ref x, j * bp + n)), Vector256.LoadUnsafe(ref eta, (nuint)(n * sp + s0))), acc);
            (Vector256.Create(-Scale) * acc).CopyTo(lanes);
            for (int l = 0; l < Lanes && s0 + l < count; l++) result[j * stride + s0 + l] = lanes[l];
        }
    }

    private double[] _etaTail = [];

    // Rows whose last samples after the sixteen-sample passes are t = 1 or 2 (_tailUnit[u] = (row, first), their deltas
    // at _tailDelta[u * t]): 8 / t rows per eight-lane vector, lane l holding queued row u + l / t and sample first + l % t,
    // instead of a four-lane group per row with 4 - t idle lanes. Each lane does CurvatureRow's operations (weight x * x,
    // which is the batch's Powers(2) entry; the multiply-adds over the batch rows in order), so the same numbers. x comes
    // from the data's row-major copy where the vector's rows are consecutive features (one load), else lane by lane.
    private void CurvatureTailsPacked(int units, int t, int first, Span<double> result, int stride)
    {
        const int Wide = 2 * Lanes;
        int sp = _sp, b = _batch, d = _d, bp = _bp, group = Wide / t;
        // eta of the tail samples repeated across the lanes: _etaTail[n * 8 + l] = eta_{n, first + l % t}.
        if (_etaTail.Length < b * Wide) _etaTail = new double[b * Wide];
        for (int n = 0; n < b; n++)
            for (int l = 0; l < Wide; l++) _etaTail[n * Wide + l] = _eb[n * sp + first + l % t];
        // The last vector's lanes past the queued rows: delta 0 and x 0 (weight 0); never written out.
        int lanesUsed = units * t, lanesAll = (units + group - 1) / group * Wide;
        _tailDelta.AsSpan(lanesUsed, lanesAll - lanesUsed).Clear();
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_etaTail);
        ref double deltas = ref MemoryMarshal.GetArrayDataReference(_tailDelta);
        ref double data = ref MemoryMarshal.GetArrayDataReference(_x);
        ref int batchRow = ref MemoryMarshal.GetArrayDataReference(_batchRow);
        var wideScale = Vector512.Create(-Scale);
        var pairs = Vector512.Create(0L, 0, 1, 1, 2, 2, 3, 3);
        Span<double> lanes = stackalloc double[Wide];
        for (int u = 0; u < units; u += group)
        {
            var delta = Vector512.LoadUnsafe(ref deltas, (nuint)(u * t));
            int j0 = _tailUnit[u].Row;
            // Queued rows increase, so a full group whose last row is j0 + group - 1 holds consecutive features.
            bool consecutive = u + group <= units && _tailUnit[u + group - 1].Row == j0 + group - 1;
            var acc = Vector512<double>.Zero;
            for (int n = 0; n < b; n++)
            {
                Vector512<double> xn;
                if (consecutive)
                {
                    ref double row = ref Unsafe.Add(ref data, Unsafe.Add(ref batchRow, n) * d + j0);
                    xn = t == 1 ? Vector512.LoadUnsafe(ref row) : Avx512F.PermuteVar8x64(Vector256.LoadUnsafe(ref row).ToVector512Unsafe(), pairs);
                }
                else
                {
                    for (int l = 0; l < Wide; l++)
                    {
                        int q = u + l / t;
                        lanes[l] = q < units ? _xt[_tailUnit[q].Row * bp + n] : 0;
                    }
                    xn = Vector512.Create((ReadOnlySpan<double>)lanes);
                }
                acc = GlmKernels.CurvatureTerm(xn * xn, Vector512.FusedMultiplyAdd(delta, xn, Vector512.LoadUnsafe(ref eta, (nuint)(n * Wide))), acc);
            }
            (wideScale * acc).CopyTo(lanes);
            for (int l = 0; l < Wide && u + l / t < units; l++) result[_tailUnit[u + l / t].Row * stride + first + l % t] = lanes[l];
        }
    }

    // Whether every coordinate of every sample is unshifted (x = z).
    private static bool AllUnshifted(SampleBlock z, ReadOnlySpan<double> x)
    {
        for (int j = 0; j < z.Dimension; j++)
            if (!MemoryMarshal.AsBytes(z.Row(j)).SequenceEqual(MemoryMarshal.AsBytes(x.Slice(j * z.Stride, z.Count)))) return false;
        return true;
    }

    // target[s] = scale sum_n x_nj g^(order)(eta_{n,s} + delta_s x_nj) for the logistic link, samples in the lanes.
    private void ShiftedRow(int j, int order, Span<double> target)
    {
        if (order == 2) CurvatureRow(j, _sp);
        else SlopeRow(j);
        _db.AsSpan(_sp, _blockCount).CopyTo(target);
    }

    // Order 1: scale sum_n x_nj s_n v(eta + delta x_nj), BlockTerm per row, into the second half of _db.
    private void SlopeRow(int j)
    {
        int sp = _sp, s = 0;
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_eb);
        ref double delta = ref MemoryMarshal.GetArrayDataReference(_db);
        ref double x = ref MemoryMarshal.GetArrayDataReference(_xt);
        ref double sign = ref MemoryMarshal.GetArrayDataReference(_sign);
        var scale = Vector256.Create(Scale);
        int column = j * _bp;
        if (WideMath.Enabled)
        {
            // Sixteen samples per pass in two eight-lane vectors: BlockTerm on every lane.
            const int Wide = 2 * Lanes;
            var wideScale = Vector512.Create(Scale);
            for (; s + 2 * Wide <= sp; s += 2 * Wide)
            {
                var d0 = Vector512.LoadUnsafe(ref delta, (nuint)s);
                var d1 = Vector512.LoadUnsafe(ref delta, (nuint)(s + Wide));
                Vector512<double> a0 = default, a1 = default;
                for (int n = 0; n < _batch; n++)
                {
                    var xn = Vector512.Create(Unsafe.Add(ref x, column + n));
                    var sn = Vector512.Create(Unsafe.Add(ref sign, n));
                    a0 = BlockTerm(xn, sn, Vector512.LoadUnsafe(ref eta, (nuint)(n * sp + s)), d0, a0);
                    a1 = BlockTerm(xn, sn, Vector512.LoadUnsafe(ref eta, (nuint)(n * sp + s + Wide)), d1, a1);
                }
                (wideScale * a0).StoreUnsafe(ref delta, (nuint)(sp + s));
                (wideScale * a1).StoreUnsafe(ref delta, (nuint)(sp + s + Wide));
            }
        }
        // Two vectors of samples per pass over the batch: the row's broadcasts serve both, and their two chains overlap.
        for (; s + 2 * Lanes <= sp; s += 2 * Lanes)
        {
            var d0 = Vector256.LoadUnsafe(ref delta, (nuint)s);
            var d1 = Vector256.LoadUnsafe(ref delta, (nuint)(s + Lanes));
            Vector256<double> a0 = default, a1 = default;
            for (int n = 0; n < _batch; n++)
            {
                var xn = Vector256.Create(Unsafe.Add(ref x, column + n));
                var sn = Vector256.Create(Unsafe.Add(ref sign, n));
                a0 = BlockTerm(xn, sn, Vector256.LoadUnsafe(ref eta, (nuint)(n * sp + s)), d0, a0);
                a1 = BlockTerm(xn, sn, Vector256.LoadUnsafe(ref eta, (nuint)(n * sp + s + Lanes)), d1, a1);
            }
            (scale * a0).StoreUnsafe(ref delta, (nuint)(sp + s));   // the second half of _db: the row's results
            (scale * a1).StoreUnsafe(ref delta, (nuint)(sp + s + Lanes));
        }
        for (; s < sp; s += Lanes)
        {
            var vDelta = Vector256.LoadUnsafe(ref delta, (nuint)s);
            var acc = Vector256<double>.Zero;
            for (int n = 0; n < _batch; n++)
                acc = BlockTerm(Vector256.Create(Unsafe.Add(ref x, column + n)), Vector256.Create(Unsafe.Add(ref sign, n)), Vector256.LoadUnsafe(ref eta, (nuint)(n * sp + s)), vDelta, acc);
            (scale * acc).StoreUnsafe(ref delta, (nuint)(sp + s));
        }
    }

    // Order 2 for the samples before 'end': scale sum_n x_nj^2 g''(eta + delta x_nj) = -scale sum_n x_nj^2 e / (1 + e)^2,
    // GlmKernels.CurvatureTerm per row with the weight x_nj^2 (the batch's powers: x * x, the scalar path's in-lane
    // square), into the second half of _db. The terms are summed without their sign and the scale puts it back (rounding is symmetric, as LogisticShifted).
    private void CurvatureRow(int j, int end)
    {
        int s = 0, stride = _sp;
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_eb);
        ref double delta = ref MemoryMarshal.GetArrayDataReference(_db);
        ref double x = ref MemoryMarshal.GetArrayDataReference(_xt);
        int column = j * _bp;
        ref double square = ref Unsafe.Add(ref MemoryMarshal.GetReference(Powers(2)), column);
        var scale = Vector256.Create(-Scale);
        if (WideMath.Enabled && GlmKernels.Native)
        {
            // Sixteen samples per pass in two eight-lane vectors.
            const int Wide = 2 * Lanes;
            var wideScale = Vector512.Create(-Scale);
            if (_twinSlots > 0)
            {
                s = CurvatureRowTwins(column, end);
            }
            else
            for (; s + 2 * Wide <= end; s += 2 * Wide)
            {
                var d0 = Vector512.LoadUnsafe(ref delta, (nuint)s);
                var d1 = Vector512.LoadUnsafe(ref delta, (nuint)(s + Wide));
                Vector512<double> a0 = default, a1 = default;
                for (int n = 0; n < _batch; n++)
                {
                    var xn = Vector512.Create(Unsafe.Add(ref x, column + n));
                    var wn = Vector512.Create(Unsafe.Add(ref square, n));
                    a0 = GlmKernels.CurvatureTerm(wn, Vector512.FusedMultiplyAdd(d0, xn, Vector512.LoadUnsafe(ref eta, (nuint)(n * stride + s))), a0);
                    a1 = GlmKernels.CurvatureTerm(wn, Vector512.FusedMultiplyAdd(d1, xn, Vector512.LoadUnsafe(ref eta, (nuint)(n * stride + s + Wide))), a1);
                }
                (wideScale * a0).StoreUnsafe(ref delta, (nuint)(stride + s));
                (wideScale * a1).StoreUnsafe(ref delta, (nuint)(stride + s + Wide));
            }
        }
        for (; s < end; s += Lanes)
        {
            var vDelta = Vector256.LoadUnsafe(ref delta, (nuint)s);
            var acc = Vector256<double>.Zero;
            for (int n = 0; n < _batch; n++)
            {
                var xn = Vector256.Create(Unsafe.Add(ref x, column + n));
                acc = GlmKernels.CurvatureTerm(Vector256.Create(Unsafe.Add(ref square, n)), Vector256.FusedMultiplyAdd(vDelta, xn, Vector256.LoadUnsafe(ref eta, (nuint)(n * stride + s))), acc);
            }
            (scale * acc).StoreUnsafe(ref delta, (nuint)(stride + s));
        }
    }

    private Vector512<double>[] _kept = [];

    // CurvatureRow's sixteen-sample passes when the batch repeats rows (_twin): a repeat's term is the first occurrence's
    // (the same x, hence the same eta and shift), so it is kept and added again in its place: the same sum, bit for bit,
    // with one exponential and one division fewer per repeat. Returns the first sample not done.
    private int CurvatureRowTwins(int column, int end)
    {
        const int Wide = 2 * Lanes;
        int s = 0, stride = _sp;
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_eb);
        ref double delta = ref MemoryMarshal.GetArrayDataReference(_db);
        ref double x = ref MemoryMarshal.GetArrayDataReference(_xt);
        ref double square = ref Unsafe.Add(ref MemoryMarshal.GetReference(Powers(2)), column);
        ref int twin = ref MemoryMarshal.GetArrayDataReference(_twin);
        if (_kept.Length < 2 * _twinSlots) _kept = new Vector512<double>[2 * _twinSlots];
        ref Vector512<double> kept = ref MemoryMarshal.GetArrayDataReference(_kept);
        var wideScale = Vector512.Create(-Scale);
        for (; s + 2 * Wide <= end; s += 2 * Wide)
        {
            var d0 = Vector512.LoadUnsafe(ref delta, (nuint)s);
            var d1 = Vector512.LoadUnsafe(ref delta, (nuint)(s + Wide));
            Vector512<double> a0 = default, a1 = default;
            for (int n = 0; n < _batch; n++)
            {
                int code = Unsafe.Add(ref twin, n);
                Vector512<double> t0, t1;
                if (code > 0 && (code & 1) != 0)
                {
                    // A repeat (code = 2k + 1; -1 is a row without repeats): slot k's terms.
                    t0 = Unsafe.Add(ref kept, code - 1);
                    t1 = Unsafe.Add(ref kept, code);
                }
                else
                {
                    var xn = Vector512.Create(Unsafe.Add(ref x, column + n));
                    var wn = Vector512.Create(Unsafe.Add(ref square, n));
                    t0 = GlmKernels.Curvature(wn, Vector512.FusedMultiplyAdd(d0, xn, Vector512.LoadUnsafe(ref eta, (nuint)(n * stride + s))));
                    t1 = GlmKernels.Curvature(wn, Vector512.FusedMultiplyAdd(d1, xn, Vector512.LoadUnsafe(ref eta, (nuint)(n * stride + s + Wide))));
                    if (code >= 0)
                    {
                        Unsafe.Add(ref kept, code) = t0;
                        Unsafe.Add(ref kept, code + 1) = t1;
                    }
                }
                a0 += t0;
                a1 += t1;
            }
            (wideScale * a0).StoreUnsafe(ref delta, (nuint)(stride + s));
            (wideScale * a1).StoreUnsafe(ref delta, (nuint)(stride + s + Wide));
        }
        return s;
    }

    // Per sample: eta once (EnsureEta), then every coordinate's shifted partial from it in O(batch).
    private void ScalarCoordinatePartials(SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result)
    {
        var point = Point();
        for (int s = 0; s < z.Count; s++)
        {
            Gather(z, s, point);
            EnsureEta(point);
            for (int j = 0; j < _d; j++) result[j * z.Stride + s] = ShiftedPartial(point, j, x[j * z.Stride + s], order);
        }
    }

    private void CheckBlock(SampleBlock z)
    {
        if (z.Dimension != _d) throw new ArgumentException($"The block has {z.Dimension} coordinates, the GLM has {_d} features.", nameof(z));
    }

    private Span<double> Point()
    {
        if (_point.Length < _d) _point = new double[_d];
        return _point.AsSpan(0, _d);
    }

    private static void Gather(SampleBlock z, int s, Span<double> point)
    {
        for (int j = 0; j < point.Length; j++) point[j] = z.Data[j * z.Stride + s];
    }

    // ------------------------------------------------------------------ kernels (lengths are multiples of Lanes)

    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        var va = Vector256.Create(a);
        for (int i = 0; i < x.Length; i += Lanes)
            Vector256.FusedMultiplyAdd(va, Vector256.Create(x.Slice(i, Lanes)), Vector256.Create((ReadOnlySpan<double>)y.Slice(i, Lanes))).CopyTo(y.Slice(i, Lanes));
    }

    // a . b over the batch rows, the multiply-adds in row order (the block product's order, so the same numbers).
    private double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double acc = 0;
        for (int n = 0; n < _batch; n++) acc = Math.FusedMultiplyAdd(a[n], b[n], acc);
        return acc;
    }
}
