using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Statistics;
using Xunit;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// Issue 13, items 3 and 4: one sample gives a gradient with its standard error marked unknown (not an exception), and
/// the resummed rule differentiates only the shifted coordinate's term of a separable f, with the same numbers as the
/// generic path that differentiates all of f.
/// </summary>
public sealed class OneSampleAndStructureTests
{
    private static readonly Rule Gamma = Rules.Load("gamma");

    // E[(z - c)^2] = k mu^2 + (k mu - c)^2 for z ~ Gamma(k, mu), derived by hand: d/dk and d/dmu.
    private static readonly double[] Exact = [0.7 * 0.7 + 2 * 0.7 * (2.5 * 0.7 - 0.49), 2 * 2.5 * 0.7 + 2 * 2.5 * (2.5 * 0.7 - 0.49)];

    private static GradientEstimator[] Estimators() =>
        [new FourierEstimator(Gamma, 2), new ResummedEstimator(Gamma), new PathwiseEstimator(Gamma), new ScoreFunctionEstimator(Gamma)];

    [Fact]
    public void One_sample_gives_a_gradient_with_its_standard_error_not_available()
    {
        var f = Objective.Sum(z => Jet.Square(z - 0.49));
        foreach (var estimator in Estimators())
        {
            var e = estimator.Estimate([2.5, 0.7], f, samples: 1, seed: 11);
            Assert.Equal(1, e.Samples);
            Assert.All(e.Gradient, g => Assert.True(double.IsFinite(g), $"{estimator.Name}: {g}"));
            Assert.All(e.StandardError, se => Assert.True(double.IsNaN(se), $"{estimator.Name}: standard error {se} from one sample"));
            Assert.False(e.HasStandardError);
            Assert.All(e.Terms, t => Assert.All(t.StandardErrors, se => Assert.True(double.IsNaN(se))));
        }
    }

    [Fact]
    public void One_sample_estimates_average_to_the_exact_gradient()
    {
        // Many one-sample estimates (different seeds) are independent draws of the estimator: their mean is within 5
        // standard errors (of that mean, from their own spread) of the closed form, so one sample is the estimator itself.
        var f = Objective.Sum(z => Jet.Square(z - 0.49));
        foreach (var estimator in Estimators())
        {
            var w = new Welford(2);
            for (ulong seed = 1; seed <= 4000; seed++) w.Add(estimator.Estimate([2.5, 0.7], f, samples: 1, seed: seed).Gradient.AsSpan());
            for (int p = 0; p < 2; p++)
                Assert.True(Math.Abs(w.Mean[p] - Exact[p]) <= 5 * w.StandardError(p),
                    $"{estimator.Name} slot {p}: {w.Mean[p]} +- {w.StandardError(p)}, exact {Exact[p]}");
        }
    }

