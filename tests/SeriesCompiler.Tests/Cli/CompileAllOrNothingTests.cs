using SeriesCompiler.Emit;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// Issue 18, probe 8: <c>compile --out DIR</c> replaces the whole set of files or none (SC2003), even when one
/// target cannot be replaced.
/// </summary>
public class CompileAllOrNothingTests
{
    private static readonly string Bundled = Path.Combine(AppContext.BaseDirectory, "distributions");

    private static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    private static void AssertUnchanged(Dictionary<string, byte[]> before, string dir)
    {
        var after = Snapshot(dir);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (name, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed");
    }

    private static void AssertNoStagingLeft(string dir)
    {
        string parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(dir))!;
        Assert.Empty(Directory.GetDirectories(parent, "*seriesc-staging*"));
        Assert.Empty(Directory.GetDirectories(dir, "*seriesc-staging*"));
    }

    [Fact]
    public void A_folder_in_place_of_a_target_leaves_the_previous_output_byte_identical()
    {
        string cwd = TempDirectory.Create();
        string output = Path.Combine(cwd, "out");
        Assert.Equal(0, CliHarness.RunIn(cwd, "compile", Bundled, "--order", "2", "--out", output).ExitCode);
        // The probe: the registry's name is taken by a folder, so the new registry cannot be put in place.
        File.Delete(Path.Combine(output, "RuleRegistry.g.cs"));
        Directory.CreateDirectory(Path.Combine(output, "RuleRegistry.g.cs"));
        var before = Snapshot(output);
        Assert.NotEmpty(before);

        var result = CliHarness.RunIn(cwd, "compile", Bundled, "--order", "3", "--out", output); // order 3 changes every rule file
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error SC2003", result.Err);
        Assert.Contains("RuleRegistry.g.cs", result.Err);
        Assert.Contains("is a folder", result.Err);
        Assert.DoesNotContain("   at ", result.Err);
        AssertUnchanged(before, output);
        AssertNoStagingLeft(output);
    }

    [Fact]
    public void A_failure_midway_through_the_replacement_puts_the_old_files_back()
    {
        string cwd = TempDirectory.Create();
        string output = Path.Combine(cwd, "out");
        Assert.Equal(0, CliHarness.RunIn(cwd, "compile", Bundled, "--order", "2", "--out", output).ExitCode);
        var before = Snapshot(output);

        var result = RuleGenerator.Generate(Workspace.Create(
            Directory.GetFiles(Bundled, "*.dist").Order(StringComparer.Ordinal).Select(f => SourceText.FromFile(f))), 3,
            RuleEmitter.DefaultNamespace);
        Assert.False(result.HasErrors);
        int moved = 0;
        var ex = Assert.Throws<IOException>(() => RuleGenerator.WriteFiles(result.Files, output, name =>
        {
            if (++moved == 4) throw new IOException("injected failure at " + name);
        }));
        Assert.Contains("injected failure", ex.Message);
        Assert.True(moved == 4 && result.Files.Length > 4);
        AssertUnchanged(before, output);
        AssertNoStagingLeft(output);

        // Without the failure the same call replaces the set, so the test above did exercise a change.
        RuleGenerator.WriteFiles(result.Files, output);
        var after = Snapshot(output);
        Assert.True(after.Where(kv => !kv.Value.AsSpan().SequenceEqual(before[kv.Key])).Count() > 4);
        AssertNoStagingLeft(output);
    }

    [Fact]
    public void A_new_output_folder_gets_the_same_bytes_as_before()
    {
        // The staging must not change what is written: same files, same bytes as the in-memory generation.
        string output = Path.Combine(TempDirectory.Create(), "fresh");
        var result = RuleGenerator.Generate(Workspace.Create(
            Directory.GetFiles(Bundled, "*.dist").Order(StringComparer.Ordinal).Select(f => SourceText.FromFile(f))), 2,
            RuleEmitter.DefaultNamespace);
        RuleGenerator.WriteFiles(result.Files, output);
        var written = Snapshot(output);
        Assert.Equal(result.Files.Select(f => f.FileName).Order(), written.Keys.Order());
        foreach (var f in result.Files) Assert.Equal(new System.Text.UTF8Encoding(false).GetBytes(f.Content), written[f.FileName]);
        AssertNoStagingLeft(output);
    }
}
