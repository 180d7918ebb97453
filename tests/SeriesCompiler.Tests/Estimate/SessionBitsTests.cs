using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic.Objectives;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// The experiments' numbers must not move when a session's training step gets faster. A session moves all copies at
/// once through the rules' <see cref="ICopyBatchedRule"/> members; here every such member is held to the one-copy member
/// it replaces, bit for bit, and a moved session at d = 100 to a one-off estimate, which prepares everything from the
/// new parameters through the one-copy members (another path to the same numbers).
/// </summary>
public sealed class SessionBitsTests
{
    private static readonly string[] Names =
    [
        "bernoulli", "binomial", "bivariatenormal", "categorical", "cauchy", "chisquared", "compoundpoisson", "dirac", "erlang",
        "exponential", "gamma", "gumbel", "laplace", "logistic", "negativebinomial", "normal", "poisson", "stable", "uniform",
        "variancegamma",
    ];

    // A value inside each declared bound, different per copy: between two bounds, a fraction of the way; above or below
    // one, a distance from it; integers rounded up. (Joint constraints may still refuse it: such a copy is skipped.)
    private static double[] Theta(IDistributionRule rule, int copy)
    {
        var theta = new double[rule.Parameters.Count];
        for (int i = 0; i < theta.Length; i++)
        {
            var p = rule.Parameters[i];
            double x = (p.Lower, p.Upper) switch
            {
                ({ } lo, { } hi) => lo + (0.2 + 0.1 * copy) * (hi - lo),
                ({ } lo, null) => lo + 0.7 + 0.35 * copy + 0.1 * i,
                (null, { } hi) => hi - 0.7 - 0.35 * copy,
                _ => 0.3 - 0.45 * copy + 0.1 * i,
            };
            if (p.IsInteger) x = Math.Ceiling(x + 1);
            theta[i] = x;
        }
        return theta;
    }

