using System.Text;
using SeriesCompiler.Emit.CSharp;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;

namespace SeriesCompiler.Emit.Model;

/// <summary>
/// The member of <c>ILaneShiftedRule</c>: per resummed term whose auxiliary law the lane samplers draw (zero, a constant,
/// a scaled gamma, a scaled uniform times exponential, a scaled Laplace), the law and its numbers at theta; false for any other law.
/// </summary>
internal static class LaneShiftMembersBuilder
{
    private const string Law = "global::SeriesCompiler.Runtime.Rules.LaneShift.";

    public static string Build(RuleModel rule, Dictionary<Symbol, string> locals)
    {
        var sb = new StringBuilder();
        sb.Append("    public bool TryLaneShift(global::System.ReadOnlySpan<double> theta, int p, int term, out global::SeriesCompiler.Runtime.Rules.LaneShift law, out double a, out double scale)\n    {\n");
        var outcomes = rule.Resummation;
        for (int p = 0; p < outcomes.Length; p++)
        {
            var terms = outcomes[p].Rule?.Terms ?? [];
            for (int k = 0; k < terms.Length; k++)
            {
                var (kind, first, second) = terms[k].Law switch
                {
                    ZeroLaw => ("Zero", (Expr)Ex.Zero, (Expr)Ex.Zero),
                    ShiftLaw s => ("Constant", s.Shift, Ex.Zero),
                    GammaLaw g => ("Gamma", g.Shape, g.Scale),
                    UniformExponentialLaw u => ("UniformTimesExponential", Ex.Zero, u.Scale),
                    // b E1 - b E2 is Laplace(0, b): one uniform and one log per lane instead of two exponentials.
                    SumLaw sum when sum.IsLaplace(out var b) => ("Laplace", Ex.Zero, b),
                    _ => ((string?)null, (Expr)Ex.Zero, (Expr)Ex.Zero),
                };
                if (kind is null) continue;
                sb.Append($"        if (p == {p} && term == {k})\n        {{\n");
                sb.Append("            // U ~ ").Append(CSharpNames.Comment(terms[k].Law.Describe())).Append('\n');
                sb.Append(Load(rule, locals, [first, second]));
                sb.Append(new StraightLineWriter(s => locals[s], $"l{p}_{k}_", "            ").Write([("a", first, ""), ("scale", second, "")]));
                sb.Append($"            law = {Law}{kind};\n            return true;\n        }}\n");
            }
        }
        sb.Append($"        law = {Law}Zero;\n        a = 0;\n        scale = 0;\n        return false;\n    }}\n\n");
        return sb.ToString();
    }

    private static string Load(RuleModel rule, Dictionary<Symbol, string> locals, IEnumerable<Expr> used)
    {
        var list = used.ToList();
        var sb = new StringBuilder();
        for (int i = 0; i < rule.Parameters.Length; i++)
            if (list.Any(e => e.Contains(rule.Parameters[i].Symbol)))
                sb.Append("            ").Append($"double {locals[rule.Parameters[i].Symbol]} = theta[{i}];\n");
        return sb.ToString();
    }
}
