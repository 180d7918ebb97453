using System.Text.Json;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary><c>seriesc estimate</c> as docs/cli.md specifies it: options, the JSON shape, errors and exit codes.</summary>
public sealed class EstimateCommandTests
{
    private static JsonElement Json(CliHarness.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Err}");
        return JsonDocument.Parse(r.Out).RootElement;
    }

    [Fact]
    public void The_conformance_problem_gives_the_documented_shape_and_the_exact_gradient()
    {
        var doc = Json(CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "(z - 0.49)^2", "--order", "2",
            "--samples", "100000", "--seed", "3", "--format", "json"));
        Assert.Equal("Gamma", doc.GetProperty("distribution").GetString());
        Assert.Equal(2.5, doc.GetProperty("at").GetProperty("k").GetDouble());
        Assert.Equal("(z - 0.49)^2", doc.GetProperty("f").GetString());
        Assert.Equal(100000, doc.GetProperty("samples").GetInt32());
        Assert.Equal(3, doc.GetProperty("seed").GetInt32());
        var e = doc.GetProperty("estimates")[0];
        Assert.Equal("fourier", e.GetProperty("estimator").GetString());
        Assert.Equal(2, e.GetProperty("order").GetInt32());
        Assert.True(e.GetProperty("seconds").GetDouble() >= 0);
        var exact = new Dictionary<string, double> { ["k"] = 0.49 + 1.4 * (1.75 - 0.49), ["mu"] = 3.5 + 5 * (1.75 - 0.49) };
        foreach (var (p, value) in exact)
        {
            double g = e.GetProperty("gradient").GetProperty(p).GetDouble(), se = e.GetProperty("stderr").GetProperty(p).GetDouble();
            Assert.True(Math.Abs(g - value) <= 5 * se, $"d{p}: {g} ± {se} vs {value}");
        }
        Assert.Equal("exact", e.GetProperty("truncation").GetString());
        Assert.Equal(2, e.GetProperty("terms").GetArrayLength());
    }

    [Fact]
    public void The_same_seed_gives_the_same_output()
    {
        string[] args = ["estimate", "laplace", "--at", "mu=0.3,b=0.8", "--f", "log_sigmoid(2*z)", "--estimator", "all", "--samples", "2000", "--seed", "9", "--format", "json"];
        var a = Json(CliHarness.Run(args));
        var b = Json(CliHarness.Run(args));
        for (int i = 0; i < 3; i++)
            Assert.Equal(a.GetProperty("estimates")[i].GetProperty("gradient").GetRawText(), b.GetProperty("estimates")[i].GetProperty("gradient").GetRawText());
    }

    [Fact]
    public void Threads_change_no_number()
    {
        // The batched core draws sample i from its own stream and merges statistics in sample order, so the gradients
        // and standard errors are the same, digit for digit, on 1 or 3 threads.
        string[] args = ["estimate", "gamma", "--at", "k=2.5,mu=0.7", "--dims", "4", "--f", "(z - 0.49)^2", "--estimator", "all",
            "--samples", "3000", "--seed", "5", "--format", "json"];
        var one = Json(CliHarness.Run(args));
        var three = Json(CliHarness.Run([.. args, "--threads", "3"]));
        var estimates = one.GetProperty("estimates");
        Assert.Equal(estimates.GetArrayLength(), three.GetProperty("estimates").GetArrayLength());
        for (int i = 0; i < estimates.GetArrayLength(); i++)
            foreach (var field in new[] { "gradient", "stderr" })
                Assert.Equal(estimates[i].GetProperty(field).GetRawText(), three.GetProperty("estimates")[i].GetProperty(field).GetRawText());
    }

    [Fact]
    public void Threads_must_be_a_whole_number_of_at_least_one()
    {
        var r = CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "z", "--threads", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--threads", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void All_estimators_are_listed_and_those_that_do_not_apply_say_why()
    {
        var doc = Json(CliHarness.Run("estimate", "bivariatenormal", "--at", "m1=0.5,m2=-1,s1=1.5,s2=0.7,rho=0.3", "--f", "z1*z2",
            "--estimator", "all", "--samples", "1000", "--format", "json"));
        var estimates = doc.GetProperty("estimates");
        Assert.Equal(["fourier", "resummed", "score", "pathwise"], estimates.EnumerateArray().Select(e => e.GetProperty("estimator").GetString()));
        Assert.Contains("univariate", estimates[1].GetProperty("error").GetString());
        Assert.Contains("logpdf", estimates[2].GetProperty("error").GetString());
        Assert.False(estimates[2].TryGetProperty("gradient", out _));
        // rho's rule uses E[d^2 f / dz1 dz2] = 1: exactly s1 s2, with no noise.
        Assert.Equal(1.05, estimates[0].GetProperty("gradient").GetProperty("rho").GetDouble(), 12);
        Assert.Equal(0, estimates[0].GetProperty("stderr").GetProperty("rho").GetDouble());
    }

    [Fact]
    public void A_parameter_outside_its_constraint_is_a_command_line_error_naming_it_and_its_bound()
    {
        var r = CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=-0.7", "--f", "z");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("mu", r.Err);
        Assert.Contains("mu > 0", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void A_bad_f_gets_a_positioned_diagnostic()
    {
        var r = CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "(z - x)^2");
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"--f\(1,6\): error SC0101: unknown name 'x'", r.Err);
        var bad = CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "foo(z)");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("unknown function 'foo'", bad.Err);
    }

    [Fact]
    public void Dims_gives_each_copy_its_own_parameters_and_gradient()
    {
        const int d = 100;
        var k = Enumerable.Range(0, d).Select(j => 1.0 + 0.02 * j).ToArray();
        var mu = Enumerable.Range(0, d).Select(j => 0.3 + 0.005 * j).ToArray();
        string at = $"k=[{string.Join(",", k.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}]," +
                    $"mu=[{string.Join(",", mu.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}]";
        var doc = Json(CliHarness.Run("estimate", "gamma", "--at", at, "--f", "(z - 0.49)^2", "--dims", "100",
            "--samples", "2000", "--seed", "5", "--format", "json"));
        var e = doc.GetProperty("estimates")[0];
        var gk = e.GetProperty("gradient").GetProperty("k");
        var gmu = e.GetProperty("gradient").GetProperty("mu");
        Assert.Equal(d, gk.GetArrayLength());
        for (int j = 0; j < d; j++)
        {
            double dk = mu[j] * mu[j] + 2 * mu[j] * (k[j] * mu[j] - 0.49), dmu = 2 * k[j] * mu[j] + 2 * k[j] * (k[j] * mu[j] - 0.49);
            double sek = e.GetProperty("stderr").GetProperty("k")[j].GetDouble(), semu = e.GetProperty("stderr").GetProperty("mu")[j].GetDouble();
            Assert.True(Math.Abs(gk[j].GetDouble() - dk) <= 5 * sek, $"k[{j}]");
            Assert.True(Math.Abs(gmu[j].GetDouble() - dmu) <= 5 * semu, $"mu[{j}]");
        }
    }

    [Fact]
    public void Order_auto_and_stencils_are_accepted()
    {
        var auto = Json(CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "exp(-z)", "--no-shortcut", "--order", "auto",
            "--samples", "4000", "--format", "json")).GetProperty("estimates")[0];
        Assert.Equal("series", auto.GetProperty("method").GetString());
        Assert.True(auto.GetProperty("orders").GetProperty("k").GetInt32() >= 1);
        var stencil = Json(CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "(z - 0.49)^2", "--derivatives", "stencil",
            "--order", "2", "--samples", "4000", "--format", "json")).GetProperty("estimates")[0];
        Assert.Equal(2.254, stencil.GetProperty("gradient").GetProperty("k").GetDouble(), 0);
        var bad = CliHarness.Run("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "z", "--order", "often");
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public void A_users_file_outside_the_library_works_without_a_rebuild()
    {
        string folder = TempDirectory.Create();
        string file = Path.Combine(folder, "shifted.dist");
        // An exponential shifted by c: E[z] = c + mu, so dE/dc = 1, dE/dmu = 1; E[z^2] = (c + mu)^2 + mu^2.
        File.WriteAllText(file, """
            distribution Shifted(c, mu > 0) {
                support real
                cgf(t) = c*t - log(1 - mu*t)
                logpdf(z) = -(z - c)/mu - log(mu)
                sample = c + mu*exponential()
            }
            """);
        var doc = Json(CliHarness.RunIn(folder, "estimate", file, "--at", "c=0.5,mu=2", "--f", "z^2", "--estimator", "all",
            "--samples", "20000", "--format", "json"));
        foreach (var e in doc.GetProperty("estimates").EnumerateArray())
        {
            double dc = e.GetProperty("gradient").GetProperty("c").GetDouble(), sec = e.GetProperty("stderr").GetProperty("c").GetDouble();
            double dmu = e.GetProperty("gradient").GetProperty("mu").GetDouble(), semu = e.GetProperty("stderr").GetProperty("mu").GetDouble();
            Assert.True(Math.Abs(dc - 2 * 2.5) <= 5 * sec + 1e-9, $"{e.GetProperty("estimator")}: dc = {dc} ± {sec}");
            Assert.True(Math.Abs(dmu - (2 * 2.5 + 4)) <= 5 * semu + 1e-9, $"{e.GetProperty("estimator")}: dmu = {dmu} ± {semu}");
        }
    }

    [Fact]
    public void A_family_takes_vectors_and_reports_one_gradient_per_component()
    {
        var doc = Json(CliHarness.Run("estimate", "dirichlet", "--at", "alpha=[20,30,50]", "--f", "z[j]^2", "--samples", "2000", "--format", "json"));
        var g = doc.GetProperty("estimates")[0].GetProperty("gradient").GetProperty("alpha");
        Assert.Equal(3, g.GetArrayLength());
        Assert.Equal(JsonValueKind.Array, doc.GetProperty("at").GetProperty("alpha").ValueKind);
    }

    [Fact]
    public void The_table_names_each_parameter()
    {
        // An explicit --order asks for the series (without it, fourier uses the exact resummed rule).
        var r = CliHarness.Run("estimate", "negativebinomial", "--at", "r=3,p=0.4", "--f", "z^2", "--samples", "1000", "--order", "8");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("shift differences", r.Out);
        Assert.Contains(" r ", r.Out);
        Assert.Contains("truncation exact", r.Out); // Delta^3 z^2 = 0
    }

    [Fact]
    public void Lattice_distributions_whose_derivative_is_a_sum_of_shifts_get_an_exact_shift_rule()
    {
        // A difference of Poissons: dK/dl1 = e^t - 1, dK/dl2 = e^-t - 1, so dL/dl1 = E[f(z+1) - f(z)], dL/dl2 = E[f(z-1) - f(z)].
        // E[z^2] = l1 + l2 + (l1 - l2)^2.
        string folder = TempDirectory.Create();
        string file = Path.Combine(folder, "skellam.dist");
        File.WriteAllText(file, """
            distribution Skellam(l1 > 0, l2 > 0) {
                support integers
                cgf(t) = l1*(exp(t) - 1) + l2*(exp(-t) - 1)
                sample = poisson(l1) - poisson(l2)
            }
            """);
        var e = Json(CliHarness.RunIn(folder, "estimate", file, "--at", "l1=2,l2=1.5", "--f", "z^2", "--samples", "20000", "--order", "8", "--format", "json"))
            .GetProperty("estimates")[0];
        Assert.Equal("shift rule", e.GetProperty("method").GetString());
        foreach (var (p, exact) in new[] { ("l1", 1 + 2 * 0.5), ("l2", 1 - 2 * 0.5) })
        {
            double g = e.GetProperty("gradient").GetProperty(p).GetDouble(), se = e.GetProperty("stderr").GetProperty(p).GetDouble();
            Assert.True(Math.Abs(g - exact) <= 5 * se + 1e-9, $"{p}: {g} ± {se} vs {exact}");
        }
    }

    /// <summary>
    /// --estimator resummed, and fourier without --order, use the exact resummed rule: within 5 standard errors of
    /// closed forms (E z^2 = k mu^2 + k^2 mu^2 for Gamma; E z^4 = mu^4 + 12 mu^2 b^2 + 24 b^4 for Laplace).
    /// </summary>
    [Theory]
    [InlineData("gamma", "k=2.5,mu=0.7", "z^2", "k", 0.49 + 2 * 2.5 * 0.49)]
    [InlineData("gamma", "k=2.5,mu=0.7", "z^2", "mu", 2 * 2.5 * 0.7 + 2 * 2.5 * 2.5 * 0.7)]
    [InlineData("laplace", "mu=0.3,b=1.5", "z^4", "b", 24 * 0.09 * 1.5 + 96 * 1.5 * 1.5 * 1.5)]
    public void The_resummed_estimator_is_unbiased(string distribution, string at, string f, string parameter, double exact)
    {
        foreach (var extra in new[] { new[] { "--estimator", "resummed" }, new[] { "--estimator", "fourier" } })
        {
            var doc = Json(CliHarness.Run(["estimate", distribution, "--at", at, "--f", f, "--samples", "200000", "--seed", "4", "--format", "json", .. extra]));
            var e = doc.GetProperty("estimates")[0];
            Assert.StartsWith("resummed", e.GetProperty("method").GetString());
            double g = e.GetProperty("gradient").GetProperty(parameter).GetDouble(), se = e.GetProperty("stderr").GetProperty(parameter).GetDouble();
            Assert.True(Math.Abs(g - exact) <= 5 * se, $"{distribution} {parameter}: {g} ± {se} vs {exact}");
        }
    }
}
