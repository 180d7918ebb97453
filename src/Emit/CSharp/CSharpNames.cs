using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace SeriesCompiler.Emit.CSharp;

/// <summary>
/// Turns names and texts from a declaration into C# that cannot break out of its place: identifiers are
/// rewritten to [A-Za-z0-9_] (other characters as _uXXXX, keywords prefixed with @), strings are escaped
/// literals, comments never contain a line break or <c>*/</c>.
/// </summary>
public static class CSharpNames
{
    public static string Identifier(string name)
    {
        var sb = new StringBuilder();
        foreach (var ch in name)
        {
            if (char.IsAsciiLetterOrDigit(ch) || ch == '_') sb.Append(ch);
            else sb.Append("_u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
        }
        if (sb.Length == 0 || char.IsAsciiDigit(sb[0])) sb.Insert(0, '_');
        var id = sb.ToString();
        return SyntaxFacts.GetKeywordKind(id) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(id) != SyntaxKind.None ? "@" + id : id;
    }

    /// <summary>A PascalCase type name: <c>gamma</c> -> <c>GammaRule</c>.</summary>
    public static string TypeName(string distribution, string suffix)
    {
        var id = Identifier(distribution).TrimStart('@');
        return char.ToUpperInvariant(id[0]) + id[1..] + suffix;
    }

    public static string StringLiteral(string text) =>
        SymbolDisplay.FormatLiteral(text, quote: true);

    /// <summary>Text safe inside a <c>//</c> comment: one line, printable ASCII.</summary>
    public static string Comment(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
            sb.Append(ch is >= ' ' and <= '~' ? ch : '?');
        return sb.ToString();
    }

    /// <summary>
    /// Dotted ASCII identifiers that are not keywords: the emitted <c>namespace X;</c> must stay one statement. The one
    /// check behind <c>seriesc compile --namespace</c> and the MSBuild property <c>SeriesNamespace</c>.
    /// </summary>
    public static bool IsNamespace(string text) =>
        text.Length > 0 && text.Split('.').All(part =>
            part.Length > 0 && !char.IsAsciiDigit(part[0]) && part.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            && Identifier(part) == part);

    /// <summary>A double literal in round-trip form, culture-invariant.</summary>
    public static string Double(double value)
    {
        if (double.IsNaN(value)) return "double.NaN";
        if (double.IsPositiveInfinity(value)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return "double.NegativeInfinity";
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        if (!s.Contains('.') && !s.Contains('E')) s += ".0";
        return s;
    }
}
