using System.Globalization;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// Theorem 2 on a finite support, per independent coordinate j (each copy is a clique):
/// <c>dL/dtheta = sum_{k != z*} dp_k/dtheta E[f(z_{-j}, k) - f(z_{-j}, z*)]</c>, with <c>p_k = exp(logpmf(k))</c>,
/// <c>dp_k/dtheta = p_k score(k)</c> and <c>z*</c> the first support point. No derivatives of f and no truncation:
/// exact in expectation, and exact with one sample when z has one coordinate (Bernoulli: <c>f(1) - f(0)</c>).
/// </summary>
internal sealed class FiniteSupportKernel : SeriesKernel
{
    private readonly IDistributionRule _rule;
    private readonly Objective _f;
    private readonly int[] _rowCopy;
    private readonly double[] _rowPoint;
    private readonly double[] _reference;   // z* per copy

    public FiniteSupportKernel(Problem problem, Objective f) : base(problem)
    {
        _rule = problem.Rule.Direct!;
        _f = f;
        int pd = _rule.Differentiable.Count;
        Span<int> slots = stackalloc int[pd];
        var score = new double[pd];
        var dp = new double[pd];
        var copies = new List<int>();
        var points = new List<double>();
        _reference = new double[problem.Copies];
        for (int c = 0; c < problem.Copies; c++)
        {
            var theta = problem.Thetas[c];
            var support = problem.Rule.FiniteSupport(theta)
                ?? throw new EstimatorNotApplicableException("fourier", $"the points of {_rule.Name}'s finite support are not known");
            double total = 0;
            for (int p = 0; p < pd; p++) slots[p] = c * pd + p;
            _reference[c] = support[0];
            for (int k = 0; k < support.Length; k++)
            {
                double x = support[k];
                double probability = Math.Exp(_rule.LogDensity(theta, [x]));
                total += probability;
                if (k == 0) continue;
                _rule.Score(theta, [x], score);
                for (int p = 0; p < pd; p++)
                {
                    dp[p] = probability * score[p];
                    if (!double.IsFinite(dp[p]))
                        throw new NonFiniteValueException("fourier", $"dP(z = {x.ToString("R", CultureInfo.InvariantCulture)})/d{_rule.Parameters[_rule.Differentiable[p]].Name} of {_rule.Name}", dp[p],
                            advice: "the logpmf or its score is not finite at these parameters");
                }
                if (AddRow(1, slots, dp) >= 0)
                {
                    copies.Add(c);
                    points.Add(x);
                }
            }
            if (!(Math.Abs(total - 1) <= 1e-8))
                throw new EstimatorNotApplicableException("fourier",
                    $"{_rule.Name}'s logpmf sums to {total.ToString("R", CultureInfo.InvariantCulture)}, not 1, over its support {{{string.Join(", ", support)}}}");
        }
        _rowCopy = [.. copies];
        _rowPoint = [.. points];
        Seal();
    }

    public override string Method => "discrete (Theorem 2)";
    public override string Quantity(int row) => $"the difference f(z with {_rowPoint[row].ToString("R", CultureInfo.InvariantCulture)}) - f(z with the first support point)";
    public override int? DerivativeOrder(int row) => null;
    public override bool IsSeries => false;
    public override bool IsDeterministic => Problem.TotalVariables == 1;

    public override void Draw(RandomSource random, Span<double> z)
    {
        for (int c = 0; c < Problem.Copies; c++) _rule.Sample(Problem.Thetas[c], random, z.Slice(c, 1));
    }

    public override void Evaluate(ReadOnlySpan<double> z, Span<double> rows)
    {
        int previous = -1;
        double reference = 0;
        for (int r = 0; r < _rowCopy.Length; r++)
        {
            int c = _rowCopy[r];
            if (c != previous)
            {
                reference = _f.CoordinateSlice(z, c, _reference[c]);
                previous = c;
            }
            rows[r] = _f.CoordinateSlice(z, c, _rowPoint[r]) - reference;
        }
    }
}

