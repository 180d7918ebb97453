using System.Collections.Immutable;
using System.Globalization;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// The common shape of the Fourier rule and its discrete forms: a gradient that is a fixed linear combination of
/// sample means, <c>dL/dtheta_p = sum_r C_{r,p} E[D_r(z)]</c>. A row r is one derivative quantity (<c>d^n f / dz_j^n</c>
/// for one copy, a mixed partial, a forward difference <c>Delta^m f</c>, a difference <c>f(z_{-j}, k) - f(z_{-j}, z*)</c>)
/// with the order of its series term; its entries are the non-zero coefficients <c>C_{r,p}</c> (the rule's
/// <c>a_{n,p}</c>, chained through the latents' arguments for a derived distribution). Subclasses say how to draw z
/// and how to compute every row's value at it.
/// </summary>
internal abstract class SeriesKernel(Problem problem)
{
    private readonly List<int> _rowOrder = [];
    private readonly List<int> _rowStart = [0];
    private readonly List<int> _entrySlot = [];
    private readonly List<double> _entryCoefficient = [];
    private readonly List<double> _entryError = [];

    public Problem Problem { get; } = problem;

    /// <summary>The method's name for reports.</summary>
    public abstract string Method { get; }

    /// <summary>False for Theorem 2 on a finite support: one exact sum, no orders.</summary>
    public virtual bool IsSeries => true;

    /// <summary>Whether <see cref="Evaluate"/> sets <see cref="NextOrderVanished"/> (jets of one order more).</summary>
    public virtual bool ChecksNextOrder => false;

    /// <summary>After <see cref="Evaluate"/>: whether every derivative of order N + 1 was exactly zero at this sample.</summary>
    public bool NextOrderVanished { get; protected set; }

    /// <summary>Whether every row's value is the same at every sample (then one sample is exact, standard error 0).</summary>
    public virtual bool IsDeterministic => false;

    /// <summary>After <see cref="Evaluate"/>: f's own value at the sample when the kernel computes it (NaN there is reported), else 0.</summary>
    public double LastValue { get; protected set; }

    /// <summary>What row r's value is, in words, for error messages.</summary>
    public virtual string Quantity(int row) => $"f^({RowOrder[row]}), the derivative of order {RowOrder[row]} of f,";

    /// <summary>The derivative order of row r when the row is a derivative of f (null for differences).</summary>
    public virtual int? DerivativeOrder(int row) => RowOrder[row];

    /// <summary>
    /// Refuses coefficients that are not finite (a_{n,p} overflows at high order for large scales: Gamma's k mu^(n-1) at
    /// mu = 1e10, n = 32): the series cannot be summed with them. Checks the rows of total degree up to <paramref name="order"/>.
    /// </summary>
    protected static void EnsureFinite(IDistributionRule rule, ReadOnlySpan<double> theta, ReadOnlySpan<double> a, int order)
    {
        int pd = rule.Differentiable.Count;
        var indices = rule.MultiIndices;
        for (int row = 0; row < indices.Count; row++)
        {
            int degree = 0;
            foreach (int k in indices[row]) degree += k;
            if (degree > order) continue;
            for (int p = 0; p < pd; p++)
            {
                double value = a[row * pd + p];
                if (!double.IsFinite(value)) NotFinite(rule, theta, indices[row], degree, p, value);
            }
        }
    }

    // The throw of EnsureFinite in its own method: its closure would otherwise be allocated on every pass of the loop.
    private static void NotFinite(IDistributionRule rule, ReadOnlySpan<double> theta, int[] index, int degree, int p, double value)
    {
        string n = index.Length == 1 ? degree.ToString(CultureInfo.InvariantCulture) : "(" + string.Join(",", index) + ")";
        var values = theta.ToArray();
        string parameters = string.Join(", ", rule.Parameters.Select((q, i) => q.Name + " = " + values[i].ToString("R", CultureInfo.InvariantCulture)));
        throw new NonFiniteValueException("fourier", $"the coefficient a_{{{n},{rule.Parameters[rule.Differentiable[p]].Name}}} of {rule.Name} at {parameters}", value,
            advice: degree > 1 ? $"it overflows at order {degree}; use --order {degree - 1} or less, or parameters of a smaller scale" : "the parameters are out of the rule's numerical range");
    }

