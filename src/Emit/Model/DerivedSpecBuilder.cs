using System.Globalization;
using System.Text;
using SeriesCompiler.Emit.CSharp;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Emit.Model;

/// <summary>A value transform the emitter cannot write as generic arithmetic (it reports SC2002).</summary>
public sealed class UnsupportedValueException(string message) : Exception(message);

/// <summary>The derived-distribution template's model: every field C# text.</summary>
public sealed record DerivedSpec(
    string Namespace, string ClassName, string NameLiteral, string SourceComment, string Summary,
    IReadOnlyList<ParameterSpec> Parameters, bool IsFamily, int VectorCount, int ScalarCount,
    string Latents, string ValidateCode, string ArgumentsCode, string ValueCode);

/// <summary>
/// Renders the C# of a derived distribution: each latent's arguments with the model's Jacobian in the parameter
/// slots (the chain rule through the arguments), and the transform <c>value</c> as generic arithmetic so the
/// runtime can evaluate it on doubles and on Taylor jets alike.
/// </summary>
public static class DerivedSpecBuilder
{
    private const string Indent = "        ";

    public static DerivedSpec Build(RuleModel rule, string @namespace)
    {
        var d = rule;
        var derived = rule.Derived ?? throw new ArgumentException("not a derived distribution", nameof(rule));
        bool family = d.FamilySize is not null;
        var vectors = d.Parameters.Where(p => p.VectorSize is not null).ToList();
        var scalars = d.Parameters.Where(p => p.VectorSize is null).ToList();

        // Slot of each parameter in theta: declaration order, a vector taking K slots.
        var offsets = new Dictionary<ParameterModel, string>();
        var sb = new StringBuilder();
        int scalarsBefore = 0, vectorsBefore = 0;
        foreach (var p in d.Parameters)
        {
            offsets[p] = vectorsBefore == 0 ? scalarsBefore.ToString(CultureInfo.InvariantCulture) : $"{scalarsBefore} + {vectorsBefore} * K";
            if (p.VectorSize is null) scalarsBefore++; else vectorsBefore++;
        }

        var validate = new StringBuilder();
        foreach (var (p, i) in d.Parameters.Select((p, i) => (p, i)))
        {
            if (p.VectorSize is null) validate.Append(Indent).Append($"s_parameters[{i}].Check(theta[{offsets[p]}]);\n");
            else validate.Append(Indent).Append($"for (int j = 0; j < K; j++) s_parameters[{i}].Check(theta[{offsets[p]} + j]);\n");
        }
        validate.Append(RuleSpecBuilder.JointConstraintChecks(d, i => offsets[d.Parameters[i]]));

        // Latent arguments and their derivatives in every slot of theta.
        var arguments = new StringBuilder();
        var locals = new Dictionary<Symbol, string>();
        foreach (var p in scalars) locals[p.Symbol] = $"theta[{offsets[p]}]";
        foreach (var p in vectors) locals[RuleModel.DifferentiationSymbol(p)] = $"theta[{offsets[p]} + index]";
        for (int l = 0; l < derived.Latents.Length; l++)
        {
            var latent = derived.Latents[l];
            arguments.Append(Indent).Append($"if (latent == {l})\n").Append(Indent).Append("{\n");
            var outputs = new List<(string, Expr, string)>();
            for (int q = 0; q < latent.Arguments.Length; q++)
            {
                var arg = latent.Arguments[q];
                outputs.Add(($"arguments[{q}]", arg, $"{latent.Name} ~ {latent.Distribution}: argument {q + 1} = {arg}"));
                for (int pi = 0; pi < d.Parameters.Length; pi++)
                {
                    var p = d.Parameters[pi];
                    var symbol = p.DifferentiationSymbol;
                    var derivative = latent.Jacobian[q][pi];
                    if (derivative.IsZero) continue;
                    var slot = p.VectorSize is null ? offsets[p] : $"{offsets[p]} + index";
                    outputs.Add(($"jacobian[{q} * theta.Length + {slot}]", derivative, $"d/d{symbol.Name} = {derivative}"));
                }
            }
            arguments.Append(Indent).Append("    jacobian.Clear();\n");
            arguments.Append(new StraightLineWriter(s => locals.TryGetValue(s, out var c) ? c : throw new UnsupportedValueException($"latent argument uses '{s.Name}'"), $"x{l}_", Indent + "    ").Write(outputs));
            arguments.Append(Indent).Append("    return;\n").Append(Indent).Append("}\n");
        }

        var value = GenericValueWriter.Write(d, derived);

        var parameters = d.Parameters.Select((p, i) => RuleSpecBuilder.Parameter(p.Info, "", i)).ToList();
        var latents = string.Join(", ", derived.Latents.Select(l =>
            $"new({CSharpNames.StringLiteral(l.Name)}, {CSharpNames.StringLiteral(l.Distribution)}, {l.Arguments.Length}, {(l.IsIndexed ? "true" : "false")})"));

        return new DerivedSpec(@namespace, CSharpNames.TypeName(d.Name, "Rule"), CSharpNames.StringLiteral(d.Name),
            CSharpNames.Comment(d.SourceFile),
            CSharpNames.Comment($"{d.Name}({string.Join(", ", d.Parameters.Select(p => p.ConstraintText))}) built from {string.Join(", ", derived.Latents.Select(l => l.Name + " ~ " + l.Distribution))}; value = {derived.Value}"),
            parameters, family, vectors.Count, scalars.Count, latents, validate.ToString(), arguments.ToString(), value);
    }
}