    [Fact]
    public void The_cli_prints_n_a_for_one_samples_standard_error_and_null_in_json()
    {
        var table = SeriesCompiler.Tests.Cli.CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "(z - 0.49)^2", "--samples", "1", "--estimator", "resummed");
        Assert.Equal(0, table.ExitCode);
        var row = table.Out.Split('\n').First(l => l.StartsWith("resummed ", StringComparison.Ordinal)); // the table row; the method is printed again below the table
        Assert.Contains(" n/a ", row);
        var json = SeriesCompiler.Tests.Cli.CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "(z - 0.49)^2", "--samples", "1", "--estimator", "resummed", "--format", "json");
        Assert.Equal(0, json.ExitCode);
        using var document = System.Text.Json.JsonDocument.Parse(json.Out);
        var estimate = document.RootElement.GetProperty("estimates")[0];
        Assert.True(double.IsFinite(estimate.GetProperty("gradient").GetProperty("k").GetDouble()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, estimate.GetProperty("stderr").GetProperty("k").ValueKind);
    }

    [Fact]
    public void One_sample_of_an_exact_method_keeps_its_zero_standard_error()
    {
        var e = new FourierEstimator(Gamma).Estimate([2.5, 0.7], Objective.Exponential(-1), samples: 1);
        Assert.True(e.HasStandardError);
        Assert.All(e.StandardError, se => Assert.Equal(0, se));
    }

    /// <summary>An objective that hides its structure: everything from the inner one except <see cref="Objective.CoordinatePartial"/>.</summary>
    private sealed class Unstructured(Objective inner) : Objective
    {
        public override DerivativeMode Mode => inner.Mode;
        public override bool SupportsJets => inner.SupportsJets;
        public override double Value(ReadOnlySpan<double> z) => inner.Value(z);
        public override void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result) => inner.PurePartials(z, order, result);
        public override double CoordinateSlice(ReadOnlySpan<double> z, int coordinate, double x) => inner.CoordinateSlice(z, coordinate, x);
        public override Jet Evaluate(ReadOnlySpan<Jet> z) => inner.Evaluate(z);
    }

    public static TheoryData<string, string> Separable => new()
    {
        { "gamma", "(z - 0.49)^2" },
        { "gamma", "exp(-z) + z^3 / 5" },
        { "laplace", "exp(-z / 3) + z^2" },   // Laplace's b needs f'' at a shifted point
    };

    [Theory]
    [MemberData(nameof(Separable))]
    public void Resummed_on_a_separable_f_matches_the_generic_path_bit_for_bit(string distribution, string text)
    {
        var rule = Rules.Load(distribution);
        double[] one = distribution == "gamma" ? [2.5, 0.7] : [0.3, 0.8];
        const int copies = 5;
        var theta = Enumerable.Range(0, copies).SelectMany(c => one.Select(x => x * (1 + 0.1 * c))).ToArray();
        Objective[] structured =
        [
            ObjectiveParser.Parse(text, ObjectiveShape.For(rule, one, copies)),
            Objective.Sum(z => text.StartsWith('(') ? Jet.Square(z - 0.49) : text.StartsWith("exp(-z) ") ? Jet.Exp(-z) + z * z * z / 5 : Jet.Exp(-z / 3) + z * z),
        ];
        foreach (var f in structured)
        {
            var fast = new ResummedEstimator(rule).Estimate(theta, f, samples: 500, seed: 9, copies: copies);
            var slow = new ResummedEstimator(rule).Estimate(theta, new Unstructured(f), samples: 500, seed: 9, copies: copies);
            Assert.Equal(slow.Gradient.ToArray(), fast.Gradient.ToArray());
            Assert.Equal(slow.StandardError.ToArray(), fast.StandardError.ToArray());
        }
    }

    [Fact]
    public void Resummed_samples_on_a_compiled_f_do_not_allocate()
    {
        // The set-up, once per call, is the same for any number of samples: 2000 more samples allocate nothing more.
        var f = ObjectiveParser.Parse("(z - 0.49)^2", ObjectiveShape.For(Gamma, [2.5, 0.7], 3));
        double[] theta = [2.5, 0.7, 1.5, 0.3, 3.5, 1.2];
        var estimator = new ResummedEstimator(Gamma);
        long Allocated(int samples)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            estimator.Estimate(theta, f, samples, seed: 1, copies: 3);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        for (int i = 0; i < 3; i++) Allocated(2000); // warm-up: tiered JIT
        long small = 0, large = 0;
        for (int attempt = 0; attempt < 3 && (attempt == 0 || small != large); attempt++) (small, large) = (Allocated(1000), Allocated(3000));
        Assert.Equal(small, large);
    }

    [Fact]
    public void Coordinate_partials_of_a_separable_f_are_those_of_the_whole()
    {
        double[] z = [0.3, 1.7, -2.2, 4.0];
        var expression = ObjectiveParser.Parse("log(1 + z^2) * exp(-z)", new ObjectiveShape(1, false, z.Length));
        var sum = Objective.Sum(x => Jet.Log(1 + x * x) * Jet.Exp(-x));
        foreach (var f in new[] { expression, sum })
            for (int order = 1; order <= 4; order++)
            {
                var all = new double[z.Length * (order + 1)];
                for (int j = 0; j < z.Length; j++)
                {
                    var moved = (double[])z.Clone();
                    moved[j] = z[j] + 0.625;
                    f.PurePartials(moved, order, all);
                    Assert.Equal(all[j * (order + 1) + order], f.CoordinatePartial(z, j, z[j] + 0.625, order));
                }
            }
    }
}