    public int RowCount => _rowOrder.Count;
    public int[] RowOrder { get; private set; } = [];
    public int[] RowStart { get; private set; } = [];
    public int[] EntrySlot { get; private set; } = [];
    public double[] EntryCoefficient { get; private set; } = [];

    /// <summary>The highest order with a row (non-zero coefficients), known once sealed.</summary>
    public int HighestOrder { get; private set; }

    /// <summary>Bounds on the rounding error of each entry's coefficient (0 where the rule gives none).</summary>
    public double[] EntryError { get; private set; } = [];

    /// <summary>Whether any coefficient came with a rounding error bound (<see cref="ICoefficientErrors"/>).</summary>
    public bool HasErrorBounds { get; private set; }

    /// <summary>Adds a row with the non-zero coefficients among <paramref name="coefficients"/> (slot i for entry i); returns its index, or -1 when all are zero.</summary>
    /// <param name="errors">Bounds on the coefficients' rounding errors, or empty when unknown.</param>
    protected int AddRow(int order, ReadOnlySpan<int> slots, ReadOnlySpan<double> coefficients, ReadOnlySpan<double> errors = default)
    {
        int added = 0;
        if (!errors.IsEmpty) HasErrorBounds = true;
        for (int i = 0; i < slots.Length; i++)
        {
            if (coefficients[i] == 0) continue;
            _entrySlot.Add(slots[i]);
            _entryCoefficient.Add(coefficients[i]);
            _entryError.Add(errors.IsEmpty ? 0 : errors[i]);
            added++;
        }
        if (added == 0) return -1;
        _rowOrder.Add(order);
        _rowStart.Add(_entrySlot.Count);
        return _rowOrder.Count - 1;
    }

    /// <summary>Freezes the rows (call at the end of the subclass constructor).</summary>
    protected void Seal()
    {
        RowOrder = [.. _rowOrder];
        HighestOrder = RowOrder.Length == 0 ? 0 : RowOrder.Max();
        RowStart = [.. _rowStart];
        EntrySlot = [.. _entrySlot];
        EntryCoefficient = [.. _entryCoefficient];
        EntryError = [.. _entryError];
    }

    /// <summary>The rule's error bounds for its coefficients at theta (length of a), or null when it gives none.</summary>
    protected static double[]? ErrorsOf(IDistributionRule rule, ReadOnlySpan<double> theta, int length)
    {
        if (rule is not ICoefficientErrors bounded) return null;
        var errors = new double[length];
        bounded.CoefficientErrors(theta, errors);
        return errors;
    }

    public abstract void Draw(RandomSource random, Span<double> z);

    /// <summary>Every row's value at z (the sample just drawn).</summary>
    public abstract void Evaluate(ReadOnlySpan<double> z, Span<double> rows);
}

/// <summary>Per-sample checks shared by the estimators' loops (allocation-free unless they throw).</summary>
internal static class Finite
{
    /// <summary>Throws when a per-sample gradient contribution is not finite (f times a large score, an overflowing product).</summary>
    public static void Check(string estimator, ReadOnlySpan<double> contribution, long sample, ReadOnlySpan<double> z)
    {
        for (int i = 0; i < contribution.Length; i++)
            if (!double.IsFinite(contribution[i]))
                throw new NonFiniteValueException(estimator, "the sample's contribution to the gradient", contribution[i], sample, z.ToArray());
    }

    /// <summary>Throws when f's value at a sample is not finite.</summary>
    public static void CheckValue(string estimator, double value, long sample, ReadOnlySpan<double> z)
    {
        if (!double.IsFinite(value)) throw new NonFiniteValueException(estimator, "f", value, sample, z.ToArray(), 0);
    }
}

