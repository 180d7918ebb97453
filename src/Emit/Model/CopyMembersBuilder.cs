using System.Globalization;
using System.Text;
using SeriesCompiler.Emit.CSharp;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Emit.Model;

/// <summary>
/// The members of <c>ICopyBatchedRule</c>: a session's training step validates every copy and recomputes every copy's
/// coefficients in one call each, with the same code as <c>Validate</c> and <c>Coefficients</c> (the same operations in
/// the same order, so the same bits), looped over copies, and the coefficients stopped after the orders asked for.
/// </summary>
internal static class CopyMembersBuilder
{
    private const string Body = "            ";

    /// <param name="coefficients">The coefficients' outputs as <c>Coefficients</c> writes them (<c>a[m * P + p]</c>).</param>
    /// <param name="degrees">The degree of each output's row.</param>
    public static string Build(RuleModel d, Dictionary<Symbol, string> locals, IReadOnlyList<ParameterSpec> parameters, bool jointConstraints,
        List<(string, Expr, string)> coefficients, IReadOnlyList<int> degrees, Func<Symbol, (Rational Lower, Rational Upper)?> interval)
    {
        string count = parameters.Count.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("\n    // ---- every copy at once (ICopyBatchedRule): a session's training step in one call per member ----\n\n");
        sb.Append("    public void ValidateCopies(global::System.ReadOnlySpan<double> thetas, int copies)\n    {\n");
        sb.Append("        for (int copy = 0; copy < copies; copy++)\n        {\n");
        sb.Append(Body).Append("var theta = thetas.Slice(copy * ").Append(count).Append(", ").Append(count).Append(");\n");
        if (jointConstraints)
            sb.Append(Body).Append("Validate(theta);   // joint constraints: Validate's own checks\n");
        else
        {
            // Within its bounds a parameter passes Check; outside, Validate names it and its bound.
            var screens = parameters.Select(Screen).ToList();
            sb.Append(Body).Append("// inside every bound Validate has nothing to say; outside, it names the parameter and its bound\n");
            sb.Append(Body).Append("if (!(").Append(string.Join(" && ", screens)).Append(")) Validate(theta);\n");
        }
        sb.Append("        }\n    }\n\n");

        // Coefficients: rows in order of degree, so 'continue' before the first row above the order asked for skips exactly
        // the rows (and the locals first used there) that are not needed. Rows out of degree order: every row, always.
        bool sorted = degrees.Zip(degrees.Skip(1)).All(pair => pair.First <= pair.Second);
        sb.Append("    public void CoefficientsOfCopies(global::System.ReadOnlySpan<double> thetas, int copies, int order, global::System.Span<double> all, int stride)\n    {\n");
        sb.Append("        for (int copy = 0; copy < copies; copy++)\n        {\n");
        sb.Append(Body).Append("var theta = thetas.Slice(copy * ").Append(count).Append(", ").Append(count).Append(");\n");
        sb.Append(Body).Append("var a = all.Slice(copy * stride, stride);\n");
        var used = coefficients.Select(o => o.Item2).ToList();
        for (int i = 0; i < d.Parameters.Length; i++)
        {
            var p = d.Parameters[i];
            if (used.Any(e => e.Contains(p.Symbol)))
                sb.Append(Body).Append("double ").Append(locals[p.Symbol]).Append(" = theta[").Append(i).Append("];\n");
        }
        var writer = new StraightLineWriter(s => locals[s], "a_", Body, interval);
        sb.Append(writer.Write(coefficients, i =>
            sorted && i > 0 && degrees[i] > degrees[i - 1] ? $"if (order < {degrees[i].ToString(CultureInfo.InvariantCulture)}) continue;" : null));
        sb.Append("        }\n    }\n");
        return sb.ToString();
    }

    // The pass condition of ParameterInfo.Check: finite, within each bound (open or closed), an integer if it must be.
    private static string Screen(ParameterSpec p)
    {
        string v = "theta[" + p.Index.ToString(CultureInfo.InvariantCulture) + "]";
        var parts = new List<string> { "double.IsFinite(" + v + ")" };
        if (p.Lower != "null") parts.Add(v + (p.LowerInclusive == "true" ? " >= " : " > ") + p.Lower);
        if (p.Upper != "null") parts.Add(v + (p.UpperInclusive == "true" ? " <= " : " < ") + p.Upper);
        if (p.IsInteger == "true") parts.Add(v + " == global::System.Math.Floor(" + v + ")");
        return string.Join(" && ", parts);
    }
}
