using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SeriesCompiler.Emit.CSharp;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Emit.Model;

/// <summary>
/// Renders a <see cref="RuleModel"/> into the <see cref="RuleSpec"/> of its class: the C# of its coefficients (after
/// common-subexpression elimination), the closed-form K(tau) and its gradient, the sampler and its pathwise derivative
/// (implicit reparameterisation through gamma draws), the log density and the score. Every expression comes from the
/// model; nothing here differentiates or expands.
/// </summary>
public static class RuleSpecBuilder
{
    private const string Indent = "        ";
    private static readonly HashSet<string> ContinuousDraws = ["uniform", "normal", "exponential"];

    public static RuleSpec Build(RuleModel rule, string @namespace)
    {
        var d = rule;
        if (rule.IsDerived) throw new ArgumentException("derived distributions are emitted by DerivedSpecBuilder", nameof(rule));
        var locals = Locals(d);
        var differentiable = rule.Differentiable;
        int pCount = differentiable.Length;

        // Cumulants and coefficients: c_n into c[m], a_{n,p} into a[m*P + p].
        var cumulants = new List<(string, Expr, string)>();
        var coefficients = new List<(string, Expr, string)>();
        for (int m = 0; m < rule.Coefficients.Length; m++)
        {
            var c = rule.Coefficients[m];
            string n = string.Join(",", c.Index);
            cumulants.Add(($"c[{m}]", c.Value, $"c_{n} = {c.Value}"));
            for (int p = 0; p < pCount; p++)
                coefficients.Add(($"a[{m * pCount + p}]", c.Derivatives[p], $"a_{n},{differentiable[p].Name} = d/d{differentiable[p].Name} ({c.Value}) = {c.Derivatives[p]}"));
        }

        // K(tau) in closed form (no series) and its gradient: the exponential shortcut.
        var (hasCgf, cgfCode, cgfGradientCode) = BuildCgf(rule, differentiable, locals);
        var (hasDomain, domainCode, domainComment) = BuildCgfDomain(rule, locals);

        var (canSample, sampleCode, hasPathwise, pathwiseCode) = BuildSampler(d, differentiable, locals);
        var (hasDensity, densityCode, scoreCode) = BuildDensity(d, differentiable, locals);

        var parameters = d.Parameters.Select((p, i) => Parameter(p.Info, locals[p.Symbol], i)).ToList();
        var jointConstraints = JointConstraints(d, i => i.ToString(CultureInfo.InvariantCulture));
        var degrees = rule.Coefficients.SelectMany(c => Enumerable.Repeat(c.Index.Sum(), pCount)).ToList();

        return new RuleSpec(
            @namespace,
            CSharpNames.TypeName(d.Name, "Rule"),
            CSharpNames.StringLiteral(d.Name),
            CSharpNames.Comment(d.SourceFile),
            CSharpNames.Comment(Summary(d)),
            parameters,
            jointConstraints,
            string.Join(", ", differentiable.Select(p => d.Parameters.IndexOf(p).ToString(CultureInfo.InvariantCulture))),
            pCount,
            d.Dimension,
            rule.Order,
            "global::SeriesCompiler.Runtime.Rules.SupportKind." + d.Support!.Kind,
            string.Join(", ", rule.Coefficients.Select(c => "[" + string.Join(", ", c.Index) + "]")),
            FiniteSupport(d, locals),
            Block(cumulants, locals, d, "c_"),
            Block(coefficients, locals, d, "a_"),
            ErrorBlock(coefficients, locals, d, "e_"),
            hasCgf, cgfCode, cgfGradientCode,
            hasDomain, domainCode, domainComment,
            canSample, sampleCode, hasPathwise, pathwiseCode,
            hasDensity, densityCode, scoreCode,
            ResummedMembersBuilder.Build(rule, locals),
            BuildLaneMembers(d, differentiable, locals, hasPathwise) + LaneShiftMembersBuilder.Build(rule, locals),
            CopyMembersBuilder.Build(d, locals, parameters, jointConstraints.Count > 0, coefficients, degrees, Interval(d)));
    }

    /// <summary>The C# local of each parameter: <c>p_</c> and its identifier.</summary>
    internal static Dictionary<Symbol, string> Locals(RuleModel d) =>
        d.Parameters.ToDictionary(p => p.Symbol, p => "p_" + CSharpNames.Identifier(p.Name).TrimStart('@'));

