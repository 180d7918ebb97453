using System.Globalization;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// The series as a LaTeX <c>align*</c> environment: per multi-index a line <c>c_{n} &amp;= ...</c> and one
/// <c>\frac{\partial c_{n}}{\partial p} &amp;= ...</c> per parameter, with <c>\approx value</c> when --at is given.
/// A component of a derived distribution is a superscript: <c>c^{(z_{1})}_{1}</c>.
/// </summary>
public static class LatexCoefficientsWriter
{
    public static void Write(TextWriter output, CoefficientTable table)
    {
        output.WriteLine("% " + TableCoefficientsWriter.Title(table));
        output.WriteLine("\\begin{align*}");
        var lines = new List<string>();
        var notes = new List<string>();
        foreach (var row in table.Rows)
        {
            string c = "c" + (row.Component is null ? "" : "^{(" + Name(row.Component) + ")}") + "_{" + string.Join(",", row.Index) + "}";
            lines.Add($"  {c} &= {Latex(row.C)}{Value(row.CExact)}");
            for (int i = 0; i < row.Keys.Length; i++)
                lines.Add($"  \\frac{{\\partial {c}}}{{\\partial {Name(row.Keys[i])}}} &= {Latex(row.D[i])}{Value(row.DExact.IsDefaultOrEmpty ? null : row.DExact[i])}");
            foreach (var (key, result) in row.Results().Where(r => !r.Result.IsCorrectlyRounded))
                notes.Add($"% {(row.Component is null ? "" : row.Component + " ")}n={string.Join(",", row.Index)} {(key == "c" ? "c" : "dc/d" + key)}: {result.Reason}");
        }
        for (int i = 0; i < lines.Count; i++)
            output.WriteLine(lines[i] + (i < lines.Count - 1 ? " \\\\" : ""));
        output.WriteLine("\\end{align*}");
        // Why a value is marked: in comments, so the environment stays valid LaTeX.
        foreach (var note in notes) output.WriteLine(note);
        foreach (var line in TableCoefficientsWriter.GeneratedNotes(table)) output.WriteLine("% " + line);
    }

    /// <summary>
    /// <c>\approx v</c> for the exact value correctly rounded (10 digits); a value not known to be correctly rounded
    /// adds <c>\text{(not correctly rounded)}</c>, one that is not finite is <c>\text{(not finite)}</c>.
    /// </summary>
    private static string Value(Symbolic.Evaluation.ExactResult? result)
    {
        if (result is not { } r) return "";
        if (r.Status == Symbolic.Evaluation.ExactStatus.NotFinite) return " \\quad \\text{(not finite)}";
        return Value(r.Value) + (r.IsCorrectlyRounded ? "" : " \\quad \\text{(not correctly rounded)}");
    }

    private static string Value(double v)
    {
        string s = Numbers.Short(v);
        int e = s.IndexOf('E');
        if (e >= 0) s = s[..e] + " \\times 10^{" + int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "}";
        return " \\approx " + s;
    }

    /// <summary>A name as LaTeX: <c>alpha[j]</c> becomes <c>\alpha_{j}</c>, <c>z1</c> becomes <c>z_{1}</c>.</summary>
    private static string Name(string name) => Latex(Symbolize(name));

    private static Symbol Symbolize(string name)
    {
        int bracket = name.IndexOf('[');
        return Ex.Sym(bracket > 0 && name.EndsWith(']') ? name[..bracket] + "_" + name[(bracket + 1)..^1] : name, SymbolKind.Parameter);
    }

    /// <summary>An expression as LaTeX, with the elements of vector parameters (<c>alpha[0]</c>) written as subscripts.</summary>
    private static string Latex(Expr e)
    {
        var map = new Dictionary<Symbol, Expr>();
        Collect(e, map);
        return ExprPrinter.ToLatex(map.Count == 0 ? e : Substitution.Apply(e, map));
    }

    private static void Collect(Expr e, Dictionary<Symbol, Expr> map)
    {
        if (e is Symbol s && s.Name.EndsWith(']') && s.Name.IndexOf('[') > 0) map[s] = Symbolize(s.Name);
        foreach (var child in e.Children) Collect(child, map);
    }
}