    private static bool Valid(IDistributionRule rule, double[] theta)
    {
        try
        {
            rule.Validate(theta);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    [Fact]
    public void Every_copy_batched_member_gives_the_one_copy_members_bits()
    {
        int tested = 0, laneTested = 0;
        foreach (var name in Names)
        {
            var rule = SeriesCompiler.Generated.RuleRegistry.Find(name)!;
            var batched = Assert.IsAssignableFrom<ICopyBatchedRule>(rule);
            var thetas = Enumerable.Range(0, 3).Select(c => Theta(rule, c)).Where(t => Valid(rule, t)).ToArray();
            if (thetas.Length == 0) continue;
            tested++;
            int copies = thetas.Length, count = rule.Parameters.Count;
            var flat = thetas.SelectMany(t => t).ToArray();
            batched.ValidateCopies(flat, copies);

            // Out of a bound: the same exception, message and all, as Validate on that copy.
            var bad = (double[])flat.Clone();
            bad[(copies - 1) * count] = double.NaN;
            var expected = Assert.ThrowsAny<ArgumentException>(() => rule.Validate(bad.AsSpan((copies - 1) * count, count)));
            var actual = Assert.ThrowsAny<ArgumentException>(() => batched.ValidateCopies(bad, copies));
            Assert.Equal((expected.GetType(), expected.Message), (actual.GetType(), actual.Message));

            // Coefficients: every row of degree <= N, for every N, with a stride of all rows and, univariate, of N P.
            int pd = rule.Differentiable.Count, rows = rule.MultiIndices.Count, width = rows * pd;
            var one = new double[width];
            for (int order = 1; order <= rule.Order; order++)
            {
                var all = new double[copies * width];
                batched.CoefficientsOfCopies(flat, copies, order, all, width);
                var packed = new double[copies * order * pd];
                if (rule.Dimension == 1) batched.CoefficientsOfCopies(flat, copies, order, packed, order * pd);
                for (int c = 0; c < copies; c++)
                {
                    rule.Coefficients(thetas[c], one);
                    for (int row = 0; row < rows; row++)
                    {
                        if (rule.MultiIndices[row].Sum() > order) continue;
                        for (int p = 0; p < pd; p++)
                        {
                            Assert.Equal(Bits(one[row * pd + p]), Bits(all[c * width + row * pd + p]));
                            if (rule.Dimension == 1) Assert.Equal(Bits(one[row * pd + p]), Bits(packed[c * order * pd + row * pd + p]));
                        }
                    }
                }
            }

            // The lane members: draw arguments, and z from a block of draws (3 samples in rows of 5), copy by copy.
            if (rule is ILaneSampledRule { HasLaneDraws: true } lane)
            {
                var lanes = Assert.IsAssignableFrom<ILaneCopyBatchedRule>(rule);
                int draws = lane.LaneDraws.Length, dim = rule.Dimension;
                const int samples = 3, stride = 5;
                var arguments = new double[copies * draws];
                lanes.DrawArgumentsOfCopies(flat, copies, arguments);
                var block = new double[copies * draws * stride];
                for (int i = 0; i < block.Length; i++) block[i] = 0.05 + 0.37 * i % 0.9;   // in (0, 1): a uniform, and positive as an exponential or gamma draw
                var z = new double[copies * dim * stride];
                lanes.SampleFromDrawsOfCopies(flat, copies, block, samples, stride, z);
                var oneArguments = new double[draws];
                var oneZ = new double[dim * stride];
                for (int c = 0; c < copies; c++)
                {
                    lane.DrawArguments(thetas[c], oneArguments);
                    for (int i = 0; i < draws; i++) Assert.Equal(Bits(oneArguments[i]), Bits(arguments[c * draws + i]));
                    lane.SampleFromDraws(thetas[c], block.AsSpan(c * draws * stride), samples, stride, oneZ);
                    for (int j = 0; j < dim; j++)
                        for (int s = 0; s < samples; s++) Assert.Equal(Bits(oneZ[j * stride + s]), Bits(z[(c * dim + j) * stride + s]));
                }
                laneTested++;
            }

            // The resummed terms, flattened (parameter, term), and their lane shift laws' numbers.
            if (rule is not IResummedRule resummed) continue;
            var terms = new List<(int P, int T)>();
            for (int p = 0; p < pd; p++)
                for (int t = 0; t < resummed.TermCount(p); t++) terms.Add((p, t));
            var coefficients = new double[copies * terms.Count];
            var a = new double[copies * terms.Count];
            var scale = new double[copies * terms.Count];
            batched.TermCoefficientsOfCopies(flat, copies, coefficients);
            batched.LaneShiftsOfCopies(flat, copies, a, scale);
            for (int c = 0; c < copies; c++)
                for (int k = 0; k < terms.Count; k++)
                {
                    Assert.Equal(Bits(resummed.TermCoefficient(thetas[c], terms[k].P, terms[k].T)), Bits(coefficients[c * terms.Count + k]));
                    if (rule is ILaneShiftedRule shifted && shifted.TryLaneShift(thetas[c], terms[k].P, terms[k].T, out _, out double a1, out double s1))
                        Assert.Equal((Bits(a1), Bits(s1)), (Bits(a[c * terms.Count + k]), Bits(scale[c * terms.Count + k])));
                }
        }
        Assert.True(tested >= 15, $"only {tested} rules had valid test parameters");
        Assert.True(laneTested >= 8, $"only {laneTested} rules with lane draws were tested");
    }

    public static TheoryData<string, string, bool> Sessions => new()
    {
        { "gamma", "fourier", false }, { "gamma", "resummed", false }, { "gamma", "pathwise", false },
        { "gamma", "fourier", true }, { "gamma", "resummed", true },
        { "laplace", "fourier", false }, { "laplace", "resummed", false }, { "laplace", "pathwise", false },
    };

    [Theory]
    [MemberData(nameof(Sessions))]
    public void A_moved_session_at_d_100_repeats_the_one_off_estimate_bit_for_bit(string distribution, string which, bool parsed)
    {
        const int d = 100;
        var direct = SeriesCompiler.Generated.RuleRegistry.Find(distribution)!;
        var rule = Rule.From(direct);
        GradientEstimator estimator = which switch
        {
            "fourier" => new FourierEstimator(rule, 2),
            "resummed" => new ResummedEstimator(rule),
            _ => new PathwiseEstimator(rule),
        };
        var start = new double[2 * d];
        var moved = new double[2 * d];
        for (int j = 0; j < d; j++)
        {
            // Every copy moves (a training step), and the copies differ.
            (start[2 * j], start[2 * j + 1]) = distribution == "gamma" ? (2.5, 0.7) : (0.3, 1.5);
            (moved[2 * j], moved[2 * j + 1]) = distribution == "gamma" ? (2.5 + 0.01 * j, 0.7 - 0.002 * j) : (0.3 - 0.01 * j, 1.5 + 0.003 * j);
        }
        Objective f = parsed
            ? ObjectiveParser.Parse("(z - 0.49)^2", new ObjectiveShape(1, false, d))
            : Objective.Sum(z => Jet.Square(z - 0.49));
        var session = estimator.Prepare(start, f, copies: d);
        var gradient = new double[2 * d];
        var error = new double[2 * d];
        session.Estimate(5, 1, gradient, error);
        session.SetParameters(moved);
        foreach (int samples in new[] { 1, 7, 1000 })
        {
            session.Estimate(samples, 11, gradient, error);
            var reference = estimator.Estimate(moved, f, samples, seed: 11, copies: d);
            for (int i = 0; i < 2 * d; i++)
            {
                Assert.Equal(Bits(reference.Gradient[i]), Bits(gradient[i]));
                Assert.Equal(Bits(reference.StandardError[i]), Bits(error[i]));
            }
        }
    }
}