    private static string Bool(bool b) => b ? "true" : "false";

    /// <summary>A parameter's <c>ParameterInfo</c> as the template writes it (the runtime checks the same values).</summary>
    internal static ParameterSpec Parameter(Runtime.Rules.ParameterInfo p, string local, int index) => new(
        CSharpNames.StringLiteral(p.Name), local, index,
        p.Lower is { } lo ? CSharpNames.Double(lo) : "null", Bool(p.LowerInclusive),
        p.Upper is { } hi ? CSharpNames.Double(hi) : "null", Bool(p.UpperInclusive),
        Bool(p.IsInteger), CSharpNames.StringLiteral(p.Constraint));

    private static string Summary(RuleModel d)
    {
        var kind = d.CharacteristicKind switch
        {
            CharacteristicKind.Cf => "cf",
            CharacteristicKind.LogCf => "logcf",
            _ => "cgf",
        };
        var vars = string.Join(", ", d.FrequencyVariables);
        return $"{d.Name}({string.Join(", ", d.Parameters.Select(p => p.ConstraintText))}): {kind}({vars}) = {d.Characteristic}";
    }

    /// <summary>Loads the parameters into locals, then writes the outputs as straight-line code.</summary>
    private static string Block(List<(string, Expr, string)> outputs, Dictionary<Symbol, string> locals, RuleModel d, string prefix)
    {
        var writer = new StraightLineWriter(s => locals[s], prefix, Indent, Interval(d));
        return LoadParameters(d, locals, outputs.Select(o => o.Item2)) + writer.Write(outputs);
    }

    /// <summary>Running error bounds of the coefficients' code, into <c>error[...]</c> at the same positions as <c>a[...]</c>.</summary>
    private static string ErrorBlock(List<(string Target, Expr Value, string Comment)> outputs, Dictionary<Symbol, string> locals, RuleModel d, string prefix)
    {
        var writer = new StraightLineWriter(s => locals[s], prefix, Indent, Interval(d));
        var targets = outputs.Select(o => ("error" + o.Target[1..], o.Value)).ToList();
        return LoadParameters(d, locals, outputs.Select(o => o.Value)) + writer.WriteErrorBounds(targets);
    }

    /// <summary>The finite interval of a real parameter constrained on both sides (p in (0, 1)), for stable polynomial forms.</summary>
    private static Func<Symbol, (Rational Lower, Rational Upper)?> Interval(RuleModel d) => symbol =>
        d.Parameters.FirstOrDefault(p => p.Symbol == symbol) is { IsInteger: false, Lower: { } lo, Upper: { } hi } && lo < hi ? (lo, hi) : null;

    private static string LoadParameters(RuleModel d, Dictionary<Symbol, string> locals, IEnumerable<Expr> used)
    {
        var list = used.ToList();
        var sb = new StringBuilder();
        for (int i = 0; i < d.Parameters.Length; i++)
        {
            var p = d.Parameters[i];
            if (list.Any(e => e.Contains(p.Symbol)))
                sb.Append(Indent).Append("double ").Append(locals[p.Symbol]).Append(" = theta[").Append(i).Append("];\n");
        }
        return sb.ToString();
    }

