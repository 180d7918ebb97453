namespace SeriesCompiler.Runtime.Rules;

/// <summary>
/// A generated rule's members for many copies at once (a session's training step: d copies move together). Each gives
/// exactly what the one-copy member gives copy by copy (the same code, so the same bits), with no call per copy.
/// Thetas are copy-major: copy c's parameters at <c>[c * Parameters.Count, (c + 1) * Parameters.Count)</c>.
/// </summary>
public interface ICopyBatchedRule
{
    /// <summary>
    /// <see cref="IDistributionRule.Validate"/> of each copy in order: the first copy with a parameter out of its bound
    /// throws Validate's exception (naming the parameter and the bound).
    /// </summary>
    void ValidateCopies(ReadOnlySpan<double> thetas, int copies);

    /// <summary>
    /// <see cref="IDistributionRule.Coefficients"/> of each copy into <c>all[c * stride ..]</c>, at least the rows of degree
    /// up to <paramref name="order"/>. Where the rows go up in degree (every univariate rule), nothing past them is
    /// written, so a stride of <c>order * P</c> packs the copies' orders 1 .. N; otherwise every row is written.
    /// </summary>
    void CoefficientsOfCopies(ReadOnlySpan<double> thetas, int copies, int order, Span<double> all, int stride);

    /// <summary>
    /// <see cref="IResummedRule.TermCoefficient"/> of every term, the terms flattened in (parameter, term) order (T in
    /// all): copy c's at <c>coefficients[c * T ..]</c>.
    /// </summary>
    void TermCoefficientsOfCopies(ReadOnlySpan<double> thetas, int copies, Span<double> coefficients);

    /// <summary>
    /// <see cref="ILaneShiftedRule.TryLaneShift"/>'s numbers (a, scale) of every term, flattened as in
    /// <see cref="TermCoefficientsOfCopies"/> (0 for a law the lanes do not draw).
    /// </summary>
    void LaneShiftsOfCopies(ReadOnlySpan<double> thetas, int copies, Span<double> a, Span<double> scale);
}

/// <summary>
/// The argument checks of the generated <see cref="ICopyBatchedRule"/> members, once per call (not per copy): a span too
/// short for the copies, a stride too small for the rows written, or an order below 1 is an error naming the argument
/// and the size it needs, never an index error from inside the generated code.
/// </summary>
public static class CopyBatchArguments
{
    /// <summary><paramref name="values"/> must hold <paramref name="copies"/> copies of <paramref name="perCopy"/> values.</summary>
    public static void Require(ReadOnlySpan<double> values, int copies, int perCopy, string name)
    {
        if (copies < 0) throw new ArgumentOutOfRangeException(nameof(copies), copies, "copies must be 0 or more");
        long needed = (long)copies * perCopy;
        if (values.Length < needed)
            throw new ArgumentException($"{name} holds {values.Length} values; {copies} copies of {perCopy} need {needed}", name);
    }

    /// <summary>
    /// The coefficients' destination: <paramref name="order"/> at least 1, a <paramref name="stride"/> of at least the
    /// <paramref name="rows"/> values a copy writes at that order, and room for every copy's stride.
    /// </summary>
    public static void RequireCoefficients(Span<double> all, int copies, int order, int stride, int rows)
    {
        if (order < 1) throw new ArgumentOutOfRangeException(nameof(order), order, "order must be 1 or more");
        if (stride < rows) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"stride must be at least {rows}, the values one copy writes at order {order}");
        Require(all, copies, stride, nameof(all));
    }
}