/// <summary>Runs a <see cref="SeriesKernel"/>: the sampling loop, the standard errors, the terms by order, truncation.</summary>
internal static class SeriesEngine
{
    /// <summary>
    /// Refuses the series when a slot's rule needs a derivative of f beyond what f's smoothness makes true: slot p needs
    /// f^(n) up to the highest order n with a non-zero coefficient for it (Normal's mu needs f' alone, its sigma f'',
    /// Gamma's parameters every order up to N). Rows that are differences of f need no smoothness.
    /// </summary>
    internal static void RequireSmoothness(string estimator, SeriesKernel kernel, Functions.Smoothness smoothness)
    {
        if (smoothness.IsSmooth) return;
        var problem = kernel.Problem;
        var needed = new int[problem.GradientLength];
        for (int r = 0; r < kernel.RowCount; r++)
        {
            if (kernel.DerivativeOrder(r) is not { } n) continue;
            for (int e = kernel.RowStart[r]; e < kernel.RowStart[r + 1]; e++)
                needed[kernel.EntrySlot[e]] = Math.Max(needed[kernel.EntrySlot[e]], n);
        }
        int most = needed.DefaultIfEmpty(0).Max();
        if (most <= smoothness.Order) return;
        var over = Enumerable.Range(0, needed.Length).Where(p => needed[p] > smoothness.Order)
            .Select(p => problem.Slots[p].Parameter).Distinct();
        throw new EstimatorNotApplicableException(estimator,
            smoothness.Refusal(most, $"the series for {string.Join(", ", over)}")!);
    }

    // Per row: the stencil's error per unit |f| at unit scale (Derivatives.StencilErrorScale at the evaluator's accuracy 4).
    internal static double[] StencilScales(SeriesKernel kernel)
    {
        var scales = new double[kernel.RowCount];
        for (int r = 0; r < kernel.RowCount; r++)
            if (kernel.DerivativeOrder(r) is { } m and > 0) scales[r] = Differentiation.Derivatives.StencilErrorScale(m);
        return scales;
    }

    // f written over jets that applied Jet.Abs while the kernel evaluated it: a kink the objective did not declare.
    internal static void CheckKinks(string estimator, SeriesKernel kernel, long before) => CheckKinks(estimator, kernel, Differentiation.Jet.KinkEvaluations != before);

    /// <summary>Refuses the series when f applied a kink (the batched core counts them on every thread).</summary>
    internal static void CheckKinks(string estimator, SeriesKernel kernel, bool kinked)
    {
        if (kinked)
            RequireSmoothness(estimator, kernel, Functions.Smoothness.Kinked("it applies Jet.Abs, which has a kink where its argument is 0"));
    }

