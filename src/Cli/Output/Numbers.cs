using System.Globalization;

namespace SeriesCompiler.Cli;

/// <summary>Culture-invariant number text: the shortest round-trip form (<c>0.7</c>, <c>-1E-05</c>).</summary>
public static class Numbers
{
    public static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>For tables read by people: 10 significant digits.</summary>
    public static string Short(double x) => x.ToString("G10", CultureInfo.InvariantCulture);
}