    /// <summary>
    /// The body of <c>FiniteSupport(theta)</c>: the points as code of the parameters, so that a support such as
    /// Binomial's {0 .. n} needs nothing symbolic at run time. {a, b, ...} lists its points; {LO .. HI} holds the
    /// integers k with ceil(LO) &lt;= k &lt;= floor(HI). Any other support has no finite set of points (null).
    /// </summary>
    private static string FiniteSupport(RuleModel d, Dictionary<Symbol, string> locals)
    {
        var support = d.Support!;
        if (support.Kind is not (SupportKind.FiniteSet or SupportKind.IntegerRange)) return Indent + "return null;\n";
        // A bad theta (n = 2.5, or too few values) is the parameter's own error, not a wrong set of points.
        var sb = new StringBuilder(Indent + "Validate(theta);\n");
        if (support.Kind == SupportKind.FiniteSet)
        {
            var points = support.Bounds.Select((b, i) => ($"points[{i}]", b, $"point {i} = {b}")).ToList();
            sb.Append(Indent).Append("double[] points = new double[").Append(points.Count).Append("];\n");
            sb.Append(Block(points, locals, d, "s_"));
            sb.Append(Indent).Append("return points;\n");
            return sb.ToString();
        }
        var bounds = new List<(string, Expr, string)> { ("lo", support.Bounds[0], $"LO = {support.Bounds[0]}"), ("hi", support.Bounds[1], $"HI = {support.Bounds[1]}") };
        sb.Append(Indent).Append("double lo, hi;\n");
        sb.Append(Block(bounds, locals, d, "s_"));
        // The enumeration is capped (a million points), like every other size the estimators allocate from theta.
        string message = "$\"the support {{{lo.ToString(global::System.Globalization.CultureInfo.InvariantCulture)} .. {hi.ToString(global::System.Globalization.CultureInfo.InvariantCulture)}}} of "
            + CSharpNames.StringLiteral(d.Name)[1..^1].Replace("{", "{{").Replace("}", "}}") + " is empty or too large to enumerate\"";
        sb.Append(Indent).Append("double low = global::System.Math.Ceiling(lo), high = global::System.Math.Floor(hi);\n");
        sb.Append(Indent).Append("if (!(high >= low) || high - low > 1000000)\n");
        sb.Append(Indent).Append("    throw new global::System.ArgumentOutOfRangeException(nameof(theta), ").Append(message).Append(");\n");
        sb.Append(Indent).Append("double[] range = new double[(int)(high - low) + 1];\n");
        sb.Append(Indent).Append("for (int k = 0; k < range.Length; k++) range[k] = low + k;\n");
        sb.Append(Indent).Append("return range;\n");
        return sb.ToString();
    }

    private static (bool, string, string) BuildCgf(RuleModel rule, EquatableArray<ParameterModel> differentiable, Dictionary<Symbol, string> locals)
    {
        if (rule.ClosedFormCgf is not { } k || rule.ClosedFormCgfGradient is not { } dk) return (false, "", "");
        var d = rule;
        var tau = ClosedFormCgf.Tau;
        var withTau = new Dictionary<Symbol, string>(locals) { [tau] = "tau" };
        try
        {
            var cgf = Block([("return_value", k, $"K(tau) = {k}")], withTau, d, "k_");
            var gradient = differentiable.Select((p, i) => ($"gradient[{i}]", dk[i], $"dK/d{p.Name} = {dk[i]}")).ToList();
            return (true, cgf, Block(gradient, withTau, d, "g_"));
        }
        catch (SymbolicException)
        {
            return (false, "", "");
        }
    }

    /// <summary>
    /// The domain of K: each candidate end into a local, then lower = max of the negative ones and upper = min of the
    /// positive ones (the analysis proved each one's sign from the constraints).
    /// </summary>
    private static (bool, string, string) BuildCgfDomain(RuleModel rule, Dictionary<Symbol, string> locals)
    {
        var domain = rule.CgfDomain;
        string comment = CSharpNames.Comment(domain.Known ? "K(tau) is finite for " + domain.Describe() : "the domain of K(tau) is unknown: " + domain.Reason);
        if (!domain.Known) return (false, "", comment);
        var d = rule;
        var outputs = new List<(string, Expr, string)>();
        for (int i = 0; i < domain.LowerCandidates.Length; i++) outputs.Add(($"double lower{i}", domain.LowerCandidates[i], $"a singularity of K below 0: {domain.LowerCandidates[i]}"));
        for (int i = 0; i < domain.UpperCandidates.Length; i++) outputs.Add(($"double upper{i}", domain.UpperCandidates[i], $"a singularity of K above 0: {domain.UpperCandidates[i]}"));
        var sb = new StringBuilder();
        if (outputs.Count > 0) sb.Append(Block(outputs, locals, d, "d_"));
        sb.Append(Indent).Append("lower = ").Append(Extreme("Max", "lower", domain.LowerCandidates.Length, "double.NegativeInfinity")).Append(";\n");
        sb.Append(Indent).Append("upper = ").Append(Extreme("Min", "upper", domain.UpperCandidates.Length, "double.PositiveInfinity")).Append(";\n");
        return (true, sb.ToString(), comment);
    }