/// <summary>
/// An exact shift rule on an integer lattice: when <c>dK/dtheta(t) = sum_{k != 0} c_k (e^{kt} - 1)</c>, a finite sum of
/// shifts (Poisson: <c>dK/dlambda = e^t - 1</c>; a difference of Poissons adds <c>e^{-t} - 1</c>), Theorem 1 reads
/// <c>dL/dtheta = sum_k c_k E[f(z + k) - f(z)]</c>: exact, no truncation. The c_k are found from the rule's own
/// coefficients, <c>a_n = sum_k c_k k^n / n!</c>: solved on the first 2M orders and accepted only when every further
/// order up to N agrees to rounding.
/// </summary>
internal sealed class ShiftRuleKernel : SeriesKernel
{
    private const int MaxShift = 3;

    private readonly IDistributionRule _rule;
    private readonly Objective _f;
    private readonly int[] _rowCopy;
    private readonly int[] _rowShift;

    private ShiftRuleKernel(Problem problem, Objective f, List<(int Copy, int Shift, double[] Coefficients)> rows) : base(problem)
    {
        _rule = problem.Rule.Direct!;
        _f = f;
        int pd = _rule.Differentiable.Count;
        Span<int> slots = stackalloc int[pd];
        var copies = new List<int>();
        var shifts = new List<int>();
        foreach (var (copy, shift, coefficients) in rows)
        {
            for (int p = 0; p < pd; p++) slots[p] = copy * pd + p;
            if (AddRow(1, slots, coefficients) < 0) continue;
            copies.Add(copy);
            shifts.Add(shift);
        }
        _rowCopy = [.. copies];
        _rowShift = [.. shifts];
        Seal();
    }

    public override string Method => "shift rule";
    public override string Quantity(int row) => $"the shifted difference f(z + {_rowShift[row]}) - f(z)";
    public override int? DerivativeOrder(int row) => null;
    public override bool IsSeries => false;

    /// <summary>The exact shift rule, or null when dK/dtheta is not a short sum of shifts (up to ±3) at these parameters.</summary>
    public static ShiftRuleKernel? TryCreate(Problem problem, Objective f, int order)
    {
        var rule = problem.Rule.Direct!;
        int pd = rule.Differentiable.Count;
        var a = new double[rule.MultiIndices.Count * pd];
        var rows = new List<(int, int, double[])>();
        for (int c = 0; c < problem.Copies; c++)
        {
            rule.Coefficients(problem.Thetas[c], a);
            EnsureFinite(rule, problem.Thetas[c], a, order);
            double[,]? fit = null; // [shift index, p]
            int m = 1;
            for (; m <= MaxShift && 2 * m + 1 <= order && fit is null; m++) fit = Fit(a, pd, m, order);
            if (fit is null) return null;
            m--;
            for (int i = 0; i < 2 * m; i++)
            {
                var coefficients = new double[pd];
                for (int p = 0; p < pd; p++) coefficients[p] = fit[i, p];
                rows.Add((c, Shift(i, m), coefficients));
            }
        }
        return new ShiftRuleKernel(problem, f, rows);
    }

    // Shifts -m..-1, 1..m by index.
    private static int Shift(int i, int m) => i < m ? i - m : i - m + 1;

