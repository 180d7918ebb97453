using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Differentiation;

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
        Scale = s;
    }

    private void Resize(int batch)
    {
        int bp = (batch + Lanes - 1) / Lanes * Lanes;
        if (_xt.Length < _d * bp) _xt = new double[_d * bp];
        if (_yb.Length < bp) { _yb = new double[bp]; _sign = new double[bp]; }
        _batch = batch;
        _bp = bp;
        // Padding rows have x = 0 (they add nothing to any derivative of order >= 1; values sum only the real rows) and a
        // valid label.
        Array.Clear(_xt, 0, _d * bp);
        Array.Fill(_yb, 1.0, 0, bp);
        Array.Fill(_sign, 1.0, 0, bp);
        _builtPowers = 1;
        _haveEta = false;
        _haveOrders = 0;
    }

    private void Put(int slot, int row)
    {
        for (int j = 0; j < _d; j++) _xt[j * _bp + slot] = _x[row * _d + j];
        _yb[slot] = _y[row];
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
        Span<double> four = stackalloc double[4];
        for (int j = 0; j < _d; j++) result[j * stride] = value;
        for (int k = 1; k <= order; k++)
        {
            var powers = Powers(k);
            var h = H(k);
            int j = 0;
            // Four features per pass: each load of g^(k) serves four products (the pass is load-bound).
            for (; j + 4 <= _d; j += 4)
            {
                Dot4(powers.Slice(j * _bp, 4 * _bp), _bp, h, four);
                for (int i = 0; i < 4; i++) result[(j + i) * stride + k] = Scale * four[i];
            }
            for (; j < _d; j++) result[j * stride + k] = Scale * Dot(powers.Slice(j * _bp, _bp), h);
        }
    }

    // df/dw_j = scale sum_n x_nj g'(eta_n).
    public override void Gradient(ReadOnlySpan<double> z, Span<double> gradient)
    {
        EnsureEta(z);
        EnsureOrders(1, 1);
        var h1 = H(1);
        Span<double> four = stackalloc double[4];
        int j = 0;
        for (; j + 4 <= _d; j += 4)
        {
            Dot4(_xt.AsSpan(j * _bp, 4 * _bp), _bp, h1, four);
            for (int i = 0; i < 4; i++) gradient[j + i] = Scale * four[i];
        }
        for (; j < _d; j++) gradient[j] = Scale * Dot(_xt.AsSpan(j * _bp, _bp), h1);
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

    // The resummed rules' hot path for the logistic link, in one pass over the batch with no intermediate rows:
    // m = s (eta + delta x), e = exp(-|m|), r = 1 / (1 + e); g' = s sigmoid(-m) (e r for m >= 0, r otherwise) and
    // g'' = -sigmoid(m) sigmoid(-m) = -e r^2 (the sign s cancels). Padding rows have x = 0 and add 0.
    private double LogisticShifted(int coordinate, double delta, int order)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(_xt);
        ref double eta = ref MemoryMarshal.GetArrayDataReference(_eta);
        ref double sign = ref MemoryMarshal.GetArrayDataReference(_sign);
        nuint row = (nuint)(coordinate * _bp);
        var vDelta = Vector256.Create(delta);
        var one = Vector256<double>.One;
        var acc = Vector256<double>.Zero;
        for (nuint i = 0; i < (nuint)_bp; i += Lanes)
        {
            var xi = Vector256.LoadUnsafe(ref x, row + i);
            var s = Vector256.LoadUnsafe(ref sign, i);
            var m = s * Vector256.FusedMultiplyAdd(vDelta, xi, Vector256.LoadUnsafe(ref eta, i));
            var e = Vector256.Exp(-Vector256.Abs(m));
            var r = one / (one + e);
            if (order == 1)
            {
                var v = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(m, Vector256<double>.Zero), e * r, r);
                acc = Vector256.FusedMultiplyAdd(xi, s * v, acc);
            }
            else acc = Vector256.FusedMultiplyAdd(xi * xi, -(e * r * r), acc);
        }
        return Vector256.Sum(acc);
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

    // ------------------------------------------------------------------ block view: the same kernels, whole blocks

    // f for each sample: eta_s = X w_s and g(eta_s) only (not g', which the scalar Value shares with it), summed in the
    // scalar path's order, so the same numbers as Value.
    public override void Values(SampleBlock z, Span<double> values)
    {
        CheckBlock(z);
        int bp = _bp;
        if (_etaBlock.Length < bp) _etaBlock = new double[bp];
        if (_hBlock.Length < bp) _hBlock = new double[bp];
        var eta = _etaBlock.AsSpan(0, bp);
        for (int s = 0; s < z.Count; s++)
        {
            BlockEta(z, s, eta);
            _link.Derivatives(_yb.AsSpan(0, _batch), eta[.._batch], 0, 0, _hBlock, bp);
            values[s] = SumOfValues(_hBlock);
        }
    }

    public override void PurePartials(SampleBlock z, int order, Span<double> partials)
    {
        CheckBlock(z);
        if (order < 1) return;
        CheckOrder(order);
        BlockPartials(z, order, lowest: 1, default, partials);
    }

    // The Fourier series and the pathwise rule need f (its finiteness check) and the partials at every sample: one eta
    // and one pass of the link over orders 0..order per sample serve both (g^(k) of each order is computed the same way
    // whatever the range asked, so values and partials equal Value and PurePartials bit for bit).
    public override void ValuesAndPurePartials(SampleBlock z, int order, Span<double> values, Span<double> partials)
    {
        CheckBlock(z);
        if (order < 1)
        {
            Values(z, values);
            return;
        }
        CheckOrder(order);
        BlockPartials(z, order, lowest: 0, values, partials);
    }

    // The block as small matrix products, one per order: partials_k (d x S) = scale P_k (d x B) G_k (B x S), with
    // P_k[j, n] = x_nj^k and G_k[n, s] = g^(k)(eta_{n,s}). Four features by two samples per pass over the batch, so each
    // load serves two or four products; every entry is summed in the same order as the scalar path (the same numbers).
    // lowest = 0 also writes values[s] = f(w_s) from the order-0 row.
    private void BlockPartials(SampleBlock z, int order, int lowest, Span<double> values, Span<double> partials)
    {
        int count = z.Count, bp = _bp, rows = count * bp, held = order - lowest + 1;
        if (_etaBlock.Length < rows) _etaBlock = new double[rows];
        if (_hBlock.Length < held * rows) _hBlock = new double[held * rows];
        var etas = _etaBlock.AsSpan(0, rows);
        // eta_s = X w_s, and g^(k)(eta_s) for k = lowest..order at [(k - lowest) * rows + s * bp + n].
        for (int s = 0; s < count; s++)
        {
            var eta = etas.Slice(s * bp, bp);
            BlockEta(z, s, eta);
            _link.Derivatives(_yb.AsSpan(0, _batch), eta[.._batch], lowest, order, _hBlock.AsSpan(s * bp), rows);
            for (int k = lowest; k <= order; k++) ClearPadding(_hBlock.AsSpan((k - lowest) * rows + s * bp, bp));
            if (lowest == 0) values[s] = SumOfValues(_hBlock.AsSpan(s * bp, bp));
        }
        Span<double> eight = stackalloc double[8];
        int stride = z.Stride;
        for (int k = 1; k <= order; k++)
        {
            var powers = Powers(k);
            var h = _hBlock.AsSpan((k - lowest) * rows, rows);
            int j = 0;
            for (; j + 4 <= _d; j += 4)
            {
                int s = 0;
                for (; s + 2 <= count; s += 2)
                {
                    Dot4x2(powers.Slice(j * bp, 4 * bp), h.Slice(s * bp, 2 * bp), bp, eight);
                    for (int i = 0; i < 4; i++)
                    {
                        partials[(k * _d + j + i) * stride + s] = Scale * eight[i];
                        partials[(k * _d + j + i) * stride + s + 1] = Scale * eight[4 + i];
                    }
                }
                for (; s < count; s++)
                {
                    Dot4(powers.Slice(j * bp, 4 * bp), bp, h.Slice(s * bp, bp), eight);
                    for (int i = 0; i < 4; i++) partials[(k * _d + j + i) * stride + s] = Scale * eight[i];
                }
            }
            for (; j < _d; j++)
                for (int s = 0; s < count; s++)
                    partials[(k * _d + j) * stride + s] = Scale * Dot(powers.Slice(j * bp, bp), h.Slice(s * bp, bp));
        }
    }

    // eta = sum_j w_j x_.j for sample s of the block, the axpys in EnsureEta's order (the same eta as the scalar path).
    private void BlockEta(SampleBlock z, int s, Span<double> eta)
    {
        eta.Clear();
        for (int j = 0; j < _d; j++) Axpy(z.Data[j * z.Stride + s], _xt.AsSpan(j * _bp, _bp), eta);
    }

    private double[] _etaBlock = [], _hBlock = [];

    // The resummed rules' call: per sample eta once (EnsureEta), then every coordinate's shifted partial from it in O(batch).
    public override void CoordinatePartials(SampleBlock z, ReadOnlySpan<double> x, int order, Span<double> result)
    {
        CheckBlock(z);
        CheckOrder(order);
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

    // out[i] = rows[i * bp ..] . h for four consecutive rows.
    private static void Dot4(ReadOnlySpan<double> rows, int bp, ReadOnlySpan<double> h, Span<double> output)
    {
        ref double r = ref MemoryMarshal.GetReference(rows);
        ref double g = ref MemoryMarshal.GetReference(h);
        nuint b = (nuint)bp;
        var a0 = Vector256<double>.Zero;
        var a1 = Vector256<double>.Zero;
        var a2 = Vector256<double>.Zero;
        var a3 = Vector256<double>.Zero;
        for (nuint i = 0; i < b; i += Lanes)
        {
            var hv = Vector256.LoadUnsafe(ref g, i);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, i), hv, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, b + i), hv, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, 2 * b + i), hv, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, 3 * b + i), hv, a3);
        }
        output[0] = Vector256.Sum(a0);
        output[1] = Vector256.Sum(a1);
        output[2] = Vector256.Sum(a2);
        output[3] = Vector256.Sum(a3);
    }

    // Four rows against two vectors h0 = hs[0 .. bp), h1 = hs[bp .. 2 bp): output[i] = rows_i . h0, output[4 + i] = rows_i . h1.
    private static void Dot4x2(ReadOnlySpan<double> rows, ReadOnlySpan<double> hs, int bp, Span<double> output)
    {
        ref double r = ref MemoryMarshal.GetReference(rows);
        ref double g = ref MemoryMarshal.GetReference(hs);
        nuint b = (nuint)bp;
        var a0 = Vector256<double>.Zero; var a1 = Vector256<double>.Zero; var a2 = Vector256<double>.Zero; var a3 = Vector256<double>.Zero;
        var c0 = Vector256<double>.Zero; var c1 = Vector256<double>.Zero; var c2 = Vector256<double>.Zero; var c3 = Vector256<double>.Zero;
        for (nuint i = 0; i < b; i += Lanes)
        {
            var h0 = Vector256.LoadUnsafe(ref g, i);
            var h1 = Vector256.LoadUnsafe(ref g, b + i);
            var r0 = Vector256.LoadUnsafe(ref r, i);
            var r1 = Vector256.LoadUnsafe(ref r, b + i);
            var r2 = Vector256.LoadUnsafe(ref r, 2 * b + i);
            var r3 = Vector256.LoadUnsafe(ref r, 3 * b + i);
            a0 = Vector256.FusedMultiplyAdd(r0, h0, a0); c0 = Vector256.FusedMultiplyAdd(r0, h1, c0);
            a1 = Vector256.FusedMultiplyAdd(r1, h0, a1); c1 = Vector256.FusedMultiplyAdd(r1, h1, c1);
            a2 = Vector256.FusedMultiplyAdd(r2, h0, a2); c2 = Vector256.FusedMultiplyAdd(r2, h1, c2);
            a3 = Vector256.FusedMultiplyAdd(r3, h0, a3); c3 = Vector256.FusedMultiplyAdd(r3, h1, c3);
        }
        output[0] = Vector256.Sum(a0); output[1] = Vector256.Sum(a1); output[2] = Vector256.Sum(a2); output[3] = Vector256.Sum(a3);
        output[4] = Vector256.Sum(c0); output[5] = Vector256.Sum(c1); output[6] = Vector256.Sum(c2); output[7] = Vector256.Sum(c3);
    }

    // a . b with one accumulator, in the order Dot4 sums (so a partial is the same number whichever path computed it).
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        ref double x = ref MemoryMarshal.GetReference(a);
        ref double y = ref MemoryMarshal.GetReference(b);
        var acc = Vector256<double>.Zero;
        for (nuint i = 0; i < (nuint)a.Length; i += Lanes)
            acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), acc);
        return Vector256.Sum(acc);
    }

}
