using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Calculus;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Symbolic.Model;

/// <summary>
/// Stage 5, model: a bound declaration and what the series stage derived from it, turned into the
/// <see cref="RuleModel"/>. <see cref="Direct"/> and <see cref="Derived"/> give what every command needs (parameters,
/// coefficients, resummation, domain, support); <see cref="Complete"/> adds what code generation needs, taking here,
/// once and exactly, the derivatives the emitter used to take: the closed-form CGF gradient, the score, the pathwise
/// derivative of the sampler and the Jacobian of a derived distribution's latent arguments (so <c>check</c> and
/// <c>coefficients</c> do not pay for them). Nothing of the binder survives into the model.
/// </summary>
public static class RuleModelBuilder
{
    /// <summary>The model of a direct distribution (a cf, logcf or cgf) from its coefficients, resummation, closed-form K and domain.</summary>
    public static RuleModel Direct(BoundDistribution d, int order, ImmutableArray<string> variables, ImmutableArray<CoefficientSpec> coefficients,
        ImmutableArray<ResummationOutcome> resummation, Expr? cgf, CgfDomain domain)
    {
        var parameters = Parameters(d);
        var differentiable = parameters.Where(p => p.IsDifferentiable).ToEquatableArray();
        return Common(d, parameters, differentiable, variables, order, coefficients, []) with
        {
            Resummation = resummation,
            ClosedFormCgf = cgf,
            CgfDomain = domain,
        };
    }

    /// <summary>
    /// The model for code generation: <paramref name="rule"/> (derived from <paramref name="d"/>) with the closed-form
    /// CGF gradient, the sampler and its pathwise derivative, the log density and its score, and for a derived
    /// distribution its latents with their Jacobians.
    /// </summary>
    public static RuleModel Complete(RuleModel rule, BoundDistribution d)
    {
        if (rule.IsComplete) return rule;
        if (rule.IsDerived)
        {
            var parameters = rule.Parameters;
            var latents = d.Latents.Select(l => new LatentModel(l.Name, l.Symbol, l.Distribution, l.Arguments, l.IsIndexed,
                l.Arguments.Select(a => parameters.Select(p => Derivative.Of(a, p.DifferentiationSymbol)).ToEquatableArray()).ToEquatableArray()));
            return rule with { Derived = new DerivedModel(latents.ToEquatableArray(), d.Value), IsComplete = true };
        }
        return rule with
        {
            ClosedFormCgfGradient = CgfGradient(rule.ClosedFormCgf, rule.Differentiable),
            Sampler = Sampler(d, rule.Differentiable),
            Density = Density(d, rule.Differentiable),
            IsComplete = true,
        };
    }

    /// <summary>The model of a derived distribution (latent/value): its components' rules, latents with their Jacobians, and the transform.</summary>
    public static RuleModel Derived(BoundDistribution d, int order, ImmutableArray<ComponentSpec> components)
    {
        var parameters = Parameters(d);
        var differentiable = parameters.Where(p => p.IsDifferentiable).ToEquatableArray();
        return Common(d, parameters, differentiable, ["t"], order, [], components);
    }

    private static RuleModel Common(BoundDistribution d, EquatableArray<ParameterModel> parameters, EquatableArray<ParameterModel> differentiable,
        ImmutableArray<string> variables, int order, ImmutableArray<CoefficientSpec> coefficients, ImmutableArray<ComponentSpec> components) =>
        new(d.Name, parameters, differentiable, variables, order, coefficients, components)
        {
            SourceFile = Path.GetFileName(d.Source.Path),
            CharacteristicKind = d.CharacteristicKind,
            FrequencyVariables = d.FrequencyVariables.Select(v => v.Name).ToEquatableArray(),
            Characteristic = d.Characteristic,
            JointConstraints = d.JointConstraints.Select(c => new JointConstraintModel(c.Left, BoundJointConstraint.OperatorText(c.Comparison), c.Right, c.Text,
                d.Parameters.Select((p, i) => (p, i)).Where(x => c.Left.Contains(x.p.Symbol) || c.Right.Contains(x.p.Symbol)).Select(x => x.i).ToEquatableArray())).ToEquatableArray(),
            Support = d.Support is { } s ? new SupportModel(s.Kind, s.Dimension, s.Bounds) : null,
            FamilySize = d.FamilySize,
            FamilyIndex = d.FamilyIndex,
        };

