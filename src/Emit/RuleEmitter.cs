using System.Reflection;
using Scriban;
using Scriban.Runtime;
using SeriesCompiler.Emit.Model;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Emit;

/// <summary>
/// Stage 6, emit: a <see cref="RuleModel"/> rendered to C# by the Scriban template <c>Rule.sbn</c>. The template
/// holds only layout; every number, identifier and statement comes formatted from <see cref="RuleSpecBuilder"/>.
/// The output is deterministic: the same model gives the same bytes on every machine and culture.
/// </summary>
public static class RuleEmitter
{
    public const string DefaultNamespace = "SeriesCompiler.Generated";

    private static readonly Lazy<Template> RuleTemplate = new(() => Load("Rule.sbn"));
    private static readonly Lazy<Template> DerivedTemplate = new(() => Load("DerivedRule.sbn"));

    /// <summary>The C# class of a rule (direct or derived).</summary>
    public static string Emit(RuleModel rule, string @namespace = DefaultNamespace) =>
        !rule.IsComplete ? throw new ArgumentException("the emitter renders a complete model (Workspace.Model), not Workspace.Derive's", nameof(rule)) :
        // Every number is formatted for C#, whatever the caller's culture.
        Generation.InvariantCulture.Run(() =>
            rule.IsDerived ? Render(DerivedSpecBuilder.Build(rule, @namespace)) : Render(RuleSpecBuilder.Build(rule, @namespace)));

    /// <summary>The full type name of the class emitted for a distribution.</summary>
    public static string TypeName(string distribution, string @namespace = DefaultNamespace) =>
        @namespace + "." + CSharp.CSharpNames.TypeName(distribution, "Rule");

    public static string Render(DerivedSpec spec)
    {
        var model = new ScriptObject
        {
            ["namespace"] = spec.Namespace,
            ["class_name"] = spec.ClassName,
            ["name_literal"] = spec.NameLiteral,
            ["name_plain"] = spec.NameLiteral.Trim('"').Replace("{", "{{").Replace("}", "}}"),
            ["source"] = spec.SourceComment,
            ["summary_xml"] = System.Security.SecurityElement.Escape(spec.Summary),
            ["parameters"] = spec.Parameters.Select(p => new ScriptObject
            {
                ["name_literal"] = p.NameLiteral, ["lower"] = p.Lower, ["lower_inclusive"] = p.LowerInclusive,
                ["upper"] = p.Upper, ["upper_inclusive"] = p.UpperInclusive, ["is_integer"] = p.IsInteger, ["constraint_literal"] = p.ConstraintLiteral,
            }).ToList(),
            ["is_family"] = spec.IsFamily,
            ["scalar_count"] = spec.ScalarCount,
            ["vector_count"] = Math.Max(1, spec.VectorCount),
            ["latents"] = spec.Latents,
            ["validate_code"] = spec.ValidateCode,
            ["arguments_code"] = spec.ArgumentsCode,
            ["value_code"] = spec.ValueCode,
        };
        return RenderWith(DerivedTemplate.Value, model);
    }

    private static string RenderWith(Template template, ScriptObject model)
    {
        // No caps on loops or on the length of an inserted string. Scriban's defaults (1000 iterations, strings cut
        // at 1 MiB with "...") guard against untrusted templates; ours are fixed, their loops run once per parameter
        // or coefficient and their strings are generated code, which the compiler's own limits bound. A cut string
        // would be a silently truncated rule.
        var context = new TemplateContext { StrictVariables = true, NewLine = "\n", LoopLimit = 0, LimitToString = 0 };
        context.PushGlobal(model);
        return template.Render(context).Replace("\r\n", "\n");
    }

    public static string Render(RuleSpec spec)
    {
        var model = new ScriptObject
        {
            ["namespace"] = spec.Namespace,
            ["class_name"] = spec.ClassName,
            ["name_literal"] = spec.NameLiteral,
            ["name_plain"] = spec.NameLiteral.Trim('"').Replace("{", "{{").Replace("}", "}}"),
            ["source"] = spec.SourceComment,
            ["summary_xml"] = System.Security.SecurityElement.Escape(spec.Summary),
            ["parameters"] = spec.Parameters.Select(p => new ScriptObject
            {
                ["name_literal"] = p.NameLiteral, ["index"] = p.Index, ["lower"] = p.Lower, ["lower_inclusive"] = p.LowerInclusive,
                ["upper"] = p.Upper, ["upper_inclusive"] = p.UpperInclusive, ["is_integer"] = p.IsInteger, ["constraint_literal"] = p.ConstraintLiteral,
            }).ToList(),
            ["joint_constraints"] = spec.JointConstraints.Select(c => new ScriptObject
            {
                ["code"] = c.Code, ["check"] = c.Check, ["message"] = c.Message,
            }).ToList(),
            ["differentiable_list"] = spec.DifferentiableList,
            ["differentiable_count"] = spec.DifferentiableCount,
            ["multi_indices"] = spec.MultiIndices,
            ["finite_support_code"] = spec.FiniteSupportCode,
            ["dimension"] = spec.Dimension,
            ["order"] = spec.Order,
            ["support"] = spec.Support,
            ["cumulants_code"] = spec.CumulantsCode,
            ["coefficients_code"] = spec.CoefficientsCode,
            ["coefficient_errors_code"] = spec.CoefficientErrorsCode,
            ["has_cgf"] = spec.HasCgf,
            ["cgf_code"] = spec.CgfCode,
            ["cgf_gradient_code"] = spec.CgfGradientCode,
            ["has_cgf_domain"] = spec.HasCgfDomain,
            ["cgf_domain_code"] = spec.CgfDomainCode,
            ["cgf_domain_comment"] = spec.CgfDomainComment,
            ["can_sample"] = spec.CanSample,
            ["sample_code"] = spec.SampleCode,
            ["has_pathwise"] = spec.HasPathwise,
            ["pathwise_code"] = spec.PathwiseCode,
            ["has_log_density"] = spec.HasLogDensity,
            ["log_density_code"] = spec.LogDensityCode,
            ["score_code"] = spec.ScoreCode,
            ["resummed_members"] = spec.ResummedMembers,
            ["lane_members"] = spec.LaneMembers,
            ["copy_members"] = spec.CopyMembers,
        };
        return RenderWith(RuleTemplate.Value, model);
    }

    private static Template Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"template {name} is not embedded");
        using var reader = new StreamReader(stream);
        var template = Template.Parse(reader.ReadToEnd(), name);
        if (template.HasErrors) throw new InvalidOperationException(string.Join("\n", template.Messages));
        return template;
    }
}
