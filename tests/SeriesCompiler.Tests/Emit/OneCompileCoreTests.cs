using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// One compile core (issue 15, item 2): the in-memory loader, the build-time classes committed in generated/ and
/// <c>seriesc compile</c> all give the same bytes for every bundled declaration, and the same diagnostics.
/// Binomial's support {0 .. n} depends on n, so the generated class must carry it as code.
/// </summary>
public class OneCompileCoreTests
{
    private static string GeneratedFolder => Path.Combine(Repository.Root, "generated");

    private static IReadOnlyList<string> BundledNames() =>
        [.. Directory.EnumerateFiles(EmitFixture.DistributionsFolder, "*.dist").Order(StringComparer.Ordinal).Select(Path.GetFileNameWithoutExtension)!];

    /// <summary>What the in-memory loader compiles for a bundled name: the declaration and its latents, as Rules.Load finds them.</summary>
    private static IReadOnlyList<GeneratedFile> InMemorySources(Workspace library, string name)
    {
        var declaration = library.Find(name) ?? throw new InvalidOperationException($"{name} is not bundled");
        var latents = declaration.Latents.Select(l => library.Find(l.Distribution)!).ToList();
        var result = Rules.Sources(library, declaration, latents, EmitFixture.Order);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return [.. result.Files.Where(f => f.Distribution is not null)];
    }

    [Fact]
    public void In_memory_build_time_and_compile_outputs_are_byte_identical_for_every_bundled_declaration()
    {
        string output = TempDirectory.Create();
        var cli = CliHarness.Run("compile", EmitFixture.DistributionsFolder, "--out", output);
        Assert.True(cli.ExitCode == 0, cli.Err);

        var library = Workspace.Create([], EmitFixture.BundledSources());
        var names = BundledNames();
        Assert.Equal(22, names.Count); // the 17 of issue 12; Gumbel, Cauchy, Stable, CompoundPoisson and VarianceGamma (issue 16)
        int compared = 0;
        foreach (var name in names)
        {
            foreach (var file in InMemorySources(library, name))
            {
                string inMemory = file.Content;
                string buildTime = File.ReadAllText(Path.Combine(GeneratedFolder, file.FileName));
                string compiled = File.ReadAllText(Path.Combine(output, file.FileName));
                Assert.True(inMemory == buildTime, $"{name}: in-memory {file.FileName} differs from generated/:\n" + Snapshot.Diff(buildTime, inMemory));
                Assert.True(inMemory == compiled, $"{name}: in-memory {file.FileName} differs from `seriesc compile`:\n" + Snapshot.Diff(compiled, inMemory));
                compared++;
            }
        }
        // Every declaration once, plus the latents of Beta (two Gammas) and Dirichlet (one).
        Assert.True(compared >= names.Count, $"only {compared} files compared");
        // The committed Binomial class carries its support as code of n, not a null constant.
        string binomial = File.ReadAllText(Path.Combine(GeneratedFolder, "BinomialRule.g.cs"));
        Assert.Contains("IFiniteSupport", binomial);
        Assert.Contains("hi = p_n;", binomial);
    }

    public static TheoryData<double, double> BinomialThetas => new() { { 1, 0.5 }, { 5, 0.3 }, { 12, 0.9 } };

    [Theory]
    [MemberData(nameof(BinomialThetas))]
    public void Binomial_support_is_zero_to_n_in_the_build_time_and_in_memory_rules(double n, double p)
    {
        // {0 .. n}: the n + 1 integers 0, 1, ..., n, written out here independently of any generated code.
        var expected = Enumerable.Range(0, (int)n + 1).Select(k => (double)k).ToArray();
        var buildTime = Rule.From(SeriesCompiler.Generated.BinomialRule.Instance);
        var inMemory = Rules.Load("binomial");
        Assert.Null(inMemory.Direct!.GetType().GetProperty("FiniteSupport"));
        Assert.Equal(expected, buildTime.FiniteSupport([n, p]));
        Assert.Equal(expected, inMemory.FiniteSupport([n, p]));
    }

    [Fact]
    public void Constant_finite_supports_and_continuous_supports_come_through_the_same_member()
    {
        Assert.Equal([0.0, 1.0], Rule.From(SeriesCompiler.Generated.BernoulliRule.Instance).FiniteSupport([0.25])!);
        Assert.Equal([0.0, 1.0, 2.0], Rule.From(SeriesCompiler.Generated.CategoricalRule.Instance).FiniteSupport([0.2, 0.3])!);
        Assert.Null(Rule.From(SeriesCompiler.Generated.GammaRule.Instance).FiniteSupport([2.0, 1.0]));
        Assert.Null(Rule.From(SeriesCompiler.Generated.PoissonRule.Instance).FiniteSupport([2.0]));
    }

    [Fact]
    public void A_bad_n_is_the_parameters_error_not_a_wrong_support()
    {
        var rule = Rule.From(SeriesCompiler.Generated.BinomialRule.Instance);
        var fractional = Assert.Throws<ArgumentOutOfRangeException>(() => rule.FiniteSupport([2.5, 0.5]));
        Assert.Contains("parameter 'n' = 2.5", fractional.Message);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => rule.FiniteSupport([0.0, 0.5]));
        Assert.Contains("parameter 'n' = 0 violates n : integer >= 1", zero.Message);
        Assert.ThrowsAny<ArgumentException>(() => rule.FiniteSupport([5.0]));
    }

    [Fact]
    public void The_in_memory_path_reports_the_cores_diagnostics_whole()
    {
        // Order 0 is outside 1..64: the core's SC code, file and position, not a flattened string only.
        string folder = TempDirectory.Create();
        string path = Path.Combine(folder, "shift.dist");
        File.WriteAllText(path, "distribution Shift(m) {\n    support real\n    cgf(t) = m*t\n}\n");
        var ex = Assert.Throws<RuleCompilationException>(() => Rules.Compile(path, order: 0));
        var core = RuleGenerator.Generate(Workspace.Create([SourceText.FromFile(path)]), 0);
        Assert.True(core.HasErrors);
        Assert.Equal(core.Diagnostics.Select(d => (d.Id, d.Path, d.Line, d.Column, d.Message)), ex.Items.Select(d => (d.Id, d.Path, d.Line, d.Column, d.Message)));
        Assert.Contains(ex.Items, d => d.Id == DiagnosticCatalogue.OrderOutOfRange.Id && d.Path == SourceText.FromFile(path).Path);
        Assert.Equal(core.Diagnostics.Select(d => d.ToString()), ex.Diagnostics);
    }
}
