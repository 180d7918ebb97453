using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Calculus;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Levy;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Symbolic.Series;
using SeriesCompiler.Symbolic.Syntax;

namespace SeriesCompiler.Symbolic;

/// <summary>
/// The declarations compiled together: the files a user named (whose diagnostics are reported) and a
/// library of further declarations that latents may name (the bundled <c>distributions/</c>). A
/// declaration flows one way through the stages, each owning one folder:
/// <code>
///   Parse        (Syntax)      text -> syntax tree with spans
///   Bind         (Binding)     names resolved, constraints recorded -> exact expressions
///   Expand       (Series)      w = -i t, log, K(t) to order N -> c_n
///   Differentiate(Calculus)    a_{n,p} = d c_n / d theta_p
///   Model        (Model)       an immutable RuleModel for the emitter and the runtime
/// </code>
/// </summary>
public sealed class Workspace
{
    private readonly Dictionary<string, BoundDistribution> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<BoundDistribution> _invalid = new();
    private readonly Dictionary<(BoundDistribution, int), (RuleModel?, ImmutableArray<Diagnostic>)> _derived = new();
    private readonly Dictionary<(BoundDistribution, int), (RuleModel?, ImmutableArray<Diagnostic>)> _built = new();
    private readonly List<Diagnostic> _diagnostics = new();
    private readonly List<BoundDistribution> _primary = new();

    /// <summary>Diagnostics of parsing and binding the primary files.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics => _diagnostics;

    /// <summary>The declarations of the primary files, in file order.</summary>
    public IReadOnlyList<BoundDistribution> Distributions => _primary;

    public static Workspace Create(IEnumerable<SourceText> primary, IEnumerable<SourceText>? library = null)
    {
        var workspace = new Workspace();
        foreach (var source in primary) workspace.Add(source, isPrimary: true);
        foreach (var source in library ?? []) workspace.Add(source, isPrimary: false);
        return workspace;
    }

    private void Add(SourceText source, bool isPrimary)
    {
        var bag = new DiagnosticBag(source);
        // 1. Parse: text -> syntax tree; errors become diagnostics.
        var unit = Parser.Parse(source, bag);
        int parseErrors = bag.Items.Count;
        // 2. Bind: names resolved and constraints recorded -> exact expressions.
        var bound = parseErrors == 0 ? Binder.Bind(unit, bag) : Binder.Bind(unit, new DiagnosticBag(source));
        foreach (var d in bound)
        {
            if (_byName.TryGetValue(d.Name, out var existing))
            {
                if (!isPrimary) continue; // a user's declaration shadows the library's
                if (_primary.Contains(existing))
                {
                    bag.Report(DiagnosticCatalogue.DuplicateDistribution, d.NameSpan, $"distribution '{d.Name}' is already declared in {existing.Source.Path}");
                    continue;
                }
            }
            _byName[d.Name] = d;
            if (isPrimary) _primary.Add(d);
        }
        if (bag.HasErrors)
            foreach (var d in bound) _invalid.Add(d);
        if (isPrimary) _diagnostics.AddRange(bag.Items);
    }

    public BoundDistribution? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The complete model of a declaration for code generation (<see cref="RuleModelBuilder.Complete"/>): the derived
    /// rule with the CGF gradient, sampler and pathwise derivative, density and score, latents' Jacobians. Null when the
    /// derivation failed (its diagnostics come from <see cref="Derive(BoundDistribution, int)"/>). The derivatives run
    /// within the caller's work budget, and a budget overrun surfaces as a <see cref="SymbolicException"/>.
    /// </summary>
    public RuleModel? Model(BoundDistribution d, int order) =>
        Derive(d, order).Rule is { } rule ? RuleModelBuilder.Complete(rule, d) : null;

    /// <summary>Whether the declaration bound without errors (only such declarations are derived).</summary>
    public bool IsValid(BoundDistribution d) => !_invalid.Contains(d);

    /// <summary>Derives the rule of a declaration to <paramref name="order"/>; diagnostics are positioned in its file.</summary>
    public (RuleModel? Rule, ImmutableArray<Diagnostic> Diagnostics) Derive(BoundDistribution d, int order)
    {
        lock (_derived)
            if (_derived.TryGetValue((d, order), out var known)) return known;
        var result = DeriveUnmemoised(d, order);
        lock (_derived) _derived[(d, order)] = result;
        return result;
    }

