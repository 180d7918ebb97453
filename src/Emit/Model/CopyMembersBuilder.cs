using System.Globalization;
using System.Text;
using SeriesCompiler.Emit.CSharp;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;

namespace SeriesCompiler.Emit.Model;

/// <summary>
/// The members of <c>ICopyBatchedRule</c>: a session's training step validates every copy and recomputes every copy's
/// coefficients in one call each, with the same code as <c>Validate</c> and <c>Coefficients</c> (the same operations in
/// the same order, so the same bits), looped over copies, and the coefficients stopped after the orders asked for.
/// </summary>
internal static class CopyMembersBuilder
{
    private const string Body = "            ";
    private const string Checks = "global::SeriesCompiler.Runtime.Rules.CopyBatchArguments.";

    /// <param name="coefficients">The coefficients' outputs as <c>Coefficients</c> writes them (<c>a[m * P + p]</c>).</param>
    /// <param name="degrees">The degree of each output's row.</param>
    public static string Build(RuleModel d, Dictionary<Symbol, string> locals, IReadOnlyList<ParameterSpec> parameters, bool jointConstraints,
        List<(string, Expr, string)> coefficients, IReadOnlyList<int> degrees, Func<Symbol, (Rational Lower, Rational Upper)?> interval)
    {
        string count = parameters.Count.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("\n    // ---- every copy at once (ICopyBatchedRule): a session's training step in one call per member ----\n\n");
        sb.Append("    public void ValidateCopies(global::System.ReadOnlySpan<double> thetas, int copies)\n    {\n");
        sb.Append("        ").Append(Checks).Append("Require(thetas, copies, ").Append(count).Append(", nameof(thetas));\n");
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
        sb.Append("        ").Append(Checks).Append("Require(thetas, copies, ").Append(count).Append(", nameof(thetas));\n");
        sb.Append("        ").Append(Checks).Append("RequireCoefficients(all, copies, order, stride, ").Append(RowsWritten(coefficients, degrees, sorted)).Append(");\n");
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
        sb.Append(TermMembers(d, locals));
        return sb.ToString();
    }

    // The values one copy writes (the largest index written, plus one) at 'order': where the rows go up in degree, the
    // rows of degree <= order (a switch on the order); otherwise every row, whatever the order.
    private static string RowsWritten(List<(string Name, Expr, string)> coefficients, IReadOnlyList<int> degrees, bool sorted)
    {
        static int Index(string name) => int.Parse(name.AsSpan(2, name.Length - 3), CultureInfo.InvariantCulture); // "a[12]"
        if (coefficients.Count == 0) return "0";
        int all = coefficients.Max(c => Index(c.Name)) + 1;
        if (!sorted) return all.ToString(CultureInfo.InvariantCulture);
        int top = degrees.Max();
        var written = Enumerable.Range(0, top + 1).Select(k =>
            coefficients.Where((c, i) => degrees[i] <= k).Select(c => Index(c.Name) + 1).DefaultIfEmpty(0).Max()).ToList();
        // A switch on the order: the rows of degree <= k end at written[k]; above the top degree, every row.
        var arms = written.Select((w, k) => $"{k.ToString(CultureInfo.InvariantCulture)} => {w.ToString(CultureInfo.InvariantCulture)}, ").Take(top);
        return $"order switch {{ {string.Concat(arms)}_ => {all.ToString(CultureInfo.InvariantCulture)} }}";
    }

