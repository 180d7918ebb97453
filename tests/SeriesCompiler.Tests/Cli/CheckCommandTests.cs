using Xunit;

namespace SeriesCompiler.Tests.Cli;

public class CheckCommandTests
{
    [Fact]
    public void The_bundled_folder_checks_clean_and_prints_only_its_summary_on_standard_error()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "distributions");
        int files = Directory.GetFiles(folder, "*.dist").Length;
        var result = CliHarness.Run("check", folder);
        // One declaration per bundled file; the summary is the only line, and on standard error (issue 17).
        Assert.Equal($"seriesc: checked {files} declarations in {files} files to order 8: 0 errors, 0 warnings", result.Err.TrimEnd());
        Assert.Equal("", result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void Files_are_independent_and_reported_in_order()
    {
        string dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "a.dist"), "distribution A(a) {\n    support real\n    cgf(t) = a*t +\n}\n");
        File.WriteAllText(Path.Combine(dir, "b.dist"), "distribution B(b > 0) {\n    support real\n    cgf(t) = b*t\n}\n");
        File.WriteAllText(Path.Combine(dir, "c.dist"), "distribution C(c) {\n    support real\n    logcf(w) = i*c*w - abs(w)^2\n}\n");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a declaration");
        var result = CliHarness.RunIn(dir, "check", ".");
        Assert.Equal(1, result.ExitCode);
        var lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith(Path.Combine(".", "a.dist") + "(3,", StringComparison.Ordinal) && l.Contains(": error SC"));
        Assert.Contains(lines, l => l.StartsWith(Path.Combine(".", "c.dist") + "(3,", StringComparison.Ordinal) && l.Contains(": error SC"));
        Assert.DoesNotContain(lines, l => l.Contains("b.dist"));
        int a = Array.FindIndex(lines, l => l.Contains("a.dist")), c = Array.FindIndex(lines, l => l.Contains("c.dist"));
        Assert.True(a < c);

        // The good file alone passes.
        Assert.Equal(0, CliHarness.RunIn(dir, "check", "b.dist").ExitCode);
    }

    [Fact]
    public void A_latent_may_name_a_declaration_of_another_checked_file()
    {
        string dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "base.dist"), "distribution Base(s > 0) {\n    support real\n    cgf(t) = s^2*t^2/2\n}\n");
        File.WriteAllText(Path.Combine(dir, "sum.dist"),
            "distribution Pair(a > 0) {\n    support real\n    latent x ~ Base(a)\n    latent y ~ Base(2*a)\n    value = x + y\n}\n");
        var result = CliHarness.RunIn(dir, "check", "base.dist", "sum.dist", "--order", "4");
        Assert.True(result.ExitCode == 0, result.Err);
    }

    [Fact]
    public void Checking_the_bundled_folder_is_fast()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "distributions");
        CliHarness.Run("check", folder); // warm up the JIT
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, CliHarness.Run("check", folder).ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"check took {clock.Elapsed}");
    }
}
