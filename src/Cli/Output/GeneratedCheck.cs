using System.Collections.Immutable;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic.Binding;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// What the compiled rule computes in doubles for one row: <c>c_n</c> (<see cref="IDistributionRule.Cumulants"/>), every
/// <c>a_{n,p}</c> (<see cref="IDistributionRule.Coefficients"/>) and the running bound on each a's rounding error
/// (<see cref="ICoefficientErrors"/>; NaN where the rule has none). <see cref="Reliable"/> is false when a generated
/// value differs from the exact one by more than <see cref="GeneratedCheck.Tolerance"/> relative (any difference from an
/// exact 0), or when its bound exceeds that tolerance of the value: the estimators would use a value not to be trusted.
/// </summary>
public sealed record GeneratedEntry(double C, ImmutableArray<double> D, ImmutableArray<double> Bound, bool Reliable, string? Worst);

/// <summary>
/// <c>coefficients --generated</c>: the rule compiled as <c>estimate</c> compiles it, evaluated at the doubles of --at,
/// beside the exact values (docs/coefficients-exact.md). Entries align with <see cref="CoefficientTable.Rows"/>.
/// </summary>
public sealed class GeneratedCheck
{
    /// <summary>The relative difference (and relative error bound) above which a generated value is flagged: the threshold of docs/numerical-robustness.md.</summary>
    public const double Tolerance = 1e-10;

    private GeneratedCheck(ImmutableArray<GeneratedEntry?> entries) => Entries = entries;

    public ImmutableArray<GeneratedEntry?> Entries { get; }
    public int Flagged => Entries.Count(e => e is { Reliable: false });

    public static GeneratedCheck Build(Rule rule, CoefficientTable table, BoundDistribution declaration, ParameterValues at)
    {
        double[] theta = [.. declaration.Parameters.SelectMany(p => at.Find(p.Name)!.Vector is { } v ? v.AsEnumerable() : [at.Find(p.Name)!.Scalar])];
        var offsets = new Dictionary<string, int>();
        int slot = 0;
        foreach (var p in declaration.Parameters)
        {
            offsets[p.Name] = slot;
            slot += at.Find(p.Name)!.Vector is { } v ? v.Length : 1;
        }
        int Slot(string key)
        {
            int bracket = key.IndexOf('[');
            return bracket < 0 ? offsets[key] : offsets[key[..bracket]] + int.Parse(key[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        }

        var entries = ImmutableArray.CreateBuilder<GeneratedEntry?>();
        var cache = new Dictionary<(string?, int), Evaluated>();
        foreach (var row in table.Rows)
        {
            Evaluated e;
            int latent = -1, index = 0;
            if (rule.Direct is { } direct)
            {
                if (!cache.TryGetValue((null, 0), out e!)) cache[(null, 0)] = e = Evaluate(direct, theta);
            }
            else
            {
                string name = row.Component!;
                int bracket = name.IndexOf('[');
                if (bracket > 0) { index = int.Parse(name[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture); name = name[..bracket]; }
                latent = rule.Derived!.Latents.ToList().FindIndex(l => l.Name == name);
                var latentRule = rule.LatentRules[latent];
                var key = (row.Component, 0);
                if (!cache.TryGetValue(key, out e!))
                {
                    var args = new double[latentRule.Parameters.Count];
                    var jacobian = new double[args.Length * theta.Length];
                    rule.Derived.LatentArguments(theta, latent, index, args, jacobian);
                    cache[key] = e = Evaluate(latentRule, args) with { Jacobian = jacobian, ThetaLength = theta.Length };
                }
            }
            int m = e.Rows.FindIndex(r => r.SequenceEqual(row.Index));
            if (m < 0) { entries.Add(null); continue; }
            int pd = e.Differentiable.Count;
            var d = ImmutableArray.CreateBuilder<double>();
            var bound = ImmutableArray.CreateBuilder<double>();
            foreach (var key in row.Keys)
            {
                int s = Slot(key);
                if (e.Jacobian is null)
                {
                    int q = e.Differentiable.ToList().IndexOf(s);
                    d.Add(q < 0 ? 0 : e.A[m * pd + q]);
                    bound.Add(q < 0 ? 0 : e.Errors?[m * pd + q] ?? double.NaN);
                }
                else
                {
                    // The chain rule through the latent's arguments: dc/dtheta_s = sum_q a_{n,q} d arg_q / d theta_s.
                    double sum = 0, err = 0;
                    for (int q = 0; q < pd; q++)
                    {
                        double j = e.Jacobian[e.Differentiable[q] * e.ThetaLength + s];
                        if (j == 0) continue;
                        sum += e.A[m * pd + q] * j;
                        err += Math.Abs(j) * (e.Errors?[m * pd + q] ?? double.NaN);
                    }
                    d.Add(sum);
                    bound.Add(err);
                }
            }
            var values = d.ToImmutable();
            var bounds = bound.ToImmutable();
            string? worst = null;
            bool reliable = true;
            void Judge(string what, double generated, Symbolic.Evaluation.ExactResult exact, double errorBound)
            {
                if (!exact.IsCorrectlyRounded) return;
                double x = exact.Value;
                double diff = Math.Abs(generated - x);
                bool wrong = !double.IsFinite(generated) || (x == 0 ? diff > 0 : diff > Tolerance * Math.Abs(x));
                bool loose = double.IsFinite(errorBound) && errorBound > Tolerance * Math.Abs(generated) && errorBound > 0;
                if (!wrong && !loose) return;
                reliable = false;
                worst ??= x == 0
                    ? $"{what}: generated {Numbers.Format(generated)}, exact 0"
                    : $"{what}: generated {Numbers.Format(generated)}, exact {Numbers.Format(x)} (relative error {Numbers.Short(diff / Math.Abs(x))}" +
                      (double.IsFinite(errorBound) ? $", bound {Numbers.Short(errorBound / Math.Max(Math.Abs(generated), double.Epsilon))})" : ")");
            }
            double c = e.C[m];
            Judge("c", c, row.CExact!.Value, double.NaN);
            for (int i = 0; i < row.Keys.Length; i++) Judge("dc/d" + row.Keys[i], values[i], row.DExact[i], bounds[i]);
            entries.Add(new GeneratedEntry(c, values, bounds, reliable, worst));
        }
        return new GeneratedCheck(entries.ToImmutable());
    }

    private sealed record Evaluated(List<int[]> Rows, IReadOnlyList<int> Differentiable, double[] C, double[] A, double[]? Errors)
    {
        public double[]? Jacobian { get; init; }
        public int ThetaLength { get; init; }
    }

    private static Evaluated Evaluate(IDistributionRule rule, double[] theta)
    {
        var rows = rule.MultiIndices.ToList();
        int pd = rule.Differentiable.Count;
        var c = new double[rows.Count];
        var a = new double[rows.Count * pd];
        rule.Cumulants(theta, c);
        rule.Coefficients(theta, a);
        double[]? errors = null;
        if (rule is ICoefficientErrors bounded)
        {
            errors = new double[a.Length];
            bounded.CoefficientErrors(theta, errors);
        }
        return new Evaluated(rows, rule.Differentiable, c, a, errors);
    }
}
