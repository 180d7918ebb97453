using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Symbolic.Levy;

/// <summary>
/// A declaration with stable parts, as the derivation sees it: <see cref="Analytic"/> is the same declaration with its
/// characteristic exponent replaced by the analytic part A(w) (written as a logcf), which the series, the catalogue
/// and the pole expansions treat as usual; <see cref="Terms"/> are the parts -c|w|^alpha.
/// </summary>
public sealed class LevySplit
{
    private LevySplit(BoundDistribution analytic, ImmutableArray<LevyTerm> terms) => (Analytic, Terms) = (analytic, terms);

    public BoundDistribution Analytic { get; }
    public ImmutableArray<LevyTerm> Terms { get; }

    /// <summary>A stable part has tails |x|^-alpha: E[exp(tau z)] is infinite for every tau != 0.</summary>
    public CgfDomain Domain => CgfDomain.Unknown(
        $"the law has a stable part {string.Join(", ", Terms)}: its tails decay like |x|^-alpha, so E[exp(tau z)] is infinite for every tau != 0");

    /// <summary>The split of <paramref name="d"/>, or null when its characteristic function holds no abs(w).</summary>
    public static LevySplit? Of(BoundDistribution d)
    {
        var split = LevyExponent.Split(d);
        var declared = d.LevyDensity is { } density ? LevyExponent.FromDensity(density) : null;
        if (split is null && declared is null) return null;
        // Without abs(w) the characteristic function is all analytic part, as written.
        var analytic = split is { } s ? d with { CharacteristicKind = CharacteristicKind.LogCf, Characteristic = s.Analytic } : d;
        var terms = split?.Terms ?? [];
        return new LevySplit(analytic, declared is null ? terms : terms.Add(declared));
    }

    /// <summary>Each parameter's rule: the analytic part's exact rule with the generator terms of the stable parts added.</summary>
    public ImmutableArray<ResummationOutcome> Merge(ImmutableArray<ResummationOutcome> analytic, ImmutableArray<BoundParameter> parameters)
    {
        var merged = ImmutableArray.CreateBuilder<ResummationOutcome>();
        for (int p = 0; p < parameters.Length; p++)
        {
            var outcome = analytic[p];
            var generator = LevyRules.Terms(Terms, RuleModelBuilder.Parameter(parameters[p]).DifferentiationSymbol);
            if (generator.IsEmpty) merged.Add(outcome);
            else if (outcome.Rule is { } rule)
                merged.Add(new ResummationOutcome(outcome.Parameter, new ResummedRule(outcome.Parameter, rule.Terms.AddRange(generator)),
                    "Lévy generator rule (no Taylor series at w = 0)"));
            else
                merged.Add(new ResummationOutcome(outcome.Parameter, null,
                    $"the stable part has a generator rule, but the analytic part of dK/d{outcome.Parameter} has no exact form ({outcome.Reason}), and a law with a stable part has no series"));
        }
        return merged.ToImmutable();
    }
}