    private (RuleModel? Rule, ImmutableArray<Diagnostic> Diagnostics) DeriveUnmemoised(BoundDistribution d, int order)
    {
        var bag = new DiagnosticBag(d.Source);
        RuleModel? rule = null;
        if (order < 1 || order > DerivationLimits.MaxOrder)
            bag.Report(DiagnosticCatalogue.OrderOutOfRange, d.NameSpan, $"order {order} is outside 1..{DerivationLimits.MaxOrder}");
        else if (IsValid(d))
        {
            using var metered = WorkMeter.Start();
            rule = Derive(d, order, bag, ImmutableList<BoundDistribution>.Empty);
        }
        return (bag.HasErrors ? null : rule, bag.Items.ToImmutableArray());
    }

    /// <summary>
    /// <see cref="Derive(BoundDistribution, int)"/> for many declarations, spread over up to <paramref name="threads"/>
    /// threads; the results come back in the order given, so what a caller prints does not depend on the thread count.
    /// Why it is safe: declarations derive independently (a latent's rule is derived afresh inside its user's
    /// derivation), the shared tables of the core (interned nodes, atoms, caches) are locked or concurrent, and the work
    /// budget and the accumulators are per thread. Each worker takes the next declaration as it finishes one, so one
    /// costly declaration (Categorical at high order) runs beside all the others.
    /// </summary>
    public (RuleModel? Rule, ImmutableArray<Diagnostic> Diagnostics)[] DeriveAll(IReadOnlyList<BoundDistribution> declarations, int order, int threads) =>
        OnWorkers(declarations, threads, d => Derive(d, order));

    /// <summary>
    /// The diagnostics of deriving each declaration (what <c>check</c> prints), on up to <paramref name="threads"/>
    /// threads as <see cref="DeriveAll"/>, in the order given. The models are not kept (nor memoised): each becomes
    /// garbage as soon as its diagnostics are taken, instead of surviving every collection to the end of the run
    /// (at order 64 they are megabytes of exact polynomials the collector would otherwise copy into its oldest generation).
    /// </summary>
    public ImmutableArray<Diagnostic>[] DiagnoseAll(IReadOnlyList<BoundDistribution> declarations, int order, int threads) =>
        OnWorkers(declarations, threads, d =>
        {
            lock (_derived)
                if (_derived.TryGetValue((d, order), out var known)) return known.Item2;
            return DeriveUnmemoised(d, order).Diagnostics;
        });

