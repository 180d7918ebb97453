using System.Numerics;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Output;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// Issue 15, item 2: every command checks <c>--at</c> through one exact check (<see cref="ParameterCheck"/>), so a value
/// on a boundary gets one verdict whether it is then used exactly (coefficients) or as a double (estimate).
/// </summary>
public class ParameterCheckTests
{
    private static BoundDistribution Declare(string text)
    {
        var workspace = Workspace.Create([new SourceText("t.dist", text)]);
        Assert.DoesNotContain(workspace.Diagnostics, d => d.IsError);
        return workspace.Distributions.Single();
    }

    private static string? Refusal(string at, BoundDistribution d)
    {
        try
        {
            ParameterValues.Parse(at).Validate(d.Name, d.Parameters);
            return null;
        }
        catch (CliException ex)
        {
            Assert.Equal(ExitCodes.UsageError, ex.ExitCode);
            return ex.Message;
        }
    }

    private const string Sum3 = "distribution Sum3(p1 in (0, 1), p2 in (0, 1), p3 in (0, 1)) {\n    support {0, 1, 2, 3}\n" +
        "    constraint p1 + p2 + p3 <= 1\n    cf(w) = (1 - p1 - p2 - p3) + p1*exp(i*w) + p2*exp(2*i*w) + p3*exp(3*i*w)\n}\n";

    [Fact]
    public void A_sum_exactly_on_a_closed_boundary_is_inside_and_just_past_it_outside()
    {
        var d = Declare(Sum3);
        // 0.1 + 0.2 + 0.7 is 1 exactly (as written), the boundary of <=.
        Assert.Null(Refusal("p1=0.1,p2=0.2,p3=0.7", d));
        // One part in 10^20 past it: the doubles are the same (0.1 + 0.2 + 0.7 rounds to 1 either way), the values are not.
        Assert.Equal("--at: parameters p1 = 0.1, p2 = 0.2, p3 = 0.70000000000000000001 violate the constraint p1 + p2 + p3 <= 1",
            Refusal("p1=0.1,p2=0.2,p3=0.70000000000000000001", d));
        Assert.Null(Refusal("p1=0.1,p2=0.2,p3=0.69999999999999999999", d));
    }

    [Fact]
    public void A_boundary_the_doubles_would_cross_is_judged_as_written()
    {
        // 0.1 + 0.2 <= 0.3 holds exactly; in doubles 0.1 + 0.2 is 0.30000000000000004 > 0.3. The old double check refused it.
        var d = Declare("distribution Ordered(a > 0, b > 0) {\n    support positive\n    constraint a + b <= 0.3\n    cgf(t) = -a*log(1 - b*t)\n}\n");
        Assert.True(0.1 + 0.2 > 0.3);
        Assert.Null(Refusal("a=0.1,b=0.2", d));
        Assert.Contains("violate the constraint a + b <= 0.3", Refusal("a=0.1,b=0.20000000000000000001", d));
        // A single bound too: k > 0.1 with k = 0.10000000000000000001 (its double is 0.1, on the bound) is inside.
        var g = Declare("distribution G(k > 0.1) {\n    support positive\n    cgf(t) = -k*log(1 - t)\n}\n");
        Assert.Null(Refusal("k=0.10000000000000000001", g));
        Assert.Equal("--at: k = 0.1 is outside the constraint k > 1/10", Refusal("k=0.1", g));
        Assert.Equal("--at: k = 0.09999999999999999999 is outside the constraint k > 1/10", Refusal("k=0.09999999999999999999", g));
    }

    [Theory]
    [InlineData("p1=0.3,p2=0.7", "--at: parameters p1 = 0.3, p2 = 0.7 violate the constraint p1 + p2 < 1")]
    [InlineData("p1=0.29999999999999999999,p2=0.7", null)]   // as written the sum is below 1 (its doubles sum to 1)
    [InlineData("p1=0.5,p2=0.50000000000000000001", "--at: parameters p1 = 0.5, p2 = 0.50000000000000000001 violate the constraint p1 + p2 < 1")]
    [InlineData("p1=1,p2=0.1", "--at: p1 = 1 is outside the constraint p1 in (0, 1)")]
    public void Coefficients_and_estimate_give_one_verdict_and_one_message(string at, string? refusal)
    {
        var coefficients = CliHarness.Run("coefficients", "categorical", "--order", "2", "--at", at);
        if (refusal is null)
        {
            Assert.Equal(0, coefficients.ExitCode);
            // estimate passes the exact --at check (what the runtime then says of the doubles is the next test's).
            Assert.DoesNotContain("violate the constraint", CliHarness.Run("estimate", "categorical", "--at", at, "--f", "z^2", "--samples", "10").Err);
            return;
        }
        var estimate = CliHarness.Run("estimate", "categorical", "--at", at, "--f", "z^2", "--samples", "10");
        Assert.Equal((2, 2), (coefficients.ExitCode, estimate.ExitCode));
        Assert.Equal("seriesc: error: " + refusal, coefficients.Err.Trim());
        Assert.Equal("seriesc: error: " + refusal, estimate.Err.Trim());
    }

    [Fact]
    public void Integer_parameters_are_judged_on_the_value_written_by_both_commands()
    {
        // 0.99999999999999999999 is the double 1, a whole number >= 1; as written it is neither.
        foreach (var command in new[] { new[] { "coefficients", "binomial" }, ["estimate", "binomial", "--f", "z^2", "--samples", "10"] })
        {
            var result = CliHarness.Run([.. command, "--at", "n=0.99999999999999999999,p=0.5"]);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("'n' is an integer parameter, got 0.99999999999999999999", result.Err);
        }
    }

