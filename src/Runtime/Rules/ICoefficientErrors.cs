namespace SeriesCompiler.Runtime.Rules;

/// <summary>
/// A generated rule's running error bounds: for each coefficient that <see cref="IDistributionRule.Coefficients"/>
/// computes, a bound (to first order in the unit roundoff 2^-53) on its distance from the exact a_{n,p}(theta), from
/// the rounding of every operation in the same order as the coefficient's code. Coefficients are polynomials or rational
/// functions in the parameters that can cancel badly (Bernoulli's a_32 near p = 1/2 and p = 1 has terms 10^20 times its
/// value); the bound is how the estimators see that and warn. Layout as <see cref="IDistributionRule.Coefficients"/>.
/// </summary>
public interface ICoefficientErrors
{
    void CoefficientErrors(ReadOnlySpan<double> theta, Span<double> error);
}
