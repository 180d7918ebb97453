using System.Globalization;
using System.Text.Json;
using SeriesCompiler.Emit;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Tests.Cli;
using SeriesCompiler.Tests.Emit;
using Xunit;
using Xunit.Abstractions;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Issue 6, item 6: the generated coefficients a_{n,p} of every bundled distribution against exact references
/// (<see cref="CoefficientReferences"/>: closed-form cumulants or exact series arithmetic over BigInteger rationals, at
/// the exact value of each double parameter) on a grid over each constraint region, the bounds approached to 1e-8 and
/// scales from 1e-8 to 1e8. Two promises are checked at every grid point and order:
/// <list type="number">
/// <item>the generated running error bound (<see cref="ICoefficientErrors"/>) covers the actual error, so a coefficient
/// that cancels is always known to (and flagged by) the estimators;</item>
/// <item>where the bound does not flag anything the relative error is below <see cref="Tolerance"/>, and the rules
/// whose coefficients are closed forms (every continuous one, and NegativeBinomial since its (p - 1)^n denominators are
/// emitted factored) are never flagged and stay within <see cref="ClosedFormTolerance"/>.</item>
/// </list>
/// Categorical's coefficients (polynomials in two parameters) cancel catastrophically at high order, and Bernoulli's and
/// Binomial's (one-parameter polynomials, evaluated around the nearest of five centers) lose up to 3e-10 at order 32
/// midway between centers (measured in docs/numerical-robustness.md); for them the test checks that the bound sees it. Every rule is checked at order
/// 32 except the four whose order-32 code takes Roslyn seconds to compile; they run at <see cref="QuickOrder"/> unless
/// SERIESC_FULL_ROBUSTNESS=1 asks for the full sweep (about two minutes; it produced the documented table).
/// </summary>
public sealed class NumericalRobustnessTests(ITestOutputHelper output)
{
    public const int Order = 32;
    public const int QuickOrder = DerivationLimits.DefaultOrder;

    /// <summary>Relative error allowed where the bound says the coefficient is accurate (bound at most 1e-10 |a|).</summary>
    public const double Tolerance = 1e-10;

    /// <summary>Relative error allowed for closed-form coefficients (products of powers and constants): a few ulps.</summary>
    public const double ClosedFormTolerance = 1e-14;

    private static readonly bool Full = Environment.GetEnvironmentVariable("SERIESC_FULL_ROBUSTNESS") == "1";

    // Rules whose order-32 code is large (polynomials with hundreds of terms per coefficient): by default the build-time
    // generated classes at the default order, which cost no compilation.
    private static readonly HashSet<string> Large = ["Bernoulli", "Binomial", "Categorical", "BivariateNormal", "NegativeBinomial"];

    // Closed forms: never flagged, a few ulps everywhere.
    private static readonly HashSet<string> ClosedForm =
        ["ChiSquared", "Dirac", "Erlang", "Exponential", "Gamma", "Laplace", "Logistic", "NegativeBinomial", "Normal", "Poisson", "Uniform", "BivariateNormal"];

    public static int OrderOf(string name) => Full || !Large.Contains(name) ? Order : QuickOrder;

