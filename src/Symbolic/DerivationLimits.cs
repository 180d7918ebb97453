namespace SeriesCompiler.Symbolic;

/// <summary>The limits a derivation works within, each with its reason.</summary>
public static class DerivationLimits
{
    /// <summary>Default truncation order of the Fourier rule (cli.md).</summary>
    public const int DefaultOrder = 8;

    /// <summary>
    /// Highest truncation order. Exact coefficients of order n are polynomials of degree n whose rational
    /// constants grow like n!; beyond 64 the derivation costs seconds and the double-precision evaluation of
    /// such coefficients loses every digit for typical parameter values, so a higher order is refused.
    /// </summary>
    public const int MaxOrder = 64;
}
