using Xunit;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Tests.Cli;

namespace SeriesCompiler.Tests.Syntax;

/// <summary>Issue 18, item 5: constraints on several parameters together (<c>constraint p1 + p2 &lt; 1</c>).</summary>
public class JointConstraintTests
{
    private const string Header = "distribution Cat(p1 in (0, 1), p2 in (0, 1)) {\n    support {0, 1, 2}\n";
    private const string Body = "    cf(w) = (1 - p1 - p2) + p1*exp(i*w) + p2*exp(2*i*w)\n}\n";

    private static Workspace Compile(string constraintLine) =>
        Workspace.Create([new SourceText("cat.dist", Header + constraintLine + Body)]);

    [Fact]
    public void A_constraint_binds_to_both_sides_and_names_its_parameters()
    {
        var workspace = Compile("    constraint p1 + p2 < 1\n");
        Assert.Empty(workspace.Diagnostics);
        var d = workspace.Distributions[0];
        var c = Assert.Single(d.JointConstraints);
        Assert.Equal(ComparisonKind.Less, c.Comparison);
        Assert.Equal("p1 + p2 < 1", c.Text);
        Assert.True(c.Strict);
        Assert.All(d.Parameters, p => Assert.Contains(c, p.JointConstraints));
        // p1 and p2 in tenths, exactly.
        var at = (int p1, int p2) => new Dictionary<Symbol, Rational>
        {
            [d.Parameters[0].Symbol] = new Rational(p1, 10),
            [d.Parameters[1].Symbol] = new Rational(p2, 10),
        };
        Assert.True(ParameterCheck.Holds(c, at(2, 3)));
        Assert.False(ParameterCheck.Holds(c, at(7, 7)));
        Assert.False(ParameterCheck.Holds(c, at(5, 5))); // on the boundary of a strict constraint
    }

    [Theory]
    [InlineData("    constraint p1 >= 2*p2\n", ComparisonKind.GreaterEqual)]
    [InlineData("    constraint p1 <= 1 - p2\n", ComparisonKind.LessEqual)]
    [InlineData("    constraint p2 > p1^2\n", ComparisonKind.Greater)]
    public void Every_comparison_is_accepted(string line, ComparisonKind kind)
    {
        var workspace = Compile(line);
        Assert.Empty(workspace.Diagnostics);
        Assert.Equal(kind, Assert.Single(workspace.Distributions[0].JointConstraints).Comparison);
    }

    [Theory]
    [InlineData("    constraint p1 + p2\n", "cat.dist(3,23): error SC0008")]        // no comparison: a positioned syntax error
    [InlineData("    constraint 1 < 2\n", "cat.dist(3,5): error SC0125")]           // nothing variable
    [InlineData("    constraint p1 + q < 1\n", "cat.dist(3,21): error SC0101")]     // unknown name
    [InlineData("    constraint p1 < i\n", "cat.dist(3,21): error SC0108")]         // i is for cf/logcf only
    [InlineData("    constraint p1 < normal()\n", "cat.dist(3,21): error SC0110")]  // draws are for sample/let only
    public void Bad_constraints_get_positioned_diagnostics(string line, string expected)
    {
        var workspace = Compile(line);
        var first = workspace.Diagnostics.First(x => x.IsError).ToString();
        Assert.StartsWith(expected, first);
    }

    [Fact]
    public void Constraint_stays_usable_as_a_name()
    {
        var workspace = Workspace.Create([new SourceText("c.dist",
            "distribution C(constraint > 0) {\n    support positive\n    let scale = constraint\n    logcf(w) = -log(1 - i*scale*w)\n}\n")]);
        Assert.Empty(workspace.Diagnostics);
        Assert.Empty(workspace.Distributions[0].JointConstraints);
    }

    [Fact]
    public void The_generated_validate_names_the_parameters_their_values_and_the_constraint()
    {
        var rule = SeriesCompiler.Generated.RuleRegistry.Find("Categorical")!;
        rule.Validate([0.2, 0.3]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => rule.Validate([0.7, 0.7]));
        Assert.StartsWith("parameters p1 = 0.7, p2 = 0.7 violate p1 + p2 < 1", ex.Message);
        // The boundary p0 = 0 is outside the strict constraint.
        Assert.Throws<ArgumentOutOfRangeException>(() => rule.Validate([0.5, 0.5]));
    }

    [Fact]
    public void A_derived_distribution_checks_its_constraints_too()
    {
        string path = Path.Combine(TempDirectory.Create(), "ordered.dist");
        File.WriteAllText(path, "distribution OrderedBeta(alpha > 0, beta > 0) {\n    support (0, 1)\n    constraint alpha < beta\n" +
            "    latent z1 ~ Gamma(alpha, 1)\n    latent z2 ~ Gamma(beta, 1)\n    value = z1 / (z1 + z2)\n}\n");
        var rule = Rules.Load(path, 2);
        rule.Validate([1.5, 2.5]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => rule.Validate([2.5, 1.5]));
        Assert.StartsWith("parameters alpha = 2.5, beta = 1.5 violate alpha < beta", ex.Message);
    }

    [Fact]
    public void The_estimators_refuse_a_violated_constraint_before_sampling()
    {
        var rule = Rules.Load("categorical", 2);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FourierEstimator(rule, order: 2).Estimate([0.7, 0.7], Objective.Of(z => z * z), samples: 10));
        Assert.Contains("violate p1 + p2 < 1", ex.Message);
        Assert.DoesNotContain("weights", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("coefficients", "categorical", "--at", "p1=0.7,p2=0.7")]
    [InlineData("coefficients", "categorical", "--order", "4", "--at", "p1=0.5,p2=0.5", "--format", "json")]
    [InlineData("estimate", "categorical", "--at", "p1=0.7,p2=0.7", "--f", "z^2")]
    [InlineData("estimate", "categorical", "--at", "p1=0.7,p2=0.7", "--f", "z^2", "--estimator", "all")]
    public void The_cli_refuses_a_violated_constraint_like_any_bad_at_value(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("violate the constraint p1 + p2 < 1", result.Err);
        Assert.Contains("p1 = ", result.Err);
        Assert.DoesNotContain("c_2", result.Out);
        Assert.DoesNotContain("Weights", result.Out + result.Err);
    }

    [Fact]
    public void Coefficients_checks_a_joint_constraint_on_the_exact_values_written()
    {
        // a = 0.10000000000000000001 and b = 0.1 are the same double, so 'a <= b' holds on the doubles; as written, a > b.
        string path = Path.Combine(TempDirectory.Create(), "ordered.dist");
        File.WriteAllText(path, "distribution Ordered(a > 0, b > 0) {\n    support positive\n    constraint a <= b\n" +
            "    cgf(t) = -a*log(1 - b*t)\n}\n");
        var inside = CliHarness.Run("coefficients", path, "--order", "2", "--at", "a=0.1,b=0.1");
        Assert.Equal(0, inside.ExitCode);
        var outside = CliHarness.Run("coefficients", path, "--order", "2", "--at", "a=0.10000000000000000001,b=0.1");
        Assert.Equal(2, outside.ExitCode);
        Assert.Contains("a = 0.10000000000000000001", outside.Err);
        Assert.Contains("violate the constraint a <= b", outside.Err);
    }

    [Fact]
    public void The_cli_accepts_values_inside_the_constraint()
    {
        var result = CliHarness.Run("coefficients", "categorical", "--order", "2", "--at", "p1=0.2,p2=0.3");
        Assert.Equal(0, result.ExitCode);
    }
}
