using System.Collections.Immutable;
using SeriesCompiler.Emit;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// The bundled declarations (copied next to the test binaries), generated once at the default order and compiled
/// once in memory: Roslyn's first compile costs about a second, so every test shares this one.
/// </summary>
public static class EmitFixture
{
    public const int Order = DerivationLimits.DefaultOrder;

    public static string DistributionsFolder => Path.Combine(AppContext.BaseDirectory, "distributions");

    public static IReadOnlyList<SourceText> BundledSources() =>
        Directory.EnumerateFiles(DistributionsFolder, "*.dist").Order(StringComparer.Ordinal)
            .Select(f => new SourceText(Path.Combine("distributions", Path.GetFileName(f)), File.ReadAllText(f))).ToList();

    private static readonly Lazy<GenerationResult> s_generated = new(() =>
    {
        var result = RuleGenerator.Generate(Workspace.Create(BundledSources()), Order);
        if (result.HasErrors) throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
        return result;
    });

    public static GenerationResult Generated => s_generated.Value;

    private static readonly Lazy<CompiledRules> s_inMemory = new(() =>
    {
        var direct = Generated.Rules.Where(r => !r.IsDerived).Select(r => RuleEmitter.TypeName(r.Name)).ToList();
        var compiled = InMemoryCompiler.Compile(Generated.Files.Select(f => (f.FileName, f.Content)).ToList(), direct);
        if (!compiled.Success) throw new InvalidOperationException(string.Join("\n", compiled.Errors));
        return compiled;
    });

    public static CompiledRules InMemory => s_inMemory.Value;

    public static RuleModel Model(string name) =>
        Generated.Rules.Single(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    public static IDistributionRule InMemoryRule(string name) =>
        InMemory.Rules.Single(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Names of the bundled distributions with a rule of their own (not latent/value).</summary>
    public static TheoryData<string> DirectNames()
    {
        var data = new TheoryData<string>();
        foreach (var r in Generated.Rules.Where(r => !r.IsDerived).OrderBy(r => r.Name, StringComparer.Ordinal)) data.Add(r.Name);
        return data;
    }

    public static TheoryData<string> DerivedNames()
    {
        var data = new TheoryData<string>();
        foreach (var r in Generated.Rules.Where(r => r.IsDerived).OrderBy(r => r.Name, StringComparer.Ordinal)) data.Add(r.Name);
        return data;
    }

    /// <summary>
    /// Valid parameter values drawn at random: inside (lower, upper) away from the ends (so that sums of
    /// probabilities such as Categorical's p1 + p2 stay below 1), near 1 to 3 above a lower bound, in (-2, 2)
    /// without bounds, and small whole numbers for integer parameters.
    /// </summary>
    public static double[] RandomParameters(IReadOnlyList<ParameterModel> parameters, Random random)
    {
        var theta = new double[parameters.Count];
        for (int i = 0; i < theta.Length; i++)
        {
            var p = parameters[i];
            double? lo = p.Lower?.ToDouble(), hi = p.Upper?.ToDouble();
            if (p.IsInteger) theta[i] = Math.Max(lo ?? 1, 1) + random.Next(0, 5);
            else if (lo is { } l && hi is { } h) theta[i] = l + (h - l) * (0.1 + 0.35 * random.NextDouble());
            else if (lo is { } l2) theta[i] = l2 + 0.5 + 2.5 * random.NextDouble();
            else if (hi is { } h2) theta[i] = h2 - 0.5 - 2.5 * random.NextDouble();
            else theta[i] = -2 + 4 * random.NextDouble();
        }
        return theta;
    }

    public static Dictionary<Symbol, double> Values(RuleModel rule, IReadOnlyList<double> theta)
    {
        var values = new Dictionary<Symbol, double>();
        for (int i = 0; i < rule.Parameters.Length; i++) values[rule.Parameters[i].Symbol] = theta[i];
        return values;
    }

    /// <summary>|x - y| within <paramref name="relative"/> of the larger magnitude (of the pair, or of the row's scale when both are near zero).</summary>
    public static bool Close(double x, double y, double relative, double scale = 0)
    {
        if (x == y) return true;
        double size = Math.Max(Math.Max(Math.Abs(x), Math.Abs(y)), scale * 1e-3);
        return Math.Abs(x - y) <= relative * size;
    }

    public static ImmutableArray<double> Evaluate(IEnumerable<Expr> expressions, IReadOnlyDictionary<Symbol, double> values) =>
        expressions.Select(e => ExprEvaluator.Evaluate(e, values)).ToImmutableArray();
}
