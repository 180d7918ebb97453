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
