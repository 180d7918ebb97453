using System.Collections.Immutable;
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

    public int RowCount => _rowOrder.Count;
    public int[] RowOrder { get; private set; } = [];
    public int[] RowStart { get; private set; } = [];
    public int[] EntrySlot { get; private set; } = [];
    public double[] EntryCoefficient { get; private set; } = [];

    /// <summary>The highest order with a row (non-zero coefficients), known once sealed.</summary>
    public int HighestOrder { get; private set; }

    /// <summary>Adds a row with the non-zero coefficients among <paramref name="coefficients"/> (slot i for entry i); returns its index, or -1 when all are zero.</summary>
    protected int AddRow(int order, ReadOnlySpan<int> slots, ReadOnlySpan<double> coefficients)
    {
        int added = 0;
        for (int i = 0; i < slots.Length; i++)
        {
            if (coefficients[i] == 0) continue;
            _entrySlot.Add(slots[i]);
            _entryCoefficient.Add(coefficients[i]);
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
    }

    public abstract void Draw(RandomSource random, Span<double> z);

    /// <summary>Every row's value at z (the sample just drawn).</summary>
    public abstract void Evaluate(ReadOnlySpan<double> z, Span<double> rows);
}

/// <summary>Runs a <see cref="SeriesKernel"/>: the sampling loop, the standard errors, the terms by order, truncation.</summary>
internal static class SeriesEngine
{
    /// <param name="order">Truncation order N (the kernel has no rows above it).</param>
    /// <param name="auto">Keep, for each slot, the orders up to its smallest term (per-order Welford accumulators).</param>
    public static GradientEstimate Run(string estimator, SeriesKernel kernel, int order, bool auto, int samples, RandomSource random)
    {
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

        for (int s = 0; s < samples; s++)
        {
            kernel.Draw(random, z);
            kernel.Evaluate(z, values);
            if (s == 0) values.AsSpan().CopyTo(shift);
            if (kernel.ChecksNextOrder) nextVanished &= kernel.NextOrderVanished;
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
            welford.Add(contribution);
        }

        // Terms by order from the rows' means: T_{n,p} = sum_{rows of order n} C_{r,p} mean_r.
        var termValue = new double[orders * slots];
        var termVariance = new double[orders * slots];
        var informative = new bool[orders * slots];
        for (int r = 0; r < rows; r++)
        {
            double mean = shift[r] + sums[r] / samples;
            double variance = samples > 1 ? Math.Max(squares[r] - sums[r] * sums[r] / samples, 0) / (samples - 1) : 0;
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
            gradient.Add(welford.Mean[i]);
            error.Add(deterministic ? 0 : welford.StandardError(i));
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

        var terms = ImmutableArray.CreateBuilder<SeriesTerm>();
        if (kernel.IsSeries)
            for (int n = 0; n < orders; n++)
                if (informative.AsSpan(n * slots, slots).Contains(true)) // orders without any coefficient have no term
                    terms.Add(new SeriesTerm(n + 1, [.. termValue.AsSpan(n * slots, slots)],
                    [.. termVariance.AsSpan(n * slots, slots).ToArray().Select(Math.Sqrt)]));

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
        };
    }
}
