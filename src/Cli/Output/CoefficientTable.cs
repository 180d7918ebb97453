using System.Collections.Immutable;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Evaluation;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// One line of the series: the coefficient <c>c_n</c> of <c>t^n</c> in K(t) and its derivatives <c>a_{n,p}</c>,
/// symbolic, and numeric when values were given. <see cref="Component"/> names the latent component of a derived
/// distribution (<c>z1</c>, <c>g[0]</c>; <c>g[j]</c> symbolically); <see cref="Keys"/> name the derivatives
/// (<c>k</c>, <c>alpha[0]</c>), aligned with <see cref="D"/> and <see cref="DValues"/>. With values, <see cref="CExact"/>
/// and <see cref="DExact"/> say how each number was obtained: the exact value correctly rounded, not finite (and why),
/// or not bounded (an atom without a high-precision evaluation; the double interpreter's value).
/// </summary>
public sealed record CoefficientRow(
    string? Component,
    ImmutableArray<int> Index,
    Expr C,
    ImmutableArray<string> Keys,
    ImmutableArray<Expr> D,
    double? CValue,
    ImmutableArray<double> DValues,
    ExactResult? CExact = null,
    ImmutableArray<ExactResult> DExact = default)
{
    /// <summary>True when every number of the row is its exact value correctly rounded (or there are no numbers).</summary>
    public bool IsExact => CExact is not { } c || (c.IsCorrectlyRounded && DExact.All(d => d.IsCorrectlyRounded));

    /// <summary>The number of key <paramref name="key"/> (<c>"c"</c> or a derivative key) and how it was obtained.</summary>
    public IEnumerable<(string Key, ExactResult Result)> Results()
    {
        if (CExact is not { } c) yield break;
        yield return ("c", c);
        for (int i = 0; i < Keys.Length; i++) yield return (Keys[i], DExact[i]);
    }
}

/// <summary>
/// The rows every output format prints, built once from a <see cref="RuleModel"/>: every multi-index with
/// <c>1 &lt;= |n| &lt;= N</c> in graded lexicographic order (zeros included), component by component for a derived
/// distribution, and index by index (<c>j = 0..K-1</c>) for a family when <c>--at</c> fixes K.
/// </summary>
public sealed class CoefficientTable
{
    private CoefficientTable(RuleModel rule, ParameterValues? at, ImmutableArray<CoefficientRow> rows)
    {
        Rule = rule;
        At = at;
        Rows = rows;
    }

    public RuleModel Rule { get; }
    public ParameterValues? At { get; }
    public ImmutableArray<CoefficientRow> Rows { get; }
    public bool HasComponents => Rows.Any(r => r.Component is not null);

    /// <summary>With <c>--generated</c>: the compiled rule's doubles beside each row's exact values.</summary>
    public GeneratedCheck? Generated { get; internal set; }

    /// <summary>Builds the rows; <paramref name="at"/> must have been validated against the rule's parameters.</summary>
    public static CoefficientTable Build(RuleModel rule, ParameterValues? at, int? familySize, ExactParameterValues? exact = null)
    {
        // The numbers are the exact forms evaluated at the exact values written (or at the doubles' exact values).
        if (at is not null && exact is null) throw new ArgumentException("exact parameter values are needed with --at", nameof(exact));
        var rows = ImmutableArray.CreateBuilder<CoefficientRow>();
        bool family = rule.Parameters.Any(p => p.VectorSize is not null);
        if (rule.IsDerived)
            foreach (var component in rule.Components)
                AddUnit(rows, rule, component.Name, component.IsIndexed, component.Coefficients, at, exact, familySize);
        else
            AddUnit(rows, rule, family ? "z" : null, family, rule.Coefficients, at, exact, familySize);
        return new CoefficientTable(rule, at, rows.ToImmutable());
    }

