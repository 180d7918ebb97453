using System.Collections.Immutable;
using System.Diagnostics;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;

namespace SeriesCompiler.Bench;

/// <summary>
/// `-- phases NAME ORDER`: where one distribution's derivation spends its time, cold then warm (series of K, the coefficients as
/// expressions, their parameter derivatives, then the whole derivation with resummation), for profiling the series
/// engine at high order.
/// </summary>
internal static class PhaseProfile
{
    public static void Run(TextWriter output, string name, int order)
    {
        RunOnce(output, name, order);
        output.WriteLine("again (warm):");
        RunOnce(output, name, order);
    }

    private static void RunOnce(TextWriter output, string name, int order)
    {
        var workspace = Workspace.Create(BundledDistributions.Load());
        var d = workspace.Distributions.Single(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
        var watch = Stopwatch.StartNew();
        if (d.FrequencyVariables.Length == 1)
        {
            var w = d.FrequencyVariables[0];
            var k = Substitution.Apply(d.Characteristic!, new Dictionary<Symbol, Expr> { [w] = d.CharacteristicKind == Symbolic.Binding.CharacteristicKind.Cgf ? CumulantSeries.T : Ex.Mul(Ex.Neg(Ex.I), CumulantSeries.T) });
            if (d.CharacteristicKind == Symbolic.Binding.CharacteristicKind.Cf) k = Ex.Log(k);
            if (k is Sum sum)
                foreach (var term in sum.Args)
                {
                    var wt = Stopwatch.StartNew();
                    var ts = new SeriesExpander(CumulantSeries.T).Expand(term, order);
                    output.WriteLine($"  term {term}: {wt.Elapsed.TotalMilliseconds:F1} ms");
                    wt.Restart();
                    _ = ts.Coefficients;
                    output.WriteLine($"    as Expr: {wt.Elapsed.TotalMilliseconds:F1} ms");
                }
            watch.Restart();
            var s = new SeriesExpander(CumulantSeries.T).Expand(k, order);
            output.WriteLine($"  expand: {watch.Elapsed.TotalMilliseconds:F1} ms");
            watch.Restart();
            var cs = s.Coefficients;
            output.WriteLine($"  coefficients as Expr: {watch.Elapsed.TotalMilliseconds:F1} ms");
            foreach (var p in d.Parameters.Where(p => p.IsDifferentiable).Select(p => Symbolic.Model.RuleModelBuilder.Parameter(p).DifferentiationSymbol))
            {
                watch.Restart();
                s.DerivativeOfCoefficients(p);
                output.WriteLine($"  d/d{p}: {watch.Elapsed.TotalMilliseconds:F1} ms");
            }
            watch.Restart();
        }
        var (rule, diagnostics) = workspace.Derive(d, order);
        output.WriteLine($"{d.Name} order {order}: whole derivation {watch.Elapsed.TotalMilliseconds:F1} ms, {WorkMeter.Spent:N0} units, {diagnostics.Length} diagnostics");
        watch.Restart();
        var parameters = d.Parameters.Where(p => p.IsDifferentiable).Select(p => Symbolic.Model.RuleModelBuilder.Parameter(p).DifferentiationSymbol).ToImmutableArray();
        var c = CumulantSeries.Expand(d, order, parameters);
        output.WriteLine($"  series + derivatives: {watch.Elapsed.TotalMilliseconds:F1} ms");
        watch.Restart();
        var again = workspace.Derive(d, order);
        output.WriteLine($"  whole again: {watch.Elapsed.TotalMilliseconds:F1} ms");
    }
}
