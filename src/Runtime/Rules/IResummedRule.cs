using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Rules;

/// <summary>
/// The exact resummed rules of a distribution: for a parameter p that has one,
/// dL/dtheta_p = sum over terms of C_term(theta) E[ f^(j_term)(z + U_term) ], with U_term drawn independently of z
/// from an auxiliary law (a gamma or uniform-exponential shift, Laplace, a geometric or logarithmic lattice shift).
/// No truncation, and one derivative of f of low order.
/// </summary>
public interface IResummedRule
{
    /// <summary>Whether differentiable parameter <paramref name="p"/> (index into Differentiable) has an exact rule.</summary>
    bool IsResummed(int p);

    /// <summary>Number of terms of parameter p's rule (0 when not resummed).</summary>
    int TermCount(int p);

    /// <summary>The derivative order j of f in a term.</summary>
    int DerivativeOrder(int p, int term);

    /// <summary>C_term(theta).</summary>
    double TermCoefficient(ReadOnlySpan<double> theta, int p, int term);

    /// <summary>One draw of the term's auxiliary shift U (0 for a term without one).</summary>
    double SampleShift(ReadOnlySpan<double> theta, int p, int term, RandomSource random);

    /// <summary>The rule as text, e.g. <c>2*b * E[f''(z + Laplace(0, b))]</c>, or why the series stays.</summary>
    string Describe(int p);

    /// <summary>
    /// Why the law has no Fourier series (null when it has one): a stable part -c|w|^alpha of its characteristic exponent
    /// has no Taylor series at w = 0, so its coefficients are only those of the analytic part, and its rules are Lévy
    /// generator rules. Classes generated for such laws override it.
    /// </summary>
    string? NoTaylorSeries => null;
}