    [Fact]
    public void Exact_values_are_the_decimals_written_and_a_value_built_in_code_is_its_double()
    {
        var at = ParameterValues.Parse("p=0.9,alpha=[1.5,2e-1]");
        var exact = ExactParameterValues.From(at);
        Assert.Equal(new Rational(9, 10), exact.Scalar("p"));
        Assert.Equal(new[] { new Rational(3, 2), new Rational(1, 5) }, exact.Vector("alpha").ToArray());
        var built = new ParameterValue("q", 0.1, null);
        var (value, text) = Assert.Single(built.ExactValues());
        Assert.Equal(new Rational(3602879701896397, BigInteger.Pow(2, 55)), value); // the double 0.1 exactly
        Assert.Equal("0.1", text);
    }

    [Fact]
    public void One_copy_of_dims_is_checked_by_the_same_methods_with_its_own_name()
    {
        var d = Declare(Sum3);
        var p2 = d.Parameters[1];
        var ex = Assert.Throws<CliException>(() => ParameterValues.CheckValue(p2, "p2[1]", new Rational(3, 2), "1.5"));
        Assert.Equal("--at: p2[1] = 1.5 is outside the constraint p2 in (0, 1)", ex.Message);
        ParameterValues.CheckValue(p2, "p2[1]", Rational.Half, "0.5");
        var point = new Dictionary<string, (Rational, string)>
        {
            ["p1"] = (new Rational(1, 10), "0.1"), ["p2"] = (new Rational(2, 10), "0.2"), ["p3"] = (new Rational(7, 10), "0.7"),
        };
        ParameterValues.CheckJointConstraints(d.Parameters, point); // exactly on p1 + p2 + p3 <= 1
        point["p3"] = (new Rational(71, 100), "0.71");
        Assert.Equal("--at: parameters p1 = 0.1, p2 = 0.2, p3 = 0.71 violate the constraint p1 + p2 + p3 <= 1",
            Assert.Throws<CliException>(() => ParameterValues.CheckJointConstraints(d.Parameters, point)).Message);
    }

    [Fact]
    public void A_constraint_with_no_value_at_the_point_fails_as_nan_fails_the_runtime()
    {
        // log(a - b) at a < b is NaN in the runtime's doubles, and has no real value exactly: neither < nor >= holds.
        var d = Declare("distribution L(a > 0, b > 0) {\n    support positive\n    constraint log(a - b) < 1\n    cgf(t) = -a*log(1 - b*t)\n}\n");
        Assert.Contains("violate the constraint log(a - b) < 1", Refusal("a=0.25,b=0.5", d));
        Assert.Null(Refusal("a=1,b=0.5", d));           // log(0.5) < 1
        Assert.Contains("violate", Refusal("a=4,b=0.5", d)); // log(3.5) > 1
    }

    [Fact]
    public void A_point_whose_doubles_cross_a_boundary_is_refused_by_estimate_before_any_estimator_runs()
    {
        // Exactly, 0.29999999999999999999 + 0.7 < 1; its double 0.3 plus 0.7 is 1, which the rule's Validate refuses.
        Assert.Equal(1.0, 0.29999999999999999999 + 0.7);
        var estimate = CliHarness.Run("estimate", "categorical", "--at", "p1=0.29999999999999999999,p2=0.7", "--f", "z^2", "--samples", "10");
        Assert.Equal(2, estimate.ExitCode);
        Assert.Equal("", estimate.Out);
        Assert.Equal("seriesc: error: --at: as doubles (what the estimators compute with), parameters p1 = 0.3, p2 = 0.7 violate p1 + p2 < 1",
            estimate.Err.Trim());
    }

    [Fact]
    public void Every_copy_of_dims_is_checked_against_the_joint_constraints()
    {
        // A shared point outside the constraint: before, --dims checked each value's own bounds only and the
        // estimators then failed one by one with exit code 0.
        var shared = CliHarness.Run("estimate", "categorical", "--at", "p1=0.7,p2=0.7", "--dims", "2", "--f", "z^2", "--samples", "10");
        Assert.Equal(2, shared.ExitCode);
        Assert.Equal("seriesc: error: --at: parameters p1 = 0.7, p2 = 0.7 violate the constraint p1 + p2 < 1", shared.Err.Trim());
        // One copy of a vector outside it (0.7 + 0.3 = 1 is not < 1), the other inside.
        var second = CliHarness.Run("estimate", "categorical", "--at", "p1=[0.2,0.7],p2=0.3", "--dims", "2", "--f", "z^2", "--samples", "10");
        Assert.Equal(2, second.ExitCode);
        Assert.Equal("seriesc: error: --at: parameters p1 = 0.7, p2 = 0.3 violate the constraint p1 + p2 < 1", second.Err.Trim());
        // Integer and bound checks per copy are on the values as written, with the copy's element named.
        var bound = CliHarness.Run("estimate", "categorical", "--at", "p1=[0.2,1],p2=0.3", "--dims", "2", "--f", "z^2", "--samples", "10");
        Assert.Equal(2, bound.ExitCode);
        Assert.Contains("--at: p1[1] = 1 is outside the constraint", bound.Err);
        // Both copies inside: the estimate runs.
        Assert.Equal(0, CliHarness.Run("estimate", "categorical", "--at", "p1=[0.2,0.6],p2=0.3", "--dims", "2", "--f", "z^2", "--samples", "10").ExitCode);
    }
}
