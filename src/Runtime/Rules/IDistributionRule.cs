using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Rules;

/// <summary>
/// The Fourier stochastic backpropagation rule of one distribution, as the compiler emits it:
/// dL/dtheta_p = sum_n a_{n,p}(theta) E[d^n f/dz^n]. Parameter vectors <c>theta</c> hold every declared
/// parameter in declaration order; gradients hold the differentiable ones, in the same order.
/// Implementations are generated, allocation-free, and stateless (safe to share across threads).
/// </summary>
public interface IDistributionRule
{
    string Name { get; }
    IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Positions in <c>theta</c> of the parameters that gradients are taken in.</summary>
    IReadOnlyList<int> Differentiable { get; }

    /// <summary>Number of variables of z (2 for BivariateNormal).</summary>
    int Dimension { get; }

    /// <summary>Highest truncation order N compiled in.</summary>
    int Order { get; }

    SupportKind Support { get; }

    /// <summary>The multi-indices n with 1 &lt;= |n| &lt;= Order, in graded lexicographic order: the row order of coefficient arrays.</summary>
    IReadOnlyList<int[]> MultiIndices { get; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the parameter and its bound when theta is invalid.</summary>
    void Validate(ReadOnlySpan<double> theta);

    /// <summary>c_n = kappa_n / n! for each multi-index (length MultiIndices.Count).</summary>
    void Cumulants(ReadOnlySpan<double> theta, Span<double> c);

    /// <summary>a_{n,p} = d c_n / d theta_p at <c>a[m * Differentiable.Count + p]</c> for multi-index row m.</summary>
    void Coefficients(ReadOnlySpan<double> theta, Span<double> a);

    /// <summary>Whether <see cref="CgfGradient"/> is available (univariate rules from a cf/logcf/cgf).</summary>
    bool HasClosedFormCgf { get; }

    /// <summary>K(tau) = log E[exp(tau z)] in closed form.</summary>
    double Cgf(ReadOnlySpan<double> theta, double tau);

    /// <summary>
    /// d/dtheta K(tau), the exponential shortcut (paper eq. 23): for f = exp(tau z),
    /// dL/dtheta = E[f] d/dtheta K(tau) = exp(K(tau)) d/dtheta K(tau), with no series at all.
    /// </summary>
    void CgfGradient(ReadOnlySpan<double> theta, double tau, Span<double> gradient);

    /// <summary>
    /// Whether <see cref="CgfDomain"/> is known: the compiler derived where E[exp(tau z)] is finite from the closed
    /// form's nearest real singularities. Rules written by hand default to unknown, and then nothing evaluates K at a
    /// point as if it were finite there.
    /// </summary>
    bool HasCgfDomain => false;

    /// <summary>
    /// The open interval (lower, upper) around 0 where K(tau) is finite at these parameters (infinite ends where it is
    /// unbounded). K and its derivatives are meaningless outside it, even where the closed form is finite again.
    /// </summary>
    void CgfDomain(ReadOnlySpan<double> theta, out double lower, out double upper) =>
        throw new NotSupportedException(Name + ": the domain of K(tau) is not known");

    /// <summary>Whether <see cref="Sample"/> is available (the declaration has a <c>sample</c>).</summary>
    bool CanSample { get; }

    /// <summary>Draws one z (length Dimension) through the runtime's random source.</summary>
    void Sample(ReadOnlySpan<double> theta, RandomSource random, Span<double> z);

    /// <summary>Whether the sample is differentiable in the parameters (continuous draws only; gamma through implicit reparameterisation).</summary>
    bool HasPathwise { get; }

    /// <summary>Draws z and dz/dtheta_p at <c>dz[d * Differentiable.Count + p]</c>.</summary>
    void SamplePathwise(ReadOnlySpan<double> theta, RandomSource random, Span<double> z, Span<double> dz);

    /// <summary>Whether a <c>logpdf</c>/<c>logpmf</c> was declared (the score-function baseline).</summary>
    bool HasLogDensity { get; }

    double LogDensity(ReadOnlySpan<double> theta, ReadOnlySpan<double> z);

    /// <summary>d/dtheta_p log p(z; theta): the score.</summary>
    void Score(ReadOnlySpan<double> theta, ReadOnlySpan<double> z, Span<double> score);
}