    // Solves sum_k c_k k^n / n! = a_n for n = 1..2m (per parameter), then checks n = 2m+1..order.
    private static double[,]? Fit(double[] a, int pd, int m, int order)
    {
        int size = 2 * m;
        var fit = new double[size, pd];
        var matrix = new double[size, size];
        var rhs = new double[size];
        for (int p = 0; p < pd; p++)
        {
            double factorial = 1;
            for (int n = 1; n <= size; n++)
            {
                factorial *= n;
                for (int i = 0; i < size; i++) matrix[n - 1, i] = Math.Pow(Shift(i, m), n) / factorial;
                rhs[n - 1] = a[(n - 1) * pd + p];
            }
            if (!Solve(matrix, rhs)) return null;
            double largest = 0;
            for (int i = 0; i < size; i++) largest = Math.Max(largest, Math.Abs(rhs[i]));
            for (int i = 0; i < size; i++) fit[i, p] = Math.Abs(rhs[i]) <= 1e-12 * largest ? 0 : rhs[i];
            factorial = 1;
            for (int n = 1; n <= order; n++)
            {
                factorial *= n;
                double sum = 0, scale = Math.Abs(a[(n - 1) * pd + p]);
                for (int i = 0; i < size; i++)
                {
                    double term = fit[i, p] * Math.Pow(Shift(i, m), n) / factorial;
                    sum += term;
                    scale += Math.Abs(term);
                }
                if (Math.Abs(sum - a[(n - 1) * pd + p]) > 1e-9 * scale + 1e-300) return null;
            }
        }
        return fit;
    }

