using System.Text.Json;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

public class CoefficientsCommandTests
{
    private static JsonElement Json(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Err}");
        Assert.Equal("", result.Err);
        // Exactly one JSON document: parsing the whole of standard output succeeds.
        using var doc = JsonDocument.Parse(result.Out);
        return doc.RootElement.Clone();
    }

    private static string[] Names(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
    private static int[] Index(JsonElement entry) => entry.GetProperty("n").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    private static string[] Keys(JsonElement obj) => obj.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void Gamma_json_has_the_shape_of_cli_md()
    {
        var doc = Json("coefficients", "gamma", "--at", "k=2.5,mu=0.7", "--format", "json");
        // cli.md's keys in its order, then our extension: the form each parameter's rule got.
        Assert.Equal(["distribution", "parameters", "variables", "order", "at", "coefficients", "resummed"], Keys(doc));
        Assert.Equal("Gamma", doc.GetProperty("distribution").GetString());
        Assert.Equal(["k", "mu"], Names(doc.GetProperty("parameters")));
        Assert.Equal(["t"], Names(doc.GetProperty("variables")));
        Assert.Equal(8, doc.GetProperty("order").GetInt32());
        Assert.Equal(2.5, doc.GetProperty("at").GetProperty("k").GetDouble());
        Assert.Equal(0.7, doc.GetProperty("at").GetProperty("mu").GetDouble());

        var entries = doc.GetProperty("coefficients").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 8), entries.Select(e => Index(e).Single()));
        var first = entries[0];
        Assert.Equal(["n", "c", "d", "symbolic"], Keys(first));
        Assert.Equal(1.75, first.GetProperty("c").GetDouble(), 15);
        Assert.Equal(["k", "mu"], Keys(first.GetProperty("d")));
        Assert.Equal(0.7, first.GetProperty("d").GetProperty("k").GetDouble(), 15);
        Assert.Equal(2.5, first.GetProperty("d").GetProperty("mu").GetDouble(), 15);
        var symbolic = first.GetProperty("symbolic");
        Assert.Equal("k*mu", symbolic.GetProperty("c").GetString());
        Assert.Equal("mu", symbolic.GetProperty("k").GetString());
        Assert.Equal("k", symbolic.GetProperty("mu").GetString());
    }

    [Fact]
    public void Without_at_the_json_is_symbolic_only()
    {
        var doc = Json("coefficients", "gamma", "--order", "3", "--format", "json");
        Assert.False(doc.TryGetProperty("at", out _));
        Assert.Equal(3, doc.GetProperty("order").GetInt32());
        foreach (var entry in doc.GetProperty("coefficients").EnumerateArray())
        {
            Assert.Equal(["n", "symbolic"], Keys(entry));
            Assert.Equal(["c", "k", "mu"], Keys(entry.GetProperty("symbolic")));
        }
    }

    [Fact]
    public void Several_variables_list_every_multi_index_in_graded_order_zeros_included()
    {
        var doc = Json("coefficients", "bivariatenormal", "--order", "3", "--format", "json",
            "--at", "m1=0.1,m2=-0.2,s1=1.5,s2=0.5,rho=0.3");
        Assert.Equal(["t1", "t2"], Names(doc.GetProperty("variables")));
        Assert.Equal(["m1", "m2", "s1", "s2", "rho"], Names(doc.GetProperty("parameters")));
        var entries = doc.GetProperty("coefficients").EnumerateArray().ToList();
        int[][] expected = [[1, 0], [0, 1], [2, 0], [1, 1], [0, 2], [3, 0], [2, 1], [1, 2], [0, 3]];
        Assert.Equal(expected, entries.Select(Index).ToArray());
        var cross = entries[3];
        Assert.Equal(0.3 * 1.5 * 0.5, cross.GetProperty("c").GetDouble(), 14);
        Assert.Equal(1.5 * 0.5, cross.GetProperty("d").GetProperty("rho").GetDouble(), 14);
        Assert.Equal("rho*s1*s2", cross.GetProperty("symbolic").GetProperty("c").GetString());
        var third = entries[5];
        Assert.Equal(0.0, third.GetProperty("c").GetDouble());
        Assert.Equal("0", third.GetProperty("symbolic").GetProperty("c").GetString());
    }

    [Fact]
    public void A_derived_distribution_lists_its_components()
    {
        var doc = Json("coefficients", "beta", "--order", "2", "--at", "alpha=2,beta=3", "--format", "json");
        Assert.Equal(["alpha", "beta"], Names(doc.GetProperty("parameters")));
        var entries = doc.GetProperty("coefficients").EnumerateArray().ToList();
        Assert.Equal(["z1", "z1", "z2", "z2"], entries.Select(e => e.GetProperty("component").GetString()));
        // Gamma(alpha, 1): c_1 = alpha, c_2 = alpha/2; the chain rule carries alpha into z1 only.
        Assert.Equal(2.0, entries[0].GetProperty("c").GetDouble());
        Assert.Equal(1.0, entries[0].GetProperty("d").GetProperty("alpha").GetDouble());
        Assert.Equal(0.0, entries[0].GetProperty("d").GetProperty("beta").GetDouble());
        Assert.Equal(1.5, entries[3].GetProperty("c").GetDouble());
        Assert.Equal(0.5, entries[3].GetProperty("d").GetProperty("beta").GetDouble());
        Assert.Equal("beta/2", entries[3].GetProperty("symbolic").GetProperty("c").GetString());
    }

    [Fact]
    public void A_family_at_a_vector_gives_one_component_per_index()
    {
        var doc = Json("coefficients", "dirichlet", "--order", "2", "--at", "alpha=[1.5,2,3]", "--format", "json");
        Assert.Equal(["alpha"], Names(doc.GetProperty("parameters")));
        Assert.Equal([1.5, 2, 3], doc.GetProperty("at").GetProperty("alpha").EnumerateArray().Select(e => e.GetDouble()));
        var entries = doc.GetProperty("coefficients").EnumerateArray().ToList();
        Assert.Equal(["g[0]", "g[0]", "g[1]", "g[1]", "g[2]", "g[2]"], entries.Select(e => e.GetProperty("component").GetString()));
        var g1 = entries[2];
        Assert.Equal(2.0, g1.GetProperty("c").GetDouble());
        Assert.Equal(["alpha[1]"], Keys(g1.GetProperty("d")));
        Assert.Equal(1.0, g1.GetProperty("d").GetProperty("alpha[1]").GetDouble());
        Assert.Equal("alpha[1]", g1.GetProperty("symbolic").GetProperty("c").GetString());
        Assert.Equal(1.5, entries[5].GetProperty("c").GetDouble());
        Assert.Equal(0.5, entries[5].GetProperty("d").GetProperty("alpha[2]").GetDouble());
    }

    [Fact]
    public void A_family_without_values_is_symbolic_in_j()
    {
        var doc = Json("coefficients", "dirichlet", "--order", "2", "--format", "json");
        var entries = doc.GetProperty("coefficients").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal("g[j]", e.GetProperty("component").GetString()));
        Assert.Equal("alpha[j]", entries[0].GetProperty("symbolic").GetProperty("c").GetString());
        Assert.Equal("1", entries[0].GetProperty("symbolic").GetProperty("alpha[j]").GetString());
    }

    [Fact]
    public void An_integer_hyper_parameter_needs_a_value_but_is_not_differentiated()
    {
        var doc = Json("coefficients", "binomial", "--order", "2", "--at", "n=10,p=0.25", "--format", "json");
        Assert.Equal(["n", "p"], Names(doc.GetProperty("parameters")));
        var first = doc.GetProperty("coefficients")[0];
        Assert.Equal(["p"], Keys(first.GetProperty("d")));
        Assert.Equal(2.5, first.GetProperty("c").GetDouble(), 14);
        Assert.Equal(10.0, first.GetProperty("d").GetProperty("p").GetDouble(), 14);

        var missing = CliHarness.Run("coefficients", "binomial", "--at", "p=0.25");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("'n'", missing.Err);
        var fractional = CliHarness.Run("coefficients", "binomial", "--at", "n=2.5,p=0.25");
        Assert.Equal(2, fractional.ExitCode);
        Assert.Contains("integer", fractional.Err);
    }

    [Fact]
    public void The_table_shows_symbols_and_values_in_aligned_columns()
    {
        var result = CliHarness.Run("coefficients", "gamma", "--order", "3", "--at", "k=2.5,mu=0.7");
        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Gamma(k > 0, mu > 0)", lines[0]);
        Assert.Matches(@"^n\s+c\s+value\s+dc/dk\s+value\s+dc/dmu\s+value$", lines[1].TrimEnd('\r'));
        // Title, header, rule, three rows; then the exact resummed rules (a heading and one line per parameter).
        Assert.Equal(2 + 1 + 3 + 1 + 2, lines.Length);
        Assert.Contains("k*mu", lines[3]);
        Assert.Contains("1.75", lines[3]);
        Assert.Contains("k*mu^2/2", lines[4]);
        // Aligned: the symbolic c column starts at the same offset on every row.
        int column = lines[1].IndexOf('c');
        Assert.All(lines.Skip(3).Take(3), l => Assert.Equal('k', l[column]));
        Assert.Contains("d/dk: mu * E[f'(z + (mu)*U(0,1)*Exp(1))]", lines[7]);
    }

    [Fact]
    public void The_table_is_the_default_and_symbolic_without_at()
    {
        var result = CliHarness.Run("coefficients", "normal", "--order", "2");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("dc/dsigma", result.Out);
        Assert.Contains("sigma^2/2", result.Out);
        Assert.DoesNotContain("value", result.Out);
    }

    [Fact]
    public void Latex_writes_an_align_environment_with_the_partial_derivatives()
    {
        var result = CliHarness.Run("coefficients", "gamma", "--order", "2", "--format", "latex", "--at", "k=2.5,mu=0.7");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\\begin{align*}", result.Out);
        Assert.Contains("\\end{align*}", result.Out);
        Assert.Contains("c_{1} &= k \\mu", result.Out);
        Assert.Contains("\\frac{\\partial c_{1}}{\\partial k} &= \\mu", result.Out);
        Assert.Contains("\\frac{\\partial c_{2}}{\\partial \\mu}", result.Out);
        Assert.Contains("\\approx 1.75", result.Out);

        var family = CliHarness.Run("coefficients", "dirichlet", "--order", "1", "--format", "latex");
        Assert.Equal(0, family.ExitCode);
        Assert.Contains("\\partial \\alpha_{j}", family.Out);
    }

    [Fact]
    public void Bundled_names_resolve_case_insensitively()
    {
        foreach (var name in new[] { "gamma", "GAMMA", "Gamma", "gAmMa" })
        {
            var result = CliHarness.Run("coefficients", name, "--order", "1", "--format", "json");
            Assert.True(result.ExitCode == 0, name + ": " + result.Err);
            using var doc = JsonDocument.Parse(result.Out);
            Assert.Equal("Gamma", doc.RootElement.GetProperty("distribution").GetString());
        }
        var camel = CliHarness.Run("coefficients", "NegativeBinomial", "--order", "1");
        Assert.Equal(0, camel.ExitCode);
    }

    [Fact]
    public void A_path_to_a_file_works_and_its_latents_find_the_bundled_declarations()
    {
        string dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "mybeta.dist"),
            "distribution MyBeta(a > 0, b > 0) {\n    support (0, 1)\n    latent u ~ Gamma(a, 1)\n    latent v ~ Gamma(b, 1)\n    value = u / (u + v)\n}\n");
        var result = CliHarness.RunIn(dir, "coefficients", "mybeta.dist", "--order", "1", "--format", "json");
        Assert.True(result.ExitCode == 0, result.Err);
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal("MyBeta", doc.RootElement.GetProperty("distribution").GetString());
        Assert.Equal(["u", "v"], doc.RootElement.GetProperty("coefficients").EnumerateArray().Select(e => e.GetProperty("component").GetString()));
    }

    [Fact]
    public void The_current_directorys_distributions_folder_comes_first()
    {
        string dir = TempDirectory.Create();
        Directory.CreateDirectory(Path.Combine(dir, "distributions"));
        File.WriteAllText(Path.Combine(dir, "distributions", "gamma.dist"),
            "distribution Gamma(k > 0, mu > 0) {\n    support real\n    cgf(t) = 2*k*mu*t\n}\n");
        var result = CliHarness.RunIn(dir, "coefficients", "gamma", "--order", "2", "--format", "json");
        Assert.True(result.ExitCode == 0, result.Err);
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal("2*k*mu", doc.RootElement.GetProperty("coefficients")[0].GetProperty("symbolic").GetProperty("c").GetString());
    }

    [Fact]
    public void With_no_arguments_the_program_prints_every_bundled_table()
    {
        var result = CliHarness.Run();
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Err);
        foreach (var name in new[] { "Gamma(k > 0, mu > 0)", "Beta(", "Dirichlet(alpha[K] > 0)", "BivariateNormal(", "Poisson(" })
            Assert.Contains(name, result.Out);
        Assert.Contains("1 <= |n| <= 4", result.Out);
        Assert.DoesNotContain("1 <= |n| <= 8", result.Out);
    }
}
