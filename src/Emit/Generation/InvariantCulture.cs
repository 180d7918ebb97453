using System.Globalization;

namespace SeriesCompiler.Emit.Generation;

/// <summary>
/// The one culture pin of the compile core. Generated code and diagnostics must read the same on every machine:
/// a user's culture (fi-FI writes U+2212 as its minus sign, de-DE a decimal comma) must never reach them.
/// </summary>
public static class InvariantCulture
{
    /// <summary>Runs <paramref name="work"/> with the current and UI cultures invariant, then restores the caller's.</summary>
    public static T Run<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            return work();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
        }
    }
}