    private static T[] OnWorkers<T>(IReadOnlyList<BoundDistribution> declarations, int threads, Func<BoundDistribution, T> work)
    {
        var results = new T[declarations.Count];
        int workers = Math.Clamp(threads, 1, Math.Max(1, declarations.Count));
        if (workers == 1)
        {
            for (int i = 0; i < results.Length; i++) results[i] = work(declarations[i]);
            return results;
        }
        int next = -1;
        ExceptionDispatchInfo? failure = null;
        void Work()
        {
            try
            {
                for (int i; (i = Interlocked.Increment(ref next)) < results.Length && Volatile.Read(ref failure) is null;)
                    results[i] = work(declarations[i]);
            }
            catch (Exception ex)
            {
                // Not a diagnostic (those are caught inside Derive): a defect, rethrown on the caller's thread as it was.
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(ex), null);
            }
        }
        // The expression walks recurse as deep as a declaration nests: the workers get the main thread's usual 8 MiB
        // stack, not a secondary thread's default (1.5 MiB on Linux).
        var helpers = new Thread[workers - 1];
        for (int w = 0; w < helpers.Length; w++)
        {
            helpers[w] = new Thread(Work, WorkerStackBytes) { IsBackground = true, Name = "seriesc derive " + (w + 1) };
            helpers[w].Start();
        }
        Work();
        foreach (var helper in helpers) helper.Join();
        failure?.Throw();
        return results;
    }

    private const int WorkerStackBytes = 8 << 20;

    /// <summary>
    /// <see cref="Derive(BoundDistribution, int)"/> with every coefficient's expressions built. The series engine keeps
    /// c_n and a_{n,p} as exact polynomials and builds their expressions when first read (so that <c>check</c> does not
    /// build what it never prints); a command that prints or evaluates the coefficients calls this instead, so that an
    /// expression too large to build is an SC diagnostic at the characteristic function, under a work budget like the
    /// derivation's, and never an exception at first read.
    /// </summary>
    public (RuleModel? Rule, ImmutableArray<Diagnostic> Diagnostics) DeriveWithExpressions(BoundDistribution d, int order)
    {
        if (_built.TryGetValue((d, order), out var known)) return known;
        var (rule, diagnostics) = Derive(d, order);
        var result = (rule, diagnostics);
        if (rule is not null)
        {
            var bag = new DiagnosticBag(d.Source);
            try
            {
                using var metered = WorkMeter.Start();
                foreach (var c in rule.Coefficients.Concat(rule.Components.SelectMany(component => component.Coefficients)))
                {
                    _ = c.Value;
                    _ = c.Derivatives;
                }
            }
            catch (SymbolicException ex)
            {
                bag.Report(DiagnosticCatalogue.DerivationTooLarge, d.CharacteristicSpan, ex.Message);
            }
            if (bag.HasErrors) result = (null, diagnostics.AddRange(bag.Items));
        }
        _built[(d, order)] = result;
        return result;
    }

    private RuleModel? Derive(BoundDistribution d, int order, DiagnosticBag bag, ImmutableList<BoundDistribution> visiting)
    {
        var differentiable = d.Parameters.Where(p => p.IsDifferentiable).ToImmutableArray();
        var symbols = differentiable.Select(p => RuleModelBuilder.Parameter(p).DifferentiationSymbol).ToImmutableArray();
        try
        {
            if (d.IsDerived)
            {
                var components = DeriveComponents(d, order, bag, visiting.Add(d), symbols);
                // 5. Model: latents with the Jacobians of their arguments, and the transform.
                return components is null ? null : RuleModelBuilder.Derived(d, order, components.Value);
            }

            // 3a. Split off stable parts -c|w|^alpha (no Taylor series; Lévy generator rules): the series is the analytic part's.
            var levy = LevySplit.Of(d);
            var analytic = levy?.Analytic ?? d;
            // 3. Expand: w = -i t, log of a cf, K(t) as a truncated series -> c_n.
            // 4. Differentiate: a_{n,p} = d c_n / d theta_p (in the same pass, in the series' polynomial ring).
            var coefficients = CumulantSeries.ExpandExact(analytic, order, symbols)
                .Select(c => new CoefficientSpec(c.Index, c.Value, () => c.Derivatives().ToEquatableArray()))
                .ToImmutableArray();
            var variables = d.FrequencyVariables.Length == 1 ? ImmutableArray.Create("t")
                : d.FrequencyVariables.Select((_, j) => "t" + (j + 1)).ToImmutableArray();
            WarnUnusedParameters(d, differentiable, coefficients, bag);
            // 4b. Resum: where dK/dtheta is a combination of known generating functions, the whole series in closed form.
            var resummation = d.FrequencyVariables.Length == 1 ? Resummer.Resum(analytic, differentiable) : [];
            // 4d. Generator: each parameter of a stable part gets its Lévy generator rule beside the analytic part's.
            if (levy is not null) resummation = levy.Merge(resummation, differentiable);
            // 4c. Domain: the interval around 0 where K(tau) is finite, from the closed form's nearest real singularities.
            var (cgf, domain) = levy is null ? CgfDomainAnalysis.Derive(d) : (null, levy.Domain);
            // 5. Model: the immutable description the emitter and the runtime consume (the CGF gradient, score and
            // pathwise derivative taken here, exactly).
            return RuleModelBuilder.Direct(d, order, variables, coefficients, resummation, cgf, domain) with { Levy = levy?.Terms ?? [] };
        }
        catch (DerivationException ex)
        {
            bag.Report(ex.Descriptor, d.CharacteristicSpan, ex.Message);
        }
        catch (SymbolicException ex)
        {
            bag.Report(DiagnosticCatalogue.DerivationTooLarge, d.CharacteristicSpan, ex.Message);
        }
        catch (NotAnalyticException ex)
        {
            bag.Report(DiagnosticCatalogue.NotAnalytic, d.CharacteristicSpan, ex.Message);
        }
        catch (LevyDensityException ex)
        {
            bag.Report(DiagnosticCatalogue.NotAnalytic, ex.Span, ex.Message);
        }
        return null;
    }

    /// <summary>
    /// A parameter absent from the characteristic function does not affect the distribution: its gradient is always 0.
    /// (Decided on the declaration, not on the truncated coefficients, which may not reach the order it enters at.)
    /// </summary>
    private static void WarnUnusedParameters(BoundDistribution d, ImmutableArray<BoundParameter> differentiable, ImmutableArray<CoefficientSpec> coefficients, DiagnosticBag bag)
    {
        for (int p = 0; p < differentiable.Length; p++)
            if (d.Characteristic is { } k && !k.Contains(differentiable[p].Symbol) && d.LevyDensity?.Density.Contains(differentiable[p].Symbol) != true)
                bag.Report(DiagnosticCatalogue.UnusedParameter, differentiable[p].Span,
                    $"parameter '{differentiable[p].Name}' does not appear in the characteristic function, so its gradient is always zero");
    }

    /// <summary>
    /// A derived distribution's components: each latent's rule with the latent's parameters replaced by the
    /// arguments, differentiated in this distribution's parameters (the chain rule through the arguments:
    /// Beta's alpha flows into Gamma's k).
    /// </summary>
    private ImmutableArray<ComponentSpec>? DeriveComponents(
        BoundDistribution d, int order, DiagnosticBag bag, ImmutableList<BoundDistribution> visiting, ImmutableArray<Symbol> symbols)
    {
        var components = ImmutableArray.CreateBuilder<ComponentSpec>();
        foreach (var latent in d.Latents)
        {
            var target = Find(latent.Distribution);
            if (target is null)
            {
                bag.Report(DiagnosticCatalogue.UnknownLatentDistribution, latent.DistributionSpan, $"latent '{latent.Name}' names '{latent.Distribution}', which is not declared");
                return null;
            }
            if (visiting.Contains(target))
            {
                bag.Report(DiagnosticCatalogue.LatentCycle, latent.DistributionSpan,
                    $"'{d.Name}' is built from '{target.Name}', which is built from '{d.Name}' again: " + string.Join(" -> ", visiting.Select(v => v.Name).Append(target.Name)));
                return null;
            }
            if (target.Parameters.Length != latent.Arguments.Length)
            {
                bag.Report(DiagnosticCatalogue.WrongLatentArguments, latent.Span,
                    $"'{target.Name}' takes {target.Parameters.Length} parameter(s) ({string.Join(", ", target.Parameters.Select(p => p.Name))}), found {latent.Arguments.Length}");
                return null;
            }
            if (!IsValid(target))
            {
                bag.Report(DiagnosticCatalogue.UnknownLatentDistribution, latent.DistributionSpan, $"latent '{latent.Name}' names '{target.Name}', whose declaration has errors");
                return null;
            }
            var targetBag = new DiagnosticBag(target.Source);
            var rule = Derive(target, order, targetBag, visiting);
            if (rule is null)
            {
                foreach (var item in targetBag.Items)
                    bag.Report(item.Descriptor, latent.DistributionSpan, $"in latent '{latent.Name}' ~ {target.Name}: {item.Message}");
                return null;
            }
            if (rule.HasLevyPart)
            {
                // The chain rule through value needs each latent's series, and a stable part has none.
                bag.Report(DiagnosticCatalogue.NotAnalytic, latent.DistributionSpan,
                    $"latent '{latent.Name}' ~ {target.Name} has a stable part ({string.Join(", ", rule.Levy)}) and no Taylor series at w = 0; a derived distribution needs its latents' series");
                return null;
            }
            var map = new Dictionary<Symbol, Expr>();
            for (int i = 0; i < target.Parameters.Length; i++) map[target.Parameters[i].Symbol] = latent.Arguments[i];

            if (rule.IsDerived)
            {
                // A component that is itself derived contributes its own components, renamed under it.
                foreach (var inner in rule.Components)
                    components.Add(Chain(latent.Name + "." + inner.Name, inner.Distribution,
                        inner.Arguments.Select(a => Substitution.Apply(a, map)).ToImmutableArray(), latent.IsIndexed || inner.IsIndexed, inner.Coefficients.AsImmutableArray(), map, symbols));
            }
            else
                components.Add(Chain(latent.Name, target.Name, latent.Arguments, latent.IsIndexed, rule.Coefficients.AsImmutableArray(), map, symbols));
        }
        return components.ToImmutable();
    }

    // Each component coefficient is the latent's c_n with the arguments put in, and its derivatives in this distribution's
    // parameters (the chain rule through the arguments), built here, within the derivation's work budget: so `check`
    // reports a substitution or a derivative too large to build (SC1005) at the characteristic function, as before.
    private static ComponentSpec Chain(string name, string distribution, ImmutableArray<Expr> arguments, bool indexed,
        ImmutableArray<CoefficientSpec> coefficients, Dictionary<Symbol, Expr> map, ImmutableArray<Symbol> symbols)
    {
        var chained = coefficients.Select(c =>
        {
            var value = Substitution.Apply(c.Value, map);
            return new CoefficientSpec(c.Index, value, symbols.Select(s => Derivative.Of(value, s)).ToEquatableArray());
        }).ToImmutableArray();
        return new ComponentSpec(name, distribution, arguments, indexed, chained);
    }
}
