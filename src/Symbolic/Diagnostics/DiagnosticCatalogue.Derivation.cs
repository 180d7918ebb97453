namespace SeriesCompiler.Symbolic.Diagnostics;

// SC1xxx: derivation. The series of K(t) and of its parameter derivatives.
public static partial class DiagnosticCatalogue
{
    public static readonly DiagnosticDescriptor NotAnalytic = Define("SC1001", "not analytic at w = 0",
        "The rule exists only where log phi is analytic at 0: remove abs, log(w), sqrt(w), or poles at 0 (a Cauchy distribution has no such rule).");
    public static readonly DiagnosticDescriptor NotNormalised = Define("SC1002", "phi(0) is not 1",
        "A characteristic function equals 1 at w = 0 (K(0) = 0 for a cgf); check the constant factor of the declaration.");
    public static readonly DiagnosticDescriptor NotReal = Define("SC1003", "coefficients are not real",
        "After w = -i t the cumulants must be real: check the signs of i in the cf (e.g. exp(i*mu*w), not exp(mu*w)).");
    public static readonly DiagnosticDescriptor OrderOutOfRange = Define("SC1004", "order out of range",
        "Choose a truncation order between 1 and " + SeriesCompiler.Symbolic.DerivationLimits.MaxOrder + ".");
    public static readonly DiagnosticDescriptor DerivationTooLarge = Define("SC1005", "derivation too large",
        "The exact coefficients grew beyond the compiler's limits; lower the order or simplify the declaration.");
    public static readonly DiagnosticDescriptor NotPolynomialInVariables = Define("SC1006", "mixed coefficients are not polynomial",
        "A multivariate characteristic function must expand into monomials of its frequency variables.");
    public static readonly DiagnosticDescriptor UnusedParameter = Define("SC1007", "parameter does not affect the distribution",
        "The parameter does not appear in the characteristic function, so its gradient is always zero; remove it or use it.", DiagnosticSeverity.Warning);
}