    /// <summary>The model's copy of a bound parameter: name, symbol, bounds and constraint text (no source span).</summary>
    public static ParameterModel Parameter(BoundParameter p) =>
        new(p.Name, p.Symbol, p.IsInteger, p.VectorSize, p.Lower, p.LowerInclusive, p.Upper, p.UpperInclusive, p.ConstraintText);

    private static EquatableArray<ParameterModel> Parameters(BoundDistribution d) => d.Parameters.Select(Parameter).ToEquatableArray();

    /// <summary>dK(tau)/dtheta_p of the closed form; null without one, or where the derivative outgrows the work budget.</summary>
    private static EquatableArray<Expr>? CgfGradient(Expr? k, EquatableArray<ParameterModel> differentiable)
    {
        if (k is null) return null;
        try
        {
            return differentiable.Select(p => Derivative.Of(k, p.Symbol)).ToEquatableArray();
        }
        catch (SymbolicException)
        {
            return null; // the rule keeps its series; only the exponential shortcut is lost
        }
    }

    /// <summary>log p(z) and the score d/dtheta_p log p(z).</summary>
    private static DensityModel? Density(BoundDistribution d, EquatableArray<ParameterModel> differentiable)
    {
        if (d.LogDensity is not { } logDensity || d.DensityVariable is not { } variable) return null;
        return new DensityModel(variable, logDensity, differentiable.Select(p => Derivative.Of(logDensity, p.Symbol)).ToEquatableArray());
    }

    /// <summary>
    /// The sampler, and its derivative in the parameters: continuous draws without parameters are constants;
    /// a gamma draw g = gamma(k) moves with k by implicit reparameterisation, dg/dtheta = dg/dk dk/dtheta with
    /// dg/dk = -(dP(g; k)/dk) / p(g; k); any other draw whose arguments depend on the parameters has no pathwise derivative.
    /// </summary>
    private static SamplerModel? Sampler(BoundDistribution d, EquatableArray<ParameterModel> differentiable)
    {
        if (d.Sample.IsEmpty) return null;
        var draws = d.Draws.Select(x => new DrawModel(x.Symbol, x.Kind, x.Arguments)).ToEquatableArray();
        return new SamplerModel(draws, d.Sample, Pathwise(d, differentiable));
    }

    private static PathwiseModel? Pathwise(BoundDistribution d, EquatableArray<ParameterModel> differentiable)
    {
        var parameters = differentiable.Select(p => p.Symbol).ToList();
        var drawDerivative = new Dictionary<Symbol, Expr[]>(); // d draw / d theta_p, for the draws that move with theta
        var shapeDerivatives = new List<ShapeDerivative>();
        for (int i = 0; i < d.Draws.Length; i++)
        {
            var draw = d.Draws[i];
            bool dependent = draw.Arguments.Any(a => parameters.Any(a.Contains) || drawDerivative.Keys.Any(a.Contains));
            if (!dependent) continue;
            if (draw.Kind != "gamma") return null;
            // The runtime's dg/dk at the drawn g, standing in as a symbol.
            var dgdk = Ex.Sym("dgdk#" + i, SymbolKind.Variable);
            shapeDerivatives.Add(new ShapeDerivative(i, dgdk));
            drawDerivative[draw.Symbol] = parameters.Select((p, pi) => Ex.Mul(dgdk, TotalDerivative(draw.Arguments[0], p, drawDerivative, pi))).ToArray();
        }
        var dz = new List<Expr>();
        foreach (var z in d.Sample)
            for (int p = 0; p < parameters.Count; p++)
                dz.Add(TotalDerivative(z, parameters[p], drawDerivative, p));
        return new PathwiseModel(shapeDerivatives.ToEquatableArray(), dz.ToEquatableArray());
    }

    /// <summary>d e / d theta_p through the parameters and through the draws that depend on them (the chain rule).</summary>
    private static Expr TotalDerivative(Expr e, Symbol p, Dictionary<Symbol, Expr[]> drawDerivative, int pIndex)
    {
        var total = Derivative.Of(e, p);
        foreach (var (draw, derivatives) in drawDerivative)
            if (e.Contains(draw)) total = Ex.Add(total, Ex.Mul(Derivative.Of(e, draw), derivatives[pIndex]));
        return total;
    }
}