    /// <summary>Every bundled rule with its own coefficients at its test order: order 32 compiled in memory (one Roslyn compilation), or the generated class.</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, IDistributionRule>> s_rules = new(() =>
    {
        var sources = EmitFixture.BundledSources();
        var workspace = Workspace.Create(sources);
        var files = new List<(string, string)>();
        var types = new List<string>();
        var rules = new Dictionary<string, IDistributionRule>();
        foreach (var d in workspace.Distributions.Where(d => !d.IsDerived))
        {
            if (OrderOf(d.Name) == QuickOrder)
            {
                rules[d.Name] = SeriesCompiler.Generated.RuleRegistry.Find(d.Name)!;
                continue;
            }
            var (derived, diagnostics) = workspace.Derive(d, OrderOf(d.Name));
            if (derived is null) throw new InvalidOperationException(string.Join("\n", diagnostics));
            var model = workspace.Model(d, OrderOf(d.Name))!;
            files.Add((d.Name + ".g.cs", RuleEmitter.Emit(model)));
            types.Add(RuleEmitter.TypeName(model.Name));
        }
        var compiled = InMemoryCompiler.Compile(files, types);
        if (!compiled.Success) throw new InvalidOperationException(string.Join("\n", compiled.Errors.Take(5)));
        foreach (var r in compiled.Rules) rules[r.Name] = r;
        return rules;
    });

    public static TheoryData<string> Distributions()
    {
        var data = new TheoryData<string>();
        foreach (var d in Workspace.Create(EmitFixture.BundledSources()).Distributions.Where(d => !d.IsDerived).OrderBy(d => d.Name, StringComparer.Ordinal))
            data.Add(d.Name);
        return data;
    }

    /// <summary>Grid values for one parameter from its constraint: both ends approached to 1e-8, scales over 1e-8 .. 1e8.</summary>
    public static double[] Grid(ParameterInfo p, bool coarse = false)
    {
        if (p.IsInteger) return [1, 2, 10, 1000];
        return (p.Lower, p.Upper) switch
        {
            (0.0, 1.0) => [1e-8, 1e-4, 0.1, 0.5, 0.9, 1 - 1e-4, 1 - 1e-8],
            (-1.0, 1.0) => coarse ? [-1 + 1e-8, 0, 0.5, 1 - 1e-8] : [-1 + 1e-8, -0.5, 0, 1e-8, 0.5, 1 - 1e-8],
            (0.0, null) => coarse ? [1e-8, 1, 1e8] : [1e-8, 1e-4, 0.01, 1, 100, 1e4, 1e8],
            (null, null) => coarse ? [-1e8, 0, 1] : [-1e8, -1, 0, 1e-8, 1, 1e8],
            _ => throw new InvalidOperationException($"no grid for {p.Constraint}"),
        };
    }

    private static IEnumerable<double[]> Points(IReadOnlyList<ParameterInfo> parameters)
    {
        // Five parameters (BivariateNormal) on the fine grid are 10^4 points of 560 rows: the coarse grid keeps the ends.
        bool coarse = parameters.Count > 3;
        IEnumerable<double[]> points = [[]];
        foreach (var p in parameters)
        {
            var values = Grid(p, coarse);
            points = points.SelectMany(prefix => values.Select(v => (double[])[.. prefix, v]));
        }
        return points;
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Coefficients_agree_with_exact_values_within_their_error_bounds(string name)
    {
        var rule = s_rules.Value[name];
        int order = OrderOf(name);
        Assert.Equal(order, rule.Order);
        var bounded = Assert.IsAssignableFrom<ICoefficientErrors>(rule);
        int pd = rule.Differentiable.Count;
        var a = new double[rule.MultiIndices.Count * pd];
        var bound = new double[a.Length];
        double worst = 0, worstTrusted = 0;
        string worstAt = "";
        int flagged = 0, checkedCount = 0;
        foreach (var theta in Points(rule.Parameters))
        {
            var reference = rule.Dimension == 2 ? CoefficientReferences.BivariateNormal(theta, rule.MultiIndices) : CoefficientReferences.Univariate(name, theta, order);
            Assert.True(reference is not null, $"no reference for {name}");
            rule.Coefficients(theta, a);
            bounded.CoefficientErrors(theta, bound);
            for (int i = 0; i < a.Length; i++)
            {
                string At() => $"{name} a_{{{RowName(rule, i / pd)},{rule.Parameters[rule.Differentiable[i % pd]].Name}}} at ({string.Join(", ", theta.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}): "
                    + $"computed {a[i].ToString("R", CultureInfo.InvariantCulture)}, exact {reference![i].ToDouble().ToString("R", CultureInfo.InvariantCulture)}, bound {bound[i].ToString("R", CultureInfo.InvariantCulture)}";
                double exact = reference![i].ToDouble();
                if (!double.IsFinite(exact)) continue; // beyond the double range: the estimators refuse a non-finite coefficient
                Assert.True(double.IsFinite(a[i]), At());
                Assert.True(double.IsFinite(bound[i]) && bound[i] >= 0, At());
                if (a[i] == exact && reference[i].IsZero) continue;
                checkedCount++;
                // The distance to the exact rational, computed exactly: the bound is on that, not on the rounded reference.
                double error = Abs(Exact.From(a[i]) - reference[i]).ToDouble();
                // First order in u, so a hair of slack; and subnormal results lose absolute precision of their own.
                Assert.True(error <= bound[i] * 1.01 + 1e-300, "error beyond its bound: " + At());
                bool trusted = bound[i] <= Tolerance * Math.Abs(a[i]);
                if (!trusted) flagged++;
                if (Math.Abs(exact) < 1e-300) continue; // no relative accuracy below the normal range
                double relative = error / Math.Abs(exact);
                if (relative > worst) (worst, worstAt) = (relative, At());
                if (trusted)
                {
                    Assert.True(relative <= Tolerance, At());
                    worstTrusted = Math.Max(worstTrusted, relative);
                }
                if (ClosedForm.Contains(name))
                {
                    Assert.True(trusted, "a closed-form coefficient is flagged: " + At());
                    Assert.True(relative <= ClosedFormTolerance, At());
                }
            }
        }
        Assert.True(checkedCount > 0);
        output.WriteLine($"{name} (order {order}): worst relative error {worst:E2}; unflagged worst {worstTrusted:E2}; flagged {flagged} of {checkedCount}");
        output.WriteLine($"  worst at {worstAt}");
    }

    [Fact]
    public void Cancelling_coefficients_exist_and_are_flagged()
    {
        // The monomial form of Bernoulli's, Binomial's and Categorical's coefficients cancels near p = 1 (Bernoulli's a_8 at
        // p = 1 - 1e-8 is 3e-12 relative to terms near 1e-3): the test above would be vacuous for them if no coefficient
        // on the grid were inaccurate, so find the inaccurate ones and check that each is flagged.
        int found = 0;
        foreach (var name in new[] { "Bernoulli", "Binomial", "Categorical" })
        {
            var rule = s_rules.Value[name];
            int pd = rule.Differentiable.Count;
            var a = new double[rule.MultiIndices.Count * pd];
            var bound = new double[a.Length];
            foreach (var theta in Points(rule.Parameters))
            {
                rule.Coefficients(theta, a);
                ((ICoefficientErrors)rule).CoefficientErrors(theta, bound);
                var exact = CoefficientReferences.Univariate(name, theta, rule.Order)!;
                for (int i = 0; i < a.Length; i++)
                {
                    double e = exact[i].ToDouble();
                    if (e == 0 || Math.Abs(a[i] - e) <= 1e-10 * Math.Abs(e)) continue;
                    found++;
                    Assert.True(bound[i] > Tolerance * Math.Abs(a[i]), $"{name} at {string.Join(", ", theta)}: a = {a[i]}, exact {e}, bound {bound[i]} not flagged");
                }
            }
        }
        Assert.True(found > 0, "no cancellation found on the grid");
    }

    [Fact]
    public void The_estimator_warns_when_the_coefficients_cancel_and_not_otherwise()
    {
        // NegativeBinomial through the lattice rule uses its coefficients. At p = 0.5, order 12, they are accurate: no warning.
        var negative = Rule.From(s_rules.Value["NegativeBinomial"]);
        var f = Objective.Sum(z => Runtime.Differentiation.Jet.Sin(z * 0.3));
        var fine = new FourierEstimator(negative, order: negative.Order).Estimate([2.0, 0.5], f, samples: 500);
        Assert.False(fine.IsFlagged, string.Join("; ", fine.Warnings));
        Assert.Equal(2, fine.RoundingError.Length);
        Assert.All(fine.RoundingError, e => Assert.True(e < 1e-9, $"rounding {e}, method {fine.Method}"));

        // A hand-made rule whose coefficient is exact in value but carries a large error bound is flagged.
        var noisy = new BoundedGamma(relativeError: 1.0);
        var flagged = new FourierEstimator(Rule.From(noisy), order: 2).Estimate([2.5, 0.7], Objective.Sum(z => Runtime.Differentiation.Jet.Square(z)), samples: 200);
        Assert.True(flagged.IsFlagged, $"rounding {string.Join(", ", flagged.RoundingError)}, stderr {string.Join(", ", flagged.StandardError)}");
        Assert.Contains("rounding", flagged.Warnings[0]);
        Assert.True(flagged.RoundingError[0] > 0);
    }

    [Fact]
    public void Cli_reports_the_rounding_error_and_warns_where_coefficients_cancel()
    {
        // Categorical's cgf declared with a real support, so the Fourier series (not Theorem 2) uses its coefficients,
        // polynomials in two parameters that no one-parameter stable form covers. f = z^8 makes the series exact at order 8.
        // At p1 = 0.9999 every one of the 1000 samples (seed 1) is z = 1, so the standard error is 0 and the coefficients'
        // rounding (their monomial form cancels near p1 = 1) is the only uncertainty left: flagged. At p1 = 0.2 the noise
        // dominates and nothing is. (Order 12 at p1 = 0.5 warns against a non-zero standard error too, but compiles for seconds.)
        string folder = TempDirectory.Create();
        string file = Path.Combine(folder, "dice.dist");
        File.WriteAllText(file, """
            distribution Dice(p1 in (0, 1), p2 in (0, 1)) {
                support real
                cgf(t) = log(1 + p1*(exp(t) - 1) + p2*(exp(2*t) - 1))
                sample = categorical(1 - p1 - p2, p1, p2)
            }
            """);
        JsonElement Run(string at)
        {
            var r = CliHarness.Run("estimate", file, "--at", at, "--f", "z^8", "--order", "8", "--samples", "1000", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Err);
            return JsonDocument.Parse(r.Out).RootElement.GetProperty("estimates")[0];
        }
        var cancelling = Run("p1=0.9999,p2=0.00005");
        Assert.Equal(0, cancelling.GetProperty("stderr").GetProperty("p1").GetDouble());
        Assert.True(cancelling.GetProperty("rounding_error").GetProperty("p1").GetDouble() > 1e-12, cancelling.GetRawText());
        Assert.Contains("rounding", cancelling.GetProperty("warnings")[0].GetString());
        var inside = Run("p1=0.2,p2=0.3");
        Assert.True(inside.GetProperty("rounding_error").GetProperty("p1").GetDouble() < 1e-6, inside.GetRawText());
        Assert.False(inside.TryGetProperty("warnings", out _), inside.GetRawText());
    }

    private static Exact Abs(Exact x) => x.Numerator.Sign < 0 ? -x : x;

    private static string RowName(IDistributionRule rule, int row) =>
        rule.MultiIndices[row].Length == 1 ? rule.MultiIndices[row][0].ToString(CultureInfo.InvariantCulture) : "(" + string.Join(",", rule.MultiIndices[row]) + ")";

    /// <summary>Gamma's exact coefficients (a_{n,k} = mu^n/n, a_{n,mu} = k mu^(n-1)) with a declared relative error bound.</summary>
    private sealed class BoundedGamma(double relativeError) : IDistributionRule, ICoefficientErrors
    {
        private readonly IDistributionRule _gamma = SeriesCompiler.Generated.RuleRegistry.Find("Gamma")!;

        public string Name => "BoundedGamma";
        public IReadOnlyList<ParameterInfo> Parameters => _gamma.Parameters;
        public IReadOnlyList<int> Differentiable => _gamma.Differentiable;
        public int Dimension => 1;
        public int Order => _gamma.Order;
        public Runtime.Rules.SupportKind Support => Runtime.Rules.SupportKind.Positive;
        public IReadOnlyList<int[]> MultiIndices => _gamma.MultiIndices;
        public void Validate(ReadOnlySpan<double> theta) => _gamma.Validate(theta);
        public void Cumulants(ReadOnlySpan<double> theta, Span<double> c) => _gamma.Cumulants(theta, c);
        public void Coefficients(ReadOnlySpan<double> theta, Span<double> a) => _gamma.Coefficients(theta, a);
        public void CoefficientErrors(ReadOnlySpan<double> theta, Span<double> error)
        {
            _gamma.Coefficients(theta, error);
            for (int i = 0; i < error.Length; i++) error[i] = Math.Abs(error[i]) * relativeError;
        }
        public bool HasClosedFormCgf => false;
        public double Cgf(ReadOnlySpan<double> theta, double tau) => throw new NotSupportedException();
        public void CgfGradient(ReadOnlySpan<double> theta, double tau, Span<double> gradient) => throw new NotSupportedException();
        public bool CanSample => true;
        public void Sample(ReadOnlySpan<double> theta, Runtime.Sampling.RandomSource random, Span<double> z) => _gamma.Sample(theta, random, z);
        public bool HasPathwise => false;
        public void SamplePathwise(ReadOnlySpan<double> theta, Runtime.Sampling.RandomSource random, Span<double> z, Span<double> dz) => throw new NotSupportedException();
        public bool HasLogDensity => false;
        public double LogDensity(ReadOnlySpan<double> theta, ReadOnlySpan<double> z) => throw new NotSupportedException();
        public void Score(ReadOnlySpan<double> theta, ReadOnlySpan<double> z, Span<double> score) => throw new NotSupportedException();
    }
}