    private static string Extreme(string method, string prefix, int count, string none) => count switch
    {
        0 => none,
        _ => Enumerable.Range(1, count - 1).Aggregate(prefix + "0", (acc, i) => $"global::System.Math.{method}({acc}, {prefix}{i})"),
    };

    /// <summary>
    /// Joint constraints: both sides evaluated as written; the check fails for NaN too. The message names every
    /// parameter the constraint involves with its value. <paramref name="slot"/> gives a parameter's position in theta.
    /// </summary>
    internal static List<JointConstraintSpec> JointConstraints(RuleModel d, Func<int, string> slot)
    {
        const string inner = Indent + "    ";
        var locals = Locals(d);
        var result = new List<JointConstraintSpec>();
        for (int c = 0; c < d.JointConstraints.Length; c++)
        {
            var constraint = d.JointConstraints[c];
            var involved = constraint.Involved.Select(i => d.Parameters[i]).ToList();
            string left = $"left{c}", right = $"right{c}";
            var code = new StringBuilder();
            foreach (var i in constraint.Involved) code.Append(inner).Append("double ").Append(locals[d.Parameters[i].Symbol]).Append(" = theta[").Append(slot(i)).Append("];\n");
            code.Append(new StraightLineWriter(s => locals[s], $"j{c}_", inner).Write([($"double {left}", constraint.Left, ""), ($"double {right}", constraint.Right, "")]));
            string check = $"{left} {constraint.Operator} {right}";
            var message = new StringBuilder(CSharpNames.StringLiteral("parameters "));
            for (int i = 0; i < involved.Count; i++)
                message.Append(" + ").Append(CSharpNames.StringLiteral((i > 0 ? ", " : "") + involved[i].Name + " = "))
                       .Append(" + ").Append(locals[involved[i].Symbol]).Append(".ToString(\"R\", global::System.Globalization.CultureInfo.InvariantCulture)");
            message.Append(" + ").Append(CSharpNames.StringLiteral(" violate " + constraint.Text));
            result.Add(new JointConstraintSpec(code.ToString(), check, message.ToString()));
        }
        return result;
    }

    /// <summary>The checks of <see cref="JointConstraints"/> as statements, for templates that take Validate's body as one block.</summary>
    internal static string JointConstraintChecks(RuleModel d, Func<int, string> slot) =>
        string.Concat(JointConstraints(d, slot).Select(c =>
            $"{Indent}{{\n{c.Code}{Indent}    if (!({c.Check}))\n{Indent}        throw new global::System.ArgumentOutOfRangeException(\"theta\", {c.Message});\n{Indent}}}\n"));

    /// <summary>
    /// The sampler, and its pathwise derivative from the model (dg/dk of each gamma draw that moves with theta from
    /// <c>SpecialFunctions.GammaSampleShapeDerivative</c>, then dz/dtheta as the model wrote it).
    /// </summary>
    private static (bool, string, bool, string) BuildSampler(RuleModel d, EquatableArray<ParameterModel> differentiable, Dictionary<Symbol, string> locals)
    {
        if (d.Sampler is not { } sampler) return (false, "", false, "");
        var draws = sampler.Draws;
        var names = new Dictionary<Symbol, string>(locals);
        for (int i = 0; i < draws.Length; i++) names[draws[i].Symbol] = "draw" + i;
        var drawWriter = new StraightLineWriter(s => names[s], "s_", Indent);
        var sb = new StringBuilder();
        sb.Append(LoadParameters(d, locals, draws.SelectMany(x => x.Arguments).Concat(sampler.Sample)));
        foreach (var (draw, i) in draws.Select((x, i) => (x, i)))
        {
            var args = draw.Arguments.Select((a, j) => ($"double arg{i}_{j}", a, "")).ToList();
            sb.Append(new StraightLineWriter(s => names[s], $"s{i}_", Indent).Write(args));
            sb.Append(Indent).Append("double draw").Append(i).Append(" = ").Append(DrawCall(draw, i, draws.Any(x => draw.Arguments.Any(a => a.Contains(x.Symbol))))).Append(";\n");
        }
        var sampleOutputs = sampler.Sample.Select((e, j) => ($"z[{j}]", e, $"z{(sampler.Sample.Length > 1 ? (j + 1).ToString(CultureInfo.InvariantCulture) : "")} = {e}")).ToList();
        var sampleCode = sb + drawWriter.Write(sampleOutputs);

        if (sampler.Pathwise is not { } pathwise) return (true, sampleCode, false, "");
        foreach (var shape in pathwise.ShapeDerivatives) names[shape.Symbol] = "dgdk" + shape.Draw;
        var path = new StringBuilder(sampleCode);
        foreach (var shape in pathwise.ShapeDerivatives)
            path.Append(Indent).Append($"double dgdk{shape.Draw} = global::SeriesCompiler.Runtime.Special.SpecialFunctions.GammaSampleShapeDerivative(draw{shape.Draw}, arg{shape.Draw}_0);\n");
        path.Append(new StraightLineWriter(s => names[s], "dz_", Indent).Write(PathwiseOutputs(sampler, pathwise, differentiable, j => $"dz[{j}]")));
        return (true, sampleCode, true, path.ToString());
    }

