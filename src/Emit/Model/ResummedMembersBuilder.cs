using System.Globalization;
using System.Text;
using SeriesCompiler.Emit.CSharp;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Levy;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;

namespace SeriesCompiler.Emit.Model;

/// <summary>
/// The members of <c>IResummedRule</c> for a generated class: per parameter and term, the coefficient C(theta),
/// the derivative order, and a sampler for the auxiliary shift U, each with its formula beside it.
/// </summary>
internal static class ResummedMembersBuilder
{
    private const string Rules = "global::SeriesCompiler.Runtime.Rules";
    private const string Sampling = "global::SeriesCompiler.Runtime.Sampling";

    public static string Build(RuleModel rule, Dictionary<Symbol, string> locals)
    {
        var outcomes = rule.Resummation;
        var sb = new StringBuilder();
        string Switch(Func<int, string> arm, string fallback) =>
            "p switch { " + string.Concat(Enumerable.Range(0, outcomes.Length).Select(p => $"{p} => {arm(p)}, ")) + "_ => " + fallback + " }";

        sb.Append("    public bool IsResummed(int p) => ").Append(Switch(p => outcomes[p].IsResummed ? "true" : "false", "false")).Append(";\n\n");
        sb.Append("    public int TermCount(int p) => ").Append(Switch(p => (outcomes[p].Rule?.Terms.Length ?? 0).ToString(CultureInfo.InvariantCulture), "0")).Append(";\n\n");
        sb.Append("    public string Describe(int p) => ").Append(Switch(p =>
            CSharpNames.StringLiteral(outcomes[p].Rule is { } r ? $"d/d{outcomes[p].Parameter}: {r}" : $"d/d{outcomes[p].Parameter}: truncated series ({outcomes[p].Reason})"), "\"\"")).Append(";\n\n");

        var terms = outcomes.SelectMany((o, p) => (o.Rule?.Terms ?? []).Select((t, k) => (P: p, K: k, Term: t))).ToList();
        sb.Append("    public int DerivativeOrder(int p, int term) => (p, term) switch\n    {\n");
        foreach (var (p, k, t) in terms) sb.Append($"        ({p}, {k}) => {t.Derivative},\n");
        sb.Append("        _ => throw new global::System.ArgumentOutOfRangeException(nameof(term)),\n    };\n\n");

        sb.Append("    public double TermCoefficient(global::System.ReadOnlySpan<double> theta, int p, int term)\n    {\n");
        foreach (var (p, k, t) in terms)
        {
            sb.Append($"        if (p == {p} && term == {k})\n        {{\n");
            sb.Append(Load(rule, locals, [t.Coefficient], "            "));
            sb.Append(Write([("return", t.Coefficient, $"C = {t.Coefficient}")], locals, $"r{p}_{k}_", "            ").Replace("return = ", "return "));
            sb.Append("        }\n");
        }
        sb.Append("        throw new global::System.ArgumentOutOfRangeException(nameof(term));\n    }\n\n");

        sb.Append("    public double SampleShift(global::System.ReadOnlySpan<double> theta, int p, int term, global::SeriesCompiler.Runtime.Sampling.RandomSource random)\n    {\n");
        foreach (var (p, k, t) in terms)
        {
            sb.Append($"        if (p == {p} && term == {k})\n        {{\n");
            sb.Append("            // U ~ ").Append(CSharpNames.Comment(t.Law.Describe())).Append('\n');
            var parameters = LawParameters(t.Law).ToList();
            sb.Append(Load(rule, locals, parameters, "            "));
            var names = parameters.Select((e, i) => ($"double u{i}", e, "")).ToList();
            sb.Append(Write(names, locals, $"u{p}_{k}_", "            "));
            int next = 0;
            sb.Append("            return ").Append(Draw(t.Law, ref next)).Append(";\n        }\n");
        }
        sb.Append("        throw new global::System.ArgumentOutOfRangeException(nameof(term));\n    }\n");
        sb.Append(LevyMembersBuilder.Members(rule));
        return sb.ToString();
    }

    private static string Load(RuleModel rule, Dictionary<Symbol, string> locals, IEnumerable<Expr> used, string indent)
    {
        var list = used.ToList();
        var sb = new StringBuilder();
        for (int i = 0; i < rule.Parameters.Length; i++)
            if (list.Any(e => e.Contains(rule.Parameters[i].Symbol)))
                sb.Append(indent).Append($"double {locals[rule.Parameters[i].Symbol]} = theta[{i}];\n");
        return sb.ToString();
    }

    private static string Write(List<(string, Expr, string)> outputs, Dictionary<Symbol, string> locals, string prefix, string indent) =>
        new StraightLineWriter(s => locals[s], prefix, indent).Write(outputs);

    /// <summary>The expressions a law's sampler needs, in the order <see cref="Draw"/> consumes them.</summary>
    private static IEnumerable<Expr> LawParameters(AuxiliaryLaw law) => law switch
    {
        ShiftLaw s => [s.Shift],
        GammaLaw g => [g.Shape, g.Scale],
        UniformExponentialLaw u => [u.Scale],
        LogarithmicLaw l => [l.Q],
        GeometricLaw g => [g.Q],
        SumLaw s => s.Parts.SelectMany(LawParameters),
        PoleMixtureLaw m => [m.Scale],
        _ => [],
    };

    private static string Draw(AuxiliaryLaw law, ref int next)
    {
        switch (law)
        {
            case ZeroLaw: return "0.0";
            case ShiftLaw: return $"u{next++}";
            case GammaLaw: { int shape = next++, scale = next++; return $"(u{scale} * random.Gamma(u{shape}))"; }
            case UniformExponentialLaw: return $"(u{next++} * random.NextDouble() * random.Exponential())";
            case LogarithmicLaw: return $"{Rules}.RuleMath.Logarithmic(random, u{next++})";
            case GeometricLaw: return $"{Rules}.RuleMath.Geometric(random, u{next++})";
            case PoleMixtureLaw m:
                // U = scale X / K: X from the kernel, K from the zeta law over the poles (ZetaLaw).
                return m.Kernel == SeriesCompiler.Symbolic.Functions.PoleKernel.Laplace
                    ? $"{Sampling}.ZetaLaw.LaplaceOverIndex(random, u{next++}, {m.ZetaPower}, {(m.OddOnly ? "true" : "false")})"
                    : $"{Sampling}.ZetaLaw.GammaOverIndex(random, u{next++}, {m.Shape}, {m.ZetaPower}, {(m.OddOnly ? "true" : "false")})";
            case LevyNearLaw or LevyTailLaw: return LevyMembersBuilder.Draw(law);
            case SumLaw s:
            {
                var parts = new List<string>();
                foreach (var part in s.Parts) parts.Add(Draw(part, ref next));
                return "(" + string.Join(" + ", parts) + ")";
            }
            default: throw new InvalidOperationException($"no sampler for {law}");
        }
    }
}
