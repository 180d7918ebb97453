using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary><c>seriesc compile PATH... [--order N] [--out DIR] [--namespace NS]</c> (docs/cli.md).</summary>
public class CompileCommandTests
{
    private const string Good = "distribution Shift(a) {\n    support real\n    cgf(t) = a*t\n}\n";
    private const string Bad = "distribution Broken(p > 0) {\n    support positive\n    cgf(t) = p*nosuch(t)\n}\n";

    [Fact]
    public void The_bundled_folder_compiles_to_the_same_files_as_the_core()
    {
        string output = TempDirectory.Create();
        var result = CliHarness.Run("compile", EmitFixture.DistributionsFolder, "--out", output);
        Assert.True(result.ExitCode == 0, result.Err);
        Assert.Equal("", result.Out);
        var expected = EmitFixture.Generated.Files.ToDictionary(f => f.FileName, f => f.Content);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (file, text) in expected) Assert.Equal(text, File.ReadAllText(Path.Combine(output, file)));
    }

    [Fact]
    public void The_default_output_folder_is_generated_in_the_current_directory()
    {
        string cwd = TempDirectory.Create();
        File.WriteAllText(Path.Combine(cwd, "shift.dist"), Good);
        var result = CliHarness.RunIn(cwd, "compile", "shift.dist", "--order", "3", "--namespace", "My.Rules");
        Assert.True(result.ExitCode == 0, result.Err);
        string code = File.ReadAllText(Path.Combine(cwd, "generated", "ShiftRule.g.cs"));
        Assert.Contains("namespace My.Rules;", code);
        Assert.Contains("public int Order => 3;", code);
        Assert.True(File.Exists(Path.Combine(cwd, "generated", "Stencils.g.cs")));
        Assert.True(File.Exists(Path.Combine(cwd, "generated", "RuleRegistry.g.cs")));
    }

    [Fact]
    public void Errors_go_to_standard_error_with_exit_code_1_and_no_files_are_written()
    {
        string cwd = TempDirectory.Create();
        File.WriteAllText(Path.Combine(cwd, "shift.dist"), Good);
        File.WriteAllText(Path.Combine(cwd, "broken.dist"), Bad);
        var result = CliHarness.RunIn(cwd, "compile", "shift.dist", "broken.dist", "--out", "out");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("broken.dist(3,16): error SC0102:", result.Err);
        Assert.False(Directory.Exists(Path.Combine(cwd, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(cwd, "out")).Any());
    }

    [Fact]
    public void A_missing_path_is_exit_code_1_and_a_bad_namespace_or_order_exit_code_2()
    {
        string cwd = TempDirectory.Create();
        File.WriteAllText(Path.Combine(cwd, "shift.dist"), Good);
        var missing = CliHarness.RunIn(cwd, "compile", "nope.dist");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("'nope.dist' does not exist", missing.Err);
        Assert.Equal(2, CliHarness.RunIn(cwd, "compile", "shift.dist", "--namespace", "X; class Y").ExitCode);
        Assert.Equal(2, CliHarness.RunIn(cwd, "compile", "shift.dist", "--namespace", "class.Foo").ExitCode);
        Assert.Equal(2, CliHarness.RunIn(cwd, "compile", "shift.dist", "--order", "0").ExitCode);
        Assert.Equal(2, CliHarness.RunIn(cwd, "compile").ExitCode);
        Assert.False(Directory.Exists(Path.Combine(cwd, "generated")));
    }

    [Fact]
    public void Unchanged_files_are_not_rewritten()
    {
        string cwd = TempDirectory.Create();
        File.WriteAllText(Path.Combine(cwd, "shift.dist"), Good);
        Assert.Equal(0, CliHarness.RunIn(cwd, "compile", "shift.dist").ExitCode);
        string file = Path.Combine(cwd, "generated", "ShiftRule.g.cs");
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(file, old);
        Assert.Equal(0, CliHarness.RunIn(cwd, "compile", "shift.dist").ExitCode);
        Assert.Equal(old, File.GetLastWriteTimeUtc(file));
        Assert.Empty(Directory.GetFiles(Path.Combine(cwd, "generated"), "*.tmp"));
    }
}