/// <summary>
/// Writes <c>value</c> as generic arithmetic over T (operators only, constants as doubles on the right).
/// A family's <c>value[j] = g[j] / sum(g)</c> becomes a loop over j.
/// </summary>
internal static class GenericValueWriter
{
    private const string Indent = "        ";

    public static string Write(RuleModel rule, DerivedModel d)
    {
        var value = d.Value ?? throw new UnsupportedValueException("no value");
        var latentIndex = d.Latents.Select((l, i) => (l, i)).ToDictionary(x => x.l.Symbol.Name, x => x.i);
        var sb = new StringBuilder();
        if (rule.FamilySize is null)
        {
            sb.Append(Indent).Append("value[0] = ").Append(Code(value, s => latentIndex.TryGetValue(s.Name, out var i) ? $"latents[{i}]" : null)).Append(";\n");
            return sb.ToString();
        }
        // Families: one indexed latent g[j]; sum(g) adds its components.
        var indexed = d.Latents.Single(l => l.IsIndexed);
        if (value.Contains(Ex.Sym($"sum({indexed.Name})", SymbolKind.Variable)))
        {
            sb.Append(Indent).Append($"T sum_{CSharpNames.Identifier(indexed.Name).TrimStart('@')} = latents[0];\n");
            sb.Append(Indent).Append($"for (int i = 1; i < latents.Length; i++) sum_{CSharpNames.Identifier(indexed.Name).TrimStart('@')} = sum_{CSharpNames.Identifier(indexed.Name).TrimStart('@')} + latents[i];\n");
        }
        sb.Append(Indent).Append("for (int j = 0; j < value.Length; j++)\n");
        sb.Append(Indent).Append("    value[j] = ").Append(Code(value, s =>
            s.Name == indexed.Name + "[j]" ? "latents[j]"
            : s.Name == $"sum({indexed.Name})" ? "sum_" + CSharpNames.Identifier(indexed.Name).TrimStart('@')
            : null)).Append(";\n");
        return sb.ToString();
    }

    private static string Code(Expr e, Func<Symbol, string?> symbol)
    {
        switch (e)
        {
            case Symbol s:
                return symbol(s) ?? throw new UnsupportedValueException($"value uses '{s.Name}', which is not a latent component");
            case Sum s:
            {
                var terms = s.Args.Where(a => a is not Number).Select(a => Code(a, symbol)).ToList();
                var constant = s.Args.FirstOrDefault(a => a is Number) as Number;
                var text = "(" + string.Join(" + ", terms) + (constant is null ? "" : " + " + CSharpNames.Double(constant.Re.ToDouble())) + ")";
                return text;
            }
            case Product p:
            {
                var numerator = new List<string>();
                var denominator = new List<string>();
                double coefficient = 1;
                foreach (var f in p.Args)
                {
                    if (f is Number n) { coefficient = n.Re.ToDouble(); continue; }
                    if (f is Power { Exponent: Number { IsReal: true } k } pw && k.Re.IsInteger && k.Re.Sign < 0)
                        denominator.Add(Code(Ex.Pow(pw.Base, Ex.Num(-k.Re)), symbol));
                    else numerator.Add(Code(f, symbol));
                }
                if (numerator.Count == 0) throw new UnsupportedValueException($"value {e} needs a reciprocal without a numerator; write it as a quotient of latents");
                var text = string.Join(" * ", numerator);
                if (denominator.Count > 0) text = $"({text}) / ({string.Join(" * ", denominator)})";
                return coefficient == 1 ? $"({text})" : $"(({text}) * {CSharpNames.Double(coefficient)})";
            }
            case Power { Exponent: Number { IsReal: true } k } pw when k.Re.IsInteger && k.Re.Sign > 0 && k.Re.Numerator <= 8:
            {
                var b = Code(pw.Base, symbol);
                return "(" + string.Join(" * ", Enumerable.Repeat(b, (int)k.Re.Numerator)) + ")";
            }
            default:
                throw new UnsupportedValueException($"value uses {e}; only + - * / and small integer powers of latents can be pushed through Taylor jets");
        }
    }
}