    /// <summary>The model's dz_j/dtheta_p as outputs, into <paramref name="target"/>(j * P + p), each with its formula.</summary>
    private static List<(string, Expr, string)> PathwiseOutputs(SamplerModel sampler, PathwiseModel pathwise, EquatableArray<ParameterModel> differentiable, Func<int, string> target)
    {
        int count = differentiable.Length;
        var outputs = new List<(string, Expr, string)>();
        for (int j = 0; j < sampler.Sample.Length; j++)
            for (int p = 0; p < count; p++)
            {
                var dz = pathwise.Dz[j * count + p];
                outputs.Add((target(j * count + p), dz, $"dz{j}/d{differentiable[p].Symbol.Name} = {dz}"));
            }
        return outputs;
    }

    // The draws the SIMD lane samplers make, by the declaration's name for them.
    private static readonly Dictionary<string, string> LaneDraws = new()
    {
        ["uniform"] = "Uniform", ["normal"] = "Normal", ["exponential"] = "Exponential", ["gamma"] = "Gamma",
    };

    /// <summary>
    /// The members of <c>ILaneSampledRule</c>: when every draw of the sample is a lane primitive whose arguments depend on the
    /// parameters only, the draws' kinds and arguments, and z (with dz/dtheta through dg/dk for gamma draws) from a block of
    /// draws, a loop over the samples with the parameters loaded once. Otherwise <c>HasLaneDraws</c> is false.
    /// </summary>
    private static string BuildLaneMembers(RuleModel d, EquatableArray<ParameterModel> differentiable, Dictionary<Symbol, string> locals, bool hasPathwise)
    {
        var sampler = d.Sampler;
        var draws = sampler?.Draws ?? [];
        var sample = sampler?.Sample ?? [];
        var drawSymbols = draws.Select(x => x.Symbol).ToList();
        bool lane = !sample.IsEmpty && draws.All(x => LaneDraws.ContainsKey(x.Kind) && x.Arguments.Length <= 1
            && !x.Arguments.Any(a => drawSymbols.Any(a.Contains)));
        const string Sig = "    public void ";
        const string Rd = "global::System.ReadOnlySpan<double>", Sp = "global::System.Span<double>";
        var sb = new StringBuilder();
        sb.Append("    // ---- block sampling (ILaneSampledRule): the draws in SIMD lanes, z from a block of them ----\n\n");
        sb.Append("    public bool HasLaneDraws => ").Append(Bool(lane)).Append(";\n\n");
        string kinds = lane ? string.Join(", ", draws.Select(x => "global::SeriesCompiler.Runtime.Rules.LaneDraw." + LaneDraws[x.Kind])) : "";
        sb.Append("    private static readonly global::SeriesCompiler.Runtime.Rules.LaneDraw[] s_laneDraws = [").Append(kinds).Append("];\n\n");
        sb.Append("    public global::System.ReadOnlySpan<global::SeriesCompiler.Runtime.Rules.LaneDraw> LaneDraws => s_laneDraws;\n\n");
        string refuse = $"{Indent}throw new global::System.NotSupportedException({CSharpNames.StringLiteral(d.Name)} + \": the sample is not made of lane draws\");\n";
        sb.Append(Sig).Append($"DrawArguments({Rd} theta, {Sp} arguments)\n    {{\n");
        if (lane)
        {
            var args = draws.Select((x, i) => ($"arguments[{i}]", x.Arguments.IsEmpty ? Ex.Zero : x.Arguments[0], $"argument of {x.Kind}#{i}")).ToList();
            sb.Append(Block(args, locals, d, "g_"));
        }
        else sb.Append(refuse);
        sb.Append("    }\n\n");

        var names = new Dictionary<Symbol, string>(locals);
        for (int i = 0; i < draws.Length; i++) names[draws[i].Symbol] = "draw" + i;
        const string Inner = Indent + "    ";
        string Loop(string body, IEnumerable<Expr> used, bool derivatives)
        {
            var loop = new StringBuilder(LoadParameters(d, locals, used));
            loop.Append(Indent).Append("for (int s = 0; s < count; s++)\n").Append(Indent).Append("{\n");
            for (int i = 0; i < draws.Length; i++)
            {
                loop.Append(Inner).Append($"double draw{i} = draws[{i} * stride + s];\n");
                if (derivatives && draws[i].Kind == "gamma") loop.Append(Inner).Append($"double dgdk{i} = shapeDerivatives[{i} * stride + s];\n");
            }
            return loop.Append(body).Append(Indent).Append("}\n").ToString();
        }
        string ZComment(int j, Expr e) => $"z{(sample.Length > 1 ? (j + 1).ToString(CultureInfo.InvariantCulture) : "")} = {e}";
        sb.Append(Sig).Append($"SampleFromDraws({Rd} theta, {Rd} draws, int count, int stride, {Sp} z)\n    {{\n");
        if (lane)
        {
            var outputs = sample.Select((e, j) => ($"z[{j} * stride + s]", e, ZComment(j, e))).ToList();
            sb.Append(Loop(new StraightLineWriter(s => names[s], "b_", Inner).Write(outputs), sample, false));
        }
        else sb.Append(refuse);
        sb.Append("    }\n\n");

        // The same two members for every copy at once (ILaneCopyBatchedRule): the bodies above inside a loop over copies,
        // with theta, draws, arguments and z the copy's slices (the same code, so the same bits; no interface call per copy).
        string perCopy = d.Parameters.Length.ToString(CultureInfo.InvariantCulture);
        string drawCount = draws.Length.ToString(CultureInfo.InvariantCulture), dimension = sample.Length.ToString(CultureInfo.InvariantCulture);
        const string Checks = "global::SeriesCompiler.Runtime.Rules.CopyBatchArguments.";
        sb.Append(Sig).Append($"DrawArgumentsOfCopies({Rd} thetas, int copies, {Sp} allArguments)\n    {{\n");
        if (lane)
        {
            sb.Append(Indent).Append($"{Checks}Require(thetas, copies, {perCopy}, nameof(thetas));\n");
            sb.Append(Indent).Append($"{Checks}Require(allArguments, copies, {drawCount}, nameof(allArguments));\n");
            sb.Append(Indent).Append("for (int copy = 0; copy < copies; copy++)\n").Append(Indent).Append("{\n");
            sb.Append(Indent).Append($"    var theta = thetas.Slice(copy * {perCopy}, {perCopy});\n");
            sb.Append(Indent).Append($"    var arguments = allArguments.Slice(copy * {drawCount}, {drawCount});\n");
            var args = draws.Select((x, i) => ($"arguments[{i}]", x.Arguments.IsEmpty ? Ex.Zero : x.Arguments[0], $"argument of {x.Kind}#{i}")).ToList();
            sb.Append(Reindent(Block(args, locals, d, "g_")));
            sb.Append(Indent).Append("}\n");
        }
        else sb.Append(refuse);
        sb.Append("    }\n\n");
        sb.Append(Sig).Append($"SampleFromDrawsOfCopies({Rd} thetas, int copies, {Rd} allDraws, int count, int stride, {Sp} allZ)\n    {{\n");
        if (lane)
        {
            sb.Append(Indent).Append($"{Checks}Require(thetas, copies, {perCopy}, nameof(thetas));\n");
            sb.Append(Indent).Append($"{Checks}Require(allDraws, copies, {drawCount} * stride, nameof(allDraws));\n");
            sb.Append(Indent).Append($"{Checks}Require(allZ, copies, {dimension} * stride, nameof(allZ));\n");
            sb.Append(Indent).Append("for (int copy = 0; copy < copies; copy++)\n").Append(Indent).Append("{\n");
            sb.Append(Indent).Append($"    var theta = thetas.Slice(copy * {perCopy}, {perCopy});\n");
            sb.Append(Indent).Append($"    var draws = allDraws.Slice(copy * {drawCount} * stride);\n");
            sb.Append(Indent).Append($"    var z = allZ.Slice(copy * {dimension} * stride);\n");
            var outputs = sample.Select((e, j) => ($"z[{j} * stride + s]", e, ZComment(j, e))).ToList();
            sb.Append(Reindent(Loop(new StraightLineWriter(s => names[s], "b_", Inner).Write(outputs), sample, false)));
            sb.Append(Indent).Append("}\n");
        }
        else sb.Append(refuse);
        sb.Append("    }\n\n");

        sb.Append(Sig).Append($"SamplePathwiseFromDraws({Rd} theta, {Rd} draws, {Rd} shapeDerivatives, int count, int stride, {Sp} z, {Sp} dz)\n    {{\n");
        if (lane && hasPathwise && sampler!.Pathwise is { } pathwise)
        {
            // dg/dk of each gamma draw comes in from the block (the lane core evaluates it for a whole row at one shape).
            foreach (var shape in pathwise.ShapeDerivatives) names[shape.Symbol] = "dgdk" + shape.Draw;
            var outputs = sample.Select((e, j) => ($"z[{j} * stride + s]", e, ZComment(j, e))).ToList();
            outputs.AddRange(PathwiseOutputs(sampler, pathwise, differentiable, m => $"dz[{m} * stride + s]"));
            sb.Append(Loop(new StraightLineWriter(s => names[s], "bp_", Inner).Write(outputs), outputs.Select(o => o.Item2), true));
        }
        else sb.Append(refuse);
        sb.Append("    }\n\n");
        return sb.ToString();
    }

