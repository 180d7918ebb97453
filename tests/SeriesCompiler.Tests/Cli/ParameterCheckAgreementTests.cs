using System.Globalization;
using System.Numerics;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Output;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Generated;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// The command line's exact check of <c>--at</c> against the generated rule's Validate, over every bundled declaration:
/// random points inside, outside and on each bound and joint constraint, each written as the exact decimal of a double,
/// so that both judge the same number. They must agree wherever the rule's double arithmetic is exact (every bundled
/// bound is a dyadic rational, and the joint points are multiples of 2^-20); where it rounds, they may differ, and
/// the two cases below pin down how (docs/parameter-checks.md).
/// </summary>
public class ParameterCheckAgreementTests
{
    private static readonly Workspace Bundled = Workspace.Create(
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "distributions"), "*.dist").Select(f => SourceText.FromFile(f)));

    public static TheoryData<string> Declarations() => [.. Bundled.Distributions.Select(d => d.Name)];

    [Theory]
    [MemberData(nameof(Declarations))]
    public void The_cli_and_the_generated_validate_agree_at_random_points(string name)
    {
        var d = Bundled.Distributions.Single(x => x.Name == name);
        Action<double[]> validate = RuleRegistry.Find(name) is { } rule ? t => rule.Validate(t)
            : RuleRegistry.FindDerived(name) is { } derived ? t => derived.Validate(t)
            : throw new InvalidOperationException($"no generated rule for {name}");
        var random = new Random(20261205 + name.Length);
        int accepted = 0, refused = 0, onBoundary = 0;
        var disagreements = new List<string>();
        for (int trial = 0; trial < 400; trial++)
        {
            int k = 1 + random.Next(4); // the family size, for a vector parameter
            bool insideOnly = trial % 3 == 0; // every third point inside every bound (it may still break a joint constraint)
            var values = d.Parameters.Select(p => Enumerable.Range(0, p.VectorSize is null ? 1 : k).Select(_ => Candidate(p, random, insideOnly)).ToArray()).ToArray();
            if (d.JointConstraints.Length > 0 && trial % 2 == 0 && OnJointBoundary(d, values, random)) onBoundary++;
            string at = string.Join(",", d.Parameters.Select((p, i) =>
                p.Name + "=" + (p.VectorSize is null ? ExactDecimal(values[i][0]) : "[" + string.Join(",", values[i].Select(ExactDecimal)) + "]")));
            bool cli = CliAccepts(at, d);
            bool runtime = RuntimeAccepts(validate, [.. values.SelectMany(v => v)]);
            if (cli != runtime) disagreements.Add($"{at}: cli {(cli ? "accepts" : "refuses")}, Validate {(runtime ? "accepts" : "refuses")}");
            if (cli) accepted++; else refused++;
        }
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
        Assert.True(accepted > 20, $"only {accepted} points inside");
        if (d.JointConstraints.Length > 0) Assert.True(onBoundary > 20, $"only {onBoundary} points on a joint constraint's boundary");
        // A declaration with no bound at all (Dirac(a)) has no outside.
        if (d.Parameters.Any(p => p.Lower is not null || p.Upper is not null || p.IsInteger)) Assert.True(refused > 20, $"only {refused} points outside");
    }

    [Fact]
    public void The_points_are_exact_so_the_bundled_bounds_are_dyadic()
    {
        // The agreement above rests on this: a bound the runtime rounds to a double would judge a nearby value differently.
        foreach (var p in Bundled.Distributions.SelectMany(d => d.Parameters))
            foreach (var bound in new[] { p.Lower, p.Upper })
                if (bound is { } b) Assert.Equal(b, ExactParameterValues.FromDouble(b.ToDouble()));
        Assert.Equal("0.1000000000000000055511151231257827021181583404541015625", ExactDecimal(0.1));
    }

    [Fact]
    public void Where_the_runtime_rounds_a_sum_the_exact_check_alone_sees_the_point_inside()
    {
        // p1 + p2 = 1 - 2^-54 exactly, below 1, so inside p1 + p2 < 1; the double sum rounds (ties to even) to 1, outside.
        var d = Bundled.Distributions.Single(x => x.Name == "Categorical");
        double p1 = 0.5, p2 = 0.5 - Math.ScaleB(1, -54);
        Assert.Equal(1.0, p1 + p2);
        Assert.True(CliAccepts($"p1={ExactDecimal(p1)},p2={ExactDecimal(p2)}", d));
        Assert.False(RuntimeAccepts(t => CategoricalRule.Instance.Validate(t), [p1, p2]));
    }

    [Fact]
    public void Where_the_runtime_rounds_a_bound_the_exact_check_judges_the_declared_bound()
    {
        // k > 1/10: the runtime's bound is the double 0.1, just above 1/10, so it refuses the double 0.1 (equal to its
        // bound); the exact check sees the double 0.1 = 1/10 + 5.6e-18, inside.
        var path = Path.Combine(TempDirectory.Create(), "g.dist");
        File.WriteAllText(path, "distribution G(k > 0.1) {\n    support positive\n    cgf(t) = -k*log(1 - t)\n}\n");
        var d = Workspace.Create([SourceText.FromFile(path)]).Distributions.Single();
        var rule = Rules.Load(path, 2);
        Assert.True(CliAccepts("k=" + ExactDecimal(0.1), d));
        Assert.False(RuntimeAccepts(t => rule.Validate(t), [0.1]));
        // Away from the rounding both agree.
        Assert.True(CliAccepts("k=0.11", d) && RuntimeAccepts(t => rule.Validate(t), [0.11]));
        Assert.False(CliAccepts("k=0.09", d) || RuntimeAccepts(t => rule.Validate(t), [0.09]));
    }

    private static bool CliAccepts(string at, BoundDistribution d)
    {
        try
        {
            ParameterValues.Parse(at).Validate(d.Name, d.Parameters);
            return true;
        }
        catch (CliException ex) when (ex.ExitCode == ExitCodes.UsageError)
        {
            return false;
        }
    }

    private static bool RuntimeAccepts(Action<double[]> validate, double[] theta)
    {
        try
        {
            validate(theta);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>
    /// A value for one parameter: on a bound, one double either side of it, well inside, well outside, and for an
    /// integer parameter whole and half-way values around its bounds.
    /// </summary>
    private static double Candidate(BoundParameter p, Random random, bool insideOnly)
    {
        double? lo = p.Lower?.ToDouble(), hi = p.Upper?.ToDouble();
        double span = lo is { } a && hi is { } b ? b - a : 4;
        double anchor = lo ?? hi ?? 0;
        int kind = insideOnly ? 4 : random.Next(7);
        double value = kind switch
        {
            0 => lo ?? anchor,
            1 => hi ?? anchor,
            2 => Math.BitIncrement(random.Next(2) == 0 ? lo ?? anchor : hi ?? anchor),
            3 => Math.BitDecrement(random.Next(2) == 0 ? lo ?? anchor : hi ?? anchor),
            4 => (lo ?? (hi is { } h ? h - span : -span / 2)) + span * random.NextDouble(), // inside (for a one-sided bound: next to it)
            5 => anchor + (random.Next(2) == 0 ? -1 : 1) * span * (1 + random.NextDouble()),
            _ => anchor + (random.NextDouble() - 0.5) * 8,
        };
        // Integer parameters: mostly whole values, some half-way between (refused whatever the bounds).
        if (p.IsInteger) value = Math.Round(value) + (!insideOnly && random.Next(4) == 0 ? 0.5 : 0);
        // Multiples of 2^-20 (the bounds' neighbours as they are): sums of a few stay exact in doubles.
        value = kind is 2 or 3 ? value : Math.Round(Math.ScaleB(value, 20)) / Math.ScaleB(1, 20);
        // Rounding may land an inside value on an open bound: step back in.
        if (insideOnly && (value == lo || value == hi))
            value = lo is { } l && hi is { } u ? (l + u) / 2 : lo is { } l1 ? l1 + 1 : hi!.Value - 1;
        return value;
    }

    /// <summary>
    /// Moves the point onto the first joint constraint's boundary or one step of 2^-20 either side of it, where the
    /// constraint is linear in its last parameter (Categorical's p1 + p2 &lt; 1): that parameter is solved for exactly.
    /// Returns whether the point is exactly on the boundary.
    /// </summary>
    private static bool OnJointBoundary(BoundDistribution d, double[][] values, Random random)
    {
        var c = d.JointConstraints[0];
        var last = c.Parameters(d.Parameters).Last();
        int index = d.Parameters.IndexOf(last);
        var env = d.Parameters.Select((p, i) => (p, i)).Where(x => x.p != last && x.p.VectorSize is null)
            .ToDictionary(x => x.p.Symbol, x => ExactParameterValues.FromDouble(values[x.i][0]));
        // slack(x) = s0 + s1 x for the last parameter x: s0 at x = 0, s1 from x = 1.
        Rational At(Rational x)
        {
            var map = env.ToDictionary(kv => kv.Key, kv => Ex.Num(kv.Value));
            map[last.Symbol] = Ex.Num(x);
            return Assert.IsType<Number>(Substitution.Apply(c.Slack, map)).Re;
        }
        Rational s0 = At(Rational.Zero), s1 = At(Rational.One) - s0;
        if (s1.IsZero) return false;
        var root = -s0 / s1;
        int step = random.Next(3) - 1;
        values[index][0] = root.ToDouble() + step * Math.ScaleB(1, -20);
        return step == 0 && ExactParameterValues.FromDouble(values[index][0]) == root;
    }

    /// <summary>The exact decimal expansion of a double (every double has a finite one): what the test writes in --at.</summary>
    private static string ExactDecimal(double x)
    {
        var r = ExactParameterValues.FromDouble(x);
        var num = BigInteger.Abs(r.Numerator);
        int digits = 0;
        // The denominator is 2^e: multiply by 5^e and place the point e digits from the right.
        var den = r.Denominator;
        while (!den.IsOne) { den >>= 1; num *= 5; digits++; }
        string s = num.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        string text = digits == 0 ? s : s[..^digits] + "." + s[^digits..];
        return (r.Sign < 0 ? "-" : "") + text;
    }
}