    private static void AddUnit(ImmutableArray<CoefficientRow>.Builder rows, RuleModel rule, string? name, bool indexed,
        EquatableArray<CoefficientSpec> coefficients, ParameterValues? at, ExactParameterValues? exact, int? familySize)
    {
        var complete = Complete(rule, coefficients);
        if (!indexed)
        {
            var keys = rule.Differentiable.Select(p => p.VectorSize is null ? p.Name : p.Name + "[j]").ToImmutableArray();
            var env = at is null ? null : Environment(rule, at, exact!, index: null);
            foreach (var c in complete) rows.Add(Row(name, c, keys, c.Value, c.Derivatives, env));
            return;
        }
        if (at is null || familySize is null)
        {
            var keys = rule.Differentiable.Select(p => p.VectorSize is null ? p.Name : p.Name + "[j]").ToImmutableArray();
            foreach (var c in complete) rows.Add(Row(Indexed(name, "j"), c, keys, c.Value, c.Derivatives, null));
            return;
        }
        for (int j = 0; j < familySize; j++)
        {
            var keys = rule.Differentiable.Select(p => p.VectorSize is null ? p.Name : $"{p.Name}[{j}]").ToImmutableArray();
            var rename = new Dictionary<Symbol, Expr>();
            foreach (var p in rule.Parameters.Where(p => p.VectorSize is not null))
                rename[RuleModel.DifferentiationSymbol(p)] = Ex.Sym($"{p.Name}[{j}]", SymbolKind.Parameter);
            if (rule.FamilyIndex is { } index) rename[index] = Ex.Num(j);
            var env = Environment(rule, at, exact!, j);
            foreach (var c in complete)
                rows.Add(Row(Indexed(name, j.ToString(System.Globalization.CultureInfo.InvariantCulture)), c, keys,
                    Substitution.Apply(c.Value, rename), c.Derivatives.Select(d => Substitution.Apply(d, rename)).ToImmutableArray(), env));
        }
    }

    private static string Indexed(string? name, string index) => $"{name ?? "z"}[{index}]";

    private static CoefficientRow Row(string? component, CoefficientSpec c, ImmutableArray<string> keys,
        Expr value, ImmutableArray<Expr> derivatives, Dictionary<Symbol, Rational>? env)
    {
        if (env is null) return new CoefficientRow(component, c.Index, value, keys, derivatives, null, ImmutableArray<double>.Empty);
        var cExact = Evaluate(value, env);
        var dExact = derivatives.Select(d => Evaluate(d, env)).ToImmutableArray();
        return new CoefficientRow(component, c.Index, value, keys, derivatives, cExact.Value, [.. dExact.Select(d => d.Value)], cExact, dExact);
    }

    /// <summary>Fills in the zero coefficients so that every multi-index of the order appears.</summary>
    private static IEnumerable<CoefficientSpec> Complete(RuleModel rule, EquatableArray<CoefficientSpec> coefficients)
    {
        var known = coefficients.ToDictionary(c => string.Join(",", c.Index));
        var zeros = rule.Differentiable.Select(_ => (Expr)Ex.Num(0)).ToImmutableArray();
        foreach (var index in MultiIndex.Graded(rule.Variables.Length, rule.Order))
            yield return known.TryGetValue(string.Join(",", index), out var c) ? c : new CoefficientSpec(index, Ex.Num(0), zeros);
    }

    /// <summary>Symbol values: every scalar parameter, and for component <paramref name="index"/> of a family each vector's element as <c>alpha[j]</c> and <c>alpha[index]</c>.</summary>
    private static Dictionary<Symbol, Rational> Environment(RuleModel rule, ParameterValues at, ExactParameterValues exact, int? index)
    {
        var env = new Dictionary<Symbol, Rational>();
        foreach (var p in rule.Parameters)
        {
            var v = at.Find(p.Name)!;
            if (v.Vector is not null)
            {
                if (index is not { } j) continue;
                var x = exact.Vector(p.Name)[j];
                env[RuleModel.DifferentiationSymbol(p)] = x;
                env[Ex.Sym($"{p.Name}[{j}]", SymbolKind.Parameter)] = x;
            }
            else
                env[p.Symbol] = exact.Scalar(p.Name);
        }
        if (index is { } i && rule.FamilyIndex is { } symbol) env[symbol] = i;
        return env;
    }

    private static ExactResult Evaluate(Expr e, Dictionary<Symbol, Rational> env)
    {
        try
        {
            return ExactEvaluator.Evaluate(e, env);
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage($"cannot evaluate {e}: {ex.Message}");
        }
    }
}