    // A body's lines one level deeper (inside the loop over copies); empty lines dropped.
    private static string Reindent(string body)
    {
        var sb = new StringBuilder();
        foreach (var line in body.Split('\n'))
            if (line.Length > 0) sb.Append("    ").Append(line).Append('\n');
        return sb.ToString();
    }

    private static string DrawCall(DrawModel draw, int i, bool randomArguments)
    {
        string Arg(int j) => $"arg{i}_{j}";
        return draw.Kind switch
        {
            "uniform" => "random.NextDouble()",
            "normal" => "random.Normal()",
            "exponential" => "random.Exponential()",
            // A shape drawn from a count (gamma(poisson(lambda))) is a random sum, Gamma(0) = 0 the empty one.
            "gamma" when randomArguments => $"global::SeriesCompiler.Runtime.Sampling.RandomSums.Gamma(random, {Arg(0)})",
            "gamma" => $"random.Gamma({Arg(0)})",
            "beta" => $"random.Beta({Arg(0)}, {Arg(1)})",
            "poisson" => $"(double)random.Poisson({Arg(0)})",
            "bernoulli" => $"(random.Bernoulli({Arg(0)}) ? 1.0 : 0.0)",
            "binomial" => $"global::SeriesCompiler.Runtime.Rules.RuleMath.Binomial(random, {Arg(0)}, {Arg(1)})",
            "categorical" => $"(double)random.Categorical(stackalloc double[] {{ {string.Join(", ", draw.Arguments.Select((_, j) => Arg(j)))} }})",
            _ => throw new InvalidOperationException($"unknown draw {draw.Kind}"),
        };
    }

    private static (bool, string, string) BuildDensity(RuleModel d, EquatableArray<ParameterModel> differentiable, Dictionary<Symbol, string> locals)
    {
        if (d.Density is not { } density) return (false, "", "");
        var names = new Dictionary<Symbol, string>(locals) { [density.Variable] = "z[0]" };
        var logDensity = Block([("return_value", density.LogDensity, $"log p(z) = {density.LogDensity}")], names, d, "l_");
        var score = differentiable.Select((p, i) => ($"score[{i}]", density.Score[i], $"d/d{p.Name} log p(z) = {density.Score[i]}")).ToList();
        return (true, logDensity, Block(score, names, d, "s_"));
    }
}
