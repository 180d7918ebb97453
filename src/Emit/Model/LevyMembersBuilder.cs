using System.Globalization;
using System.Text;
using SeriesCompiler.Emit.CSharp;
using SeriesCompiler.Symbolic.Levy;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;

namespace SeriesCompiler.Emit.Model;

/// <summary>
/// The generated pieces of a law with a stable part (src/Symbolic/Levy): the draws of the generator rules' two
/// proposals, and <c>IResummedRule.NoTaylorSeries</c>, which tells the runtime that the series of the class's
/// coefficients (the analytic part's only) is not the law's, so the Fourier series is refused for it.
/// </summary>
internal static class LevyMembersBuilder
{
    private const string Sampling = "global::SeriesCompiler.Runtime.Sampling";

    /// <summary>One draw of a proposal; alpha is a constant of the declaration, written round-trip.</summary>
    public static string Draw(AuxiliaryLaw law) => law switch
    {
        LevyNearLaw n => $"{Sampling}.LevyShifts.Near(random, {Number(n.Alpha)})",
        LevyTailLaw t => $"{Sampling}.LevyShifts.Tail(random, {Number(t.Alpha)})",
        _ => throw new InvalidOperationException($"{law} is not a Lévy proposal"),
    };

    /// <summary>The members a law with a stable part adds; nothing for any other law (its generated text is unchanged).</summary>
    public static string Members(RuleModel rule)
    {
        if (!rule.HasLevyPart) return "";
        string parts = string.Join(" + ", rule.Levy);
        string why = $"{rule.Name} has no Taylor series at w = 0 (its characteristic exponent has the stable part -({parts})), " +
                     "so the Fourier series does not exist for it; use the Lévy generator rule (ResummedEstimator, seriesc estimate --estimator resummed)";
        var sb = new StringBuilder();
        sb.Append("\n    // ---- no Taylor series: a stable part -c|w|^alpha, differentiated by Lévy generator rules ----\n\n");
        sb.Append("    public string? NoTaylorSeries => ").Append(CSharpNames.StringLiteral(why)).Append(";\n");
        return sb.ToString();
    }

    // alpha is a rational p/q; the double nearest it, round-trip (1.5, 1.0).
    private static string Number(Symbolic.Expressions.Rational alpha) => CSharpNames.Double((double)alpha.Numerator / (double)alpha.Denominator);
}