    /// <param name="order">Truncation order N (the kernel has no rows above it).</param>
    /// <param name="auto">Keep, for each slot, the orders up to its smallest term (per-order Welford accumulators).</param>
    /// <param name="f">The objective, for its smoothness: a row of order n needs f^(n) to be f's true derivative.</param>
    public static GradientEstimate Run(string estimator, SeriesKernel kernel, Functions.Objective f, int order, bool auto, int samples, RandomSource random)
    {
        RequireSmoothness(estimator, kernel, f.Smoothness);
        long kinks = Differentiation.Jet.KinkEvaluations;
        var problem = kernel.Problem;
        int slots = problem.GradientLength, rows = kernel.RowCount;
        int orders = kernel.IsSeries ? Math.Max(order, 1) : 1;
        bool perOrder = auto && kernel.IsSeries;
        var rowOrder = kernel.RowOrder;
        var rowStart = kernel.RowStart;
        var entrySlot = kernel.EntrySlot;
        var entryCoefficient = kernel.EntryCoefficient;

        if (slots == 0) throw new EstimatorNotApplicableException(estimator, $"{problem.Rule.Name} has no differentiable parameter");
        var contribution = new double[perOrder ? orders * slots : slots];
        var welford = new Welford(contribution.Length);
        // Row statistics for the terms, shifted by each row's first value so that the variance does not cancel.
        var shift = new double[rows];
        var sums = new double[rows];
        var squares = new double[rows];
        var z = new double[problem.TotalVariables];
        var values = new double[rows];
        bool nextVanished = kernel.ChecksNextOrder;
        // Stencils: each row's rounding error, 2 eps sum_i |w_i| |f| / h^m with the default step h_m = eps^(1/(m+4)) max(1, |z|)
        // (the truncation error is of the same size at that step), averaged over the samples.
        var stencil = f.Mode == Functions.DerivativeMode.Stencil ? StencilScales(kernel) : null;
        var stencilError = stencil is null ? null : new double[rows];

        for (int s = 0; s < samples; s++)
        {
            problem.Monitor.Sample(s);
            kernel.Draw(random, z);
            kernel.Evaluate(z, values);
            if (!double.IsFinite(kernel.LastValue))
                throw new NonFiniteValueException(estimator, "f", kernel.LastValue, s, z, 0);
            for (int r = 0; r < rows; r++)
                if (!double.IsFinite(values[r]))
                    throw new NonFiniteValueException(estimator, kernel.Quantity(r), values[r], s, z, kernel.DerivativeOrder(r),
                        kernel.DerivativeOrder(r) is > 1 and var n ? $"if only high orders overflow, --order {n - 1} or less may do" : null);
            if (s == 0)
            {
                values.AsSpan().CopyTo(shift);
                CheckKinks(estimator, kernel, kinks);
            }
            if (kernel.ChecksNextOrder) nextVanished &= kernel.NextOrderVanished;
            if (stencil is not null)
            {
                // Each coordinate's stencil steps by max(1, |z_j|): the smallest of those gives the largest error, so
                // several coordinates take it (one gives its own). (kernel.LastValue is not f(z): it only carries a non-finite f.)
                double size = Math.Abs(f.Value(z)), scale = double.PositiveInfinity;
                foreach (double x in z) scale = Math.Min(scale, Math.Max(1, Math.Abs(x)));
                for (int r = 0; r < rows; r++)
                    if (kernel.DerivativeOrder(r) is { } m and > 0) stencilError![r] += stencil[r] * size / Math.Pow(scale, m);
            }
            Array.Clear(contribution);
            for (int r = 0; r < rows; r++)
            {
                double v = values[r], d = v - shift[r];
                sums[r] += d;
                squares[r] += d * d;
                if (v == 0) continue;
                int offset = perOrder ? (rowOrder[r] - 1) * slots : 0;
                for (int e = rowStart[r]; e < rowStart[r + 1]; e++) contribution[offset + entrySlot[e]] += entryCoefficient[e] * v;
            }
            if (perOrder)
                for (int i = slots; i < contribution.Length; i++) contribution[i] += contribution[i - slots];
            Finite.Check(estimator, contribution, s, z);
            welford.Add(contribution);
        }

        CheckKinks(estimator, kernel, kinks); // an abs in a branch the first sample did not take

        var rowMean = new double[rows];
        var rowVariance = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            rowMean[r] = shift[r] + sums[r] / samples;
            rowVariance[r] = samples > 1 ? Math.Max(squares[r] - sums[r] * sums[r] / samples, 0) / (samples - 1) : 0;
        }
        var contributionMean = welford.Mean.ToArray();
        var contributionError = new double[contribution.Length];
        welford.StandardErrors(contributionError);
        return Finish(estimator, kernel, order, auto, samples, rowMean, rowVariance, contributionMean, contributionError, nextVanished, stencilError);
    }

    /// <summary>
    /// The estimate from the sampling loop's statistics (the scalar loop above or the batched core): each row's mean and
    /// variance (0 for one sample), and each contribution's mean and standard error (per order and slot, cumulative over
    /// orders, when <paramref name="auto"/>; NaN standard errors for one sample).
    /// </summary>
    internal static GradientEstimate Finish(string estimator, SeriesKernel kernel, int order, bool auto, int samples,
        double[] rowMean, double[] rowVariance, double[] contributionMean, double[] contributionError, bool nextVanished, double[]? stencilError)
    {
        var problem = kernel.Problem;
        int slots = problem.GradientLength, rows = kernel.RowCount;
        int orders = kernel.IsSeries ? Math.Max(order, 1) : 1;
        bool perOrder = auto && kernel.IsSeries;
        var rowOrder = kernel.RowOrder;
        var rowStart = kernel.RowStart;
        var entrySlot = kernel.EntrySlot;
        var entryCoefficient = kernel.EntryCoefficient;

        // Terms by order from the rows' means: T_{n,p} = sum_{rows of order n} C_{r,p} mean_r.
        var termValue = new double[orders * slots];
        var termVariance = new double[orders * slots];
        var informative = new bool[orders * slots];
        for (int r = 0; r < rows; r++)
        {
            double mean = rowMean[r];
            double variance = rowVariance[r];
            int offset = (kernel.IsSeries ? rowOrder[r] - 1 : 0) * slots;
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++)
            {
                double c = entryCoefficient[e];
                termValue[offset + entrySlot[e]] += c * mean;
                termVariance[offset + entrySlot[e]] += c * c * variance / samples;
                informative[offset + entrySlot[e]] = true;
            }
        }

        // What truncation did: exact when nothing beyond N contributes, else each slot's terms are checked for growth.
        string? exactBecause = !kernel.IsSeries ? null
            : kernel.HighestOrder < order ? $"the coefficients vanish above order {kernel.HighestOrder}"
            : nextVanished ? $"f^({order + 1}) was exactly zero at every sample"
            : null;
        var kept = new int[slots];
        var asymptoticSlots = new List<int>();
        for (int p = 0; p < slots; p++)
        {
            kept[p] = orders;
            if (!kernel.IsSeries || exactBecause is not null) continue;
            // A term's size with its uncertainty, max(|T_n|, se_n): a noisy zero is not small, a heavy-tailed term is not either.
            int smallest = -1;
            double smallestSize = 0;
            for (int n = 0; n < orders; n++)
            {
                int i = n * slots + p;
                double size = Math.Max(Math.Abs(termValue[i]), Math.Sqrt(termVariance[i]));
                if (informative[i] && (smallest < 0 || size < smallestSize)) (smallest, smallestSize) = (n, size);
            }
            if (smallest < 0) continue;
            if (perOrder) kept[p] = smallest + 1;
            double small = Math.Abs(termValue[smallest * slots + p]), smallVariance = termVariance[smallest * slots + p];
            for (int n = smallest + 1; n < orders; n++)
            {
                int i = n * slots + p;
                if (!informative[i]) continue;
                double value = Math.Abs(termValue[i]), size = Math.Max(value, Math.Sqrt(termVariance[i]));
                // Growing again: ten times the smallest size, or significantly (3 standard errors) above twice the smallest term.
                bool grows = size > 10 * smallestSize
                    || (value > 2 * small && value - small > 3 * Math.Sqrt(termVariance[i] + smallVariance));
                if (grows)
                {
                    asymptoticSlots.Add(p);
                    break;
                }
            }
        }

        var gradient = ImmutableArray.CreateBuilder<double>(slots);
        var error = ImmutableArray.CreateBuilder<double>(slots);
        bool deterministic = kernel.IsDeterministic;
        for (int p = 0; p < slots; p++)
        {
            int i = perOrder ? (kept[p] - 1) * slots + p : p;
            gradient.Add(contributionMean[i]);
            error.Add(deterministic ? 0 : contributionError[i]);
        }

        Truncation truncation;
        string? note = exactBecause;
        if (!kernel.IsSeries) truncation = Truncation.None;
        else if (exactBecause is not null) truncation = Truncation.Exact;
        else if (asymptoticSlots.Count > 0)
        {
            truncation = Truncation.Asymptotic;
            note = "the terms grow again after their smallest for " + string.Join(", ", asymptoticSlots.Select(p => GradientEstimate.SlotName(problem.Slots[p])))
                + (perOrder ? "; each slot stops at its smallest term" : "; --order auto stops at the smallest term");
        }
        else truncation = Truncation.Convergent;

        // What the coefficients' rounding can do to each slot: sum over entries of |error bound| |row mean|, against the
        // noise (a tenth of the standard error) and a relative 1e-9; beyond both the estimate is flagged.
        var rounding = new double[slots];
        var warnings = ImmutableArray.CreateBuilder<string>();
        if (kernel.HasErrorBounds)
        {
            var entryError = kernel.EntryError;
            for (int r = 0; r < rows; r++)
            {
                double mean = Math.Abs(rowMean[r]);
                for (int e = rowStart[r]; e < rowStart[r + 1]; e++)
                    if (perOrder ? rowOrder[r] <= kept[entrySlot[e]] : true) rounding[entrySlot[e]] += entryError[e] * mean;
            }
            for (int p = 0; p < slots; p++)
            {
                double g = contributionMean[perOrder ? (kept[p] - 1) * slots + p : p];
                double se = deterministic || samples == 1 ? 0 : contributionError[perOrder ? (kept[p] - 1) * slots + p : p]; // one sample: no noise to hide behind
                if (rounding[p] > 0.1 * se && rounding[p] > 1e-9 * Math.Abs(g))
                    warnings.Add($"the rule's coefficients lose accuracy to rounding at these parameters (they cancel): the gradient in "
                        + $"{GradientEstimate.SlotName(problem.Slots[p])} may be off by up to {rounding[p].ToString("G3", CultureInfo.InvariantCulture)}"
                        + $" (standard error {se.ToString("G3", CultureInfo.InvariantCulture)}); a lower order or parameters away from the constraint's bounds avoid it");
            }
        }

        // A stencil's error against the standard error: beyond a tenth of it (and 1e-9 relative) the terms cannot be trusted.
        if (stencilError is not null)
        {
            var bound = new double[slots];
            for (int r = 0; r < rows; r++)
                for (int e = rowStart[r]; e < rowStart[r + 1]; e++)
                    if (perOrder ? rowOrder[r] <= kept[entrySlot[e]] : true) bound[entrySlot[e]] += Math.Abs(entryCoefficient[e]) * stencilError[r] / samples;
            for (int p = 0; p < slots; p++)
            {
                int i = perOrder ? (kept[p] - 1) * slots + p : p;
                double g = contributionMean[i], se = deterministic || samples == 1 ? 0 : contributionError[i];
                if (bound[p] > 0.1 * se && bound[p] > 1e-9 * Math.Abs(g))
                {
                    warnings.Add($"the finite-difference stencils' error may reach {bound[p].ToString("G3", CultureInfo.InvariantCulture)} in the gradient in "
                        + $"{GradientEstimate.SlotName(problem.Slots[p])} (standard error {se.ToString("G3", CultureInfo.InvariantCulture)}): high-order stencils lose digits; "
                        + "use jets (--derivatives jet) or a lower --order");
                    truncation = Truncation.Unreliable;
                }
            }
        }

        var terms = ImmutableArray.CreateBuilder<SeriesTerm>();
        if (kernel.IsSeries)
            for (int n = 0; n < orders; n++)
                if (informative.AsSpan(n * slots, slots).Contains(true)) // orders without any coefficient have no term
                    terms.Add(new SeriesTerm(n + 1, [.. termValue.AsSpan(n * slots, slots)],
                    // One sample of a random kernel: the terms' spread is unknown (the variance 0 above only keeps truncation's checks quiet).
                    [.. termVariance.AsSpan(n * slots, slots).ToArray().Select(v => samples > 1 || deterministic ? Math.Sqrt(v) : double.NaN)]));

        return new GradientEstimate
        {
            Estimator = estimator,
            Method = kernel.Method,
            Order = kernel.IsSeries ? (perOrder ? kept.DefaultIfEmpty(orders).Max() : order) : null,
            Orders = perOrder ? [.. kept] : [],
            Slots = problem.Slots,
            Gradient = gradient.MoveToImmutable(),
            StandardError = error.MoveToImmutable(),
            Samples = samples,
            Terms = terms.ToImmutable(),
            Truncation = truncation,
            Note = note,
            Warnings = warnings.ToImmutable(),
            RoundingError = kernel.HasErrorBounds ? [.. rounding] : [],
        };
    }
}