    // The resummed terms flattened in (parameter, term) order, as IResummedRule numbers them: per copy, every term's
    // C(theta) (TermCoefficient's code), and every lane-drawn shift law's numbers (TryLaneShift's code; 0 for the others).
    private static string TermMembers(RuleModel d, Dictionary<Symbol, string> locals)
    {
        var terms = d.Resummation.SelectMany((o, p) => (o.Rule?.Terms ?? []).Select((t, k) => (P: p, K: k, Term: t))).ToList();
        string count = d.Parameters.Length.ToString(CultureInfo.InvariantCulture), total = terms.Count.ToString(CultureInfo.InvariantCulture);
        const string inner = Body + "    ";
        var sb = new StringBuilder();
        sb.Append("\n    public void TermCoefficientsOfCopies(global::System.ReadOnlySpan<double> thetas, int copies, global::System.Span<double> coefficients)\n    {\n");
        sb.Append("        ").Append(Checks).Append("Require(thetas, copies, ").Append(count).Append(", nameof(thetas));\n");
        sb.Append("        ").Append(Checks).Append("Require(coefficients, copies, ").Append(total).Append(", nameof(coefficients));\n");
        sb.Append("        for (int copy = 0; copy < copies; copy++)\n        {\n");
        if (terms.Count > 0)
        {
            sb.Append(Body).Append("var theta = thetas.Slice(copy * ").Append(count).Append(", ").Append(count).Append(");\n");
            sb.Append(Body).Append("var terms = coefficients.Slice(copy * ").Append(total).Append(", ").Append(total).Append(");\n");
        }
        for (int i = 0; i < terms.Count; i++)
        {
            var (p, k, t) = terms[i];
            sb.Append(Body).Append("{\n").Append(Load(d, locals, [t.Coefficient], inner));
            sb.Append(new StraightLineWriter(s => locals[s], $"r{p}_{k}_", inner).Write([($"terms[{i}]", t.Coefficient, $"C = {t.Coefficient}")]));
            sb.Append(Body).Append("}\n");
        }
        sb.Append("        }\n    }\n");

        sb.Append("\n    public void LaneShiftsOfCopies(global::System.ReadOnlySpan<double> thetas, int copies, global::System.Span<double> a, global::System.Span<double> scale)\n    {\n");
        sb.Append("        ").Append(Checks).Append("Require(thetas, copies, ").Append(count).Append(", nameof(thetas));\n");
        sb.Append("        ").Append(Checks).Append("Require(a, copies, ").Append(total).Append(", nameof(a));\n");
        sb.Append("        ").Append(Checks).Append("Require(scale, copies, ").Append(total).Append(", nameof(scale));\n");
        sb.Append("        for (int copy = 0; copy < copies; copy++)\n        {\n");
        if (terms.Count > 0)
        {
            sb.Append(Body).Append("var theta = thetas.Slice(copy * ").Append(count).Append(", ").Append(count).Append(");\n");
            sb.Append(Body).Append("var shiftA = a.Slice(copy * ").Append(total).Append(", ").Append(total).Append(");\n");
            sb.Append(Body).Append("var shiftScale = scale.Slice(copy * ").Append(total).Append(", ").Append(total).Append(");\n");
        }
        for (int i = 0; i < terms.Count; i++)
        {
            var (p, k, t) = terms[i];
            (Expr First, Expr Second)? numbers = t.Law switch
            {
                ZeroLaw => (Ex.Zero, Ex.Zero),
                ShiftLaw shift => (shift.Shift, Ex.Zero),
                GammaLaw gamma => (gamma.Shape, gamma.Scale),
                UniformExponentialLaw uniform => (Ex.Zero, uniform.Scale),
                SumLaw sum when sum.IsLaplace(out var b) => (Ex.Zero, b),   // TryLaneShift's Laplace numbers
                _ => null,
            };
            if (numbers is not { } n)
            {
                sb.Append(Body).Append($"shiftA[{i}] = 0;\n").Append(Body).Append($"shiftScale[{i}] = 0;\n");
                continue;
            }
            sb.Append(Body).Append("{\n").Append(Load(d, locals, [n.First, n.Second], inner));
            sb.Append(new StraightLineWriter(s => locals[s], $"l{p}_{k}_", inner).Write([($"shiftA[{i}]", n.First, ""), ($"shiftScale[{i}]", n.Second, "")]));
            sb.Append(Body).Append("}\n");
        }
        sb.Append("        }\n    }\n");
        return sb.ToString();
    }

    private static string Load(RuleModel d, Dictionary<Symbol, string> locals, IEnumerable<Expr> used, string indent)
    {
        var list = used.ToList();
        var sb = new StringBuilder();
        for (int i = 0; i < d.Parameters.Length; i++)
            if (list.Any(e => e.Contains(d.Parameters[i].Symbol)))
                sb.Append(indent).Append($"double {locals[d.Parameters[i].Symbol]} = theta[{i}];\n");
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