    // Gaussian elimination with partial pivoting; the solution replaces rhs. False when singular.
    private static bool Solve(double[,] matrix, double[] rhs)
    {
        int n = rhs.Length;
        var m = (double[,])matrix.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (m[pivot, col] == 0) return false;
            if (pivot != col)
            {
                for (int k = 0; k < n; k++) (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
                (rhs[col], rhs[pivot]) = (rhs[pivot], rhs[col]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double factor = m[r, col] / m[col, col];
                for (int k = col; k < n; k++) m[r, k] -= factor * m[col, k];
                rhs[r] -= factor * rhs[col];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = rhs[r];
            for (int k = r + 1; k < n; k++) sum -= m[r, k] * rhs[k];
            rhs[r] = sum / m[r, r];
        }
        return true;
    }

    public override void Draw(RandomSource random, Span<double> z)
    {
        for (int c = 0; c < Problem.Copies; c++) _rule.Sample(Problem.Thetas[c], random, z.Slice(c, 1));
    }

    public override void Evaluate(ReadOnlySpan<double> z, Span<double> rows)
    {
        int previous = -1;
        double here = 0;
        for (int r = 0; r < _rowCopy.Length; r++)
        {
            int c = _rowCopy[r];
            if (c != previous)
            {
                here = _f.CoordinateSlice(z, c, z[c]);
                previous = c;
            }
            rows[r] = ShiftedDifference.Of("fourier", _f, z, c, _rowShift[r], here);
        }
    }
}

/// <summary>
/// The Fourier rule on an integer lattice (<c>naturals</c>, <c>integers</c>). With <c>u = e^t - 1</c> the shift
/// operator is <c>E = 1 + Delta</c>, so writing <c>dK/dtheta(t) = sum_n a_n t^n</c> as a series in u,
/// <c>sum_m b_m u^m</c> with <c>t = log(1 + u)</c>, gives <c>dL/dtheta = sum_m b_m E[Delta^m f(z)]</c>: forward
/// differences instead of derivatives (check with <c>f = e^{tz}</c>: <c>Delta^m f = u^m f</c>). For Poisson,
/// <c>dK/dlambda = e^t - 1 = u</c>: exactly <c>E[f(z+1) - f(z)]</c>, the shift rule. Coefficients that cancel to
/// rounding are set to zero, so such rules are reported exact.
/// </summary>
internal sealed class LatticeKernel : SeriesKernel
{
    private readonly IDistributionRule _rule;
    private readonly Objective _f;
    private readonly int _order, _shifts;
    private readonly bool _checksNextOrder;
    private readonly int[] _rowOf;          // [copy * order + m - 1] -> row or -1
    private readonly double[] _binomial;    // (-1)^{m-i} C(m, i) at [m * (shifts + 1) + i]
    private readonly double[] _slices;

    public LatticeKernel(Problem problem, Objective f, int order) : base(problem)
    {
        _rule = problem.Rule.Direct!;
        _f = f;
        _order = order;
        int pd = _rule.Differentiable.Count;
        var powers = LogPowers(order);
        var a = new double[_rule.MultiIndices.Count * pd];
        Span<int> slots = stackalloc int[pd];
        Span<double> b = stackalloc double[pd];
        Span<double> e = stackalloc double[pd];
        _rowOf = new int[problem.Copies * order];
        Array.Fill(_rowOf, -1);
        for (int c = 0; c < problem.Copies; c++)
        {
            _rule.Coefficients(problem.Thetas[c], a);
            EnsureFinite(_rule, problem.Thetas[c], a, order);
            var errors = ErrorsOf(_rule, problem.Thetas[c], a.Length);
            for (int p = 0; p < pd; p++) slots[p] = c * pd + p;
            for (int m = 1; m <= order; m++)
            {
                for (int p = 0; p < pd; p++)
                {
                    // b_m = sum_{n <= m} a_n [u^m] log(1+u)^n; a sum that cancels to rounding is zero.
                    double sum = 0, size = 0, error = 0;
                    for (int n = 1; n <= m; n++)
                    {
                        double term = a[(n - 1) * pd + p] * powers[n, m];
                        sum += term;
                        size += Math.Abs(term);
                        if (errors is not null) error += errors[(n - 1) * pd + p] * Math.Abs(powers[n, m]);
                    }
                    b[p] = Math.Abs(sum) <= 1e-12 * size ? 0 : sum;
                    e[p] = error + (m + 1) * 1.1102230246251565E-16 * size;
                }
                _rowOf[c * order + m - 1] = errors is null ? AddRow(m, slots, b) : AddRow(m, slots, b, e);
            }
        }
        Seal();
        _checksNextOrder = HighestOrder == order;
        _shifts = _checksNextOrder ? order + 1 : Math.Max(HighestOrder, 1);
        _binomial = new double[(_shifts + 1) * (_shifts + 1)];
        for (int m = 0; m <= _shifts; m++)
        {
            double coefficient = 1; // C(m, i)
            for (int i = 0; i <= m; i++)
            {
                _binomial[m * (_shifts + 1) + i] = ((m - i) & 1) == 0 ? coefficient : -coefficient;
                coefficient = coefficient * (m - i) / (i + 1);
            }
        }
        _slices = new double[_shifts + 1];
    }

    public override string Method => "shift differences";
    public override string Quantity(int row) => $"the forward difference Delta^{RowOrder[row]} f";
    public override int? DerivativeOrder(int row) => null;
    public override bool ChecksNextOrder => _checksNextOrder;

    // [u^m] log(1 + u)^n for 1 <= n <= m <= order, by repeated truncated products.
    private static double[,] LogPowers(int order)
    {
        var p = new double[order + 1, order + 1];
        for (int m = 1; m <= order; m++) p[1, m] = ((m & 1) == 1 ? 1.0 : -1.0) / m;
        for (int n = 2; n <= order; n++)
            for (int m = n; m <= order; m++)
            {
                double sum = 0;
                for (int k = n - 1; k < m; k++) sum += p[n - 1, k] * p[1, m - k];
                p[n, m] = sum;
            }
        return p;
    }

    public override void Draw(RandomSource random, Span<double> z)
    {
        for (int c = 0; c < Problem.Copies; c++) _rule.Sample(Problem.Thetas[c], random, z.Slice(c, 1));
    }

    public override void Evaluate(ReadOnlySpan<double> z, Span<double> rows)
    {
        bool vanished = true;
        int width = _shifts + 1;
        for (int c = 0; c < Problem.Copies; c++)
        {
            for (int i = 0; i <= _shifts; i++) _slices[i] = _f.CoordinateSlice(z, c, z[c] + i);
            for (int m = 1; m <= _shifts; m++)
            {
                double delta = 0; // Delta^m f = sum_i (-1)^{m-i} C(m,i) f(z + i)
                for (int i = 0; i <= m; i++) delta += _binomial[m * width + i] * _slices[i];
                if (m <= _order)
                {
                    int row = _rowOf[c * _order + m - 1];
                    if (row >= 0) rows[row] = delta;
                }
                else vanished &= delta == 0;
            }
        }
        NextOrderVanished = vanished;
    }
}
