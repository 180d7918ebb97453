using System.Diagnostics;
using SeriesCompiler.Cli.Infrastructure;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>Issue 18, probe 7: <c>experiment --out</c> is checked before any work starts (exit code 1, a clear message).</summary>
public class ExperimentOutTests
{
    [Fact]
    public void An_existing_file_is_refused_before_the_run()
    {
        string file = Path.Combine(TempDirectory.Create(), "results.txt");
        File.WriteAllText(file, "keep me");
        var watch = Stopwatch.StartNew();
        var result = CliHarness.Run("experiment", "gamma-quadratic", "--out", file);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5)); // no work was done
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("--out", result.Err);
        Assert.Contains("results.txt' is a file", result.Err);
        Assert.DoesNotContain("internal error", result.Err);
        Assert.DoesNotContain("   at ", result.Err);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void A_folder_that_cannot_be_created_is_refused_before_the_run()
    {
        // Below a file: no folder can be made there, for any user (root included).
        string file = Path.Combine(TempDirectory.Create(), "plain");
        File.WriteAllText(file, "");
        var watch = Stopwatch.StartNew();
        var result = CliHarness.Run("experiment", "gamma-exp", "--out", Path.Combine(file, "sub", "dir"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("cannot be created", result.Err);
        Assert.Contains("plain' is a file", result.Err);
    }

    [Fact]
    public void A_folder_that_cannot_be_written_is_refused_before_the_run()
    {
        if (OperatingSystem.IsWindows()) return;
        // /proc refuses new entries for every user, root included.
        var result = CliHarness.Run("experiment", "gamma-exp", "--out", "/proc/seriesc-results");
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("--out '/proc/seriesc-results' cannot be written", result.Err);
    }

    [Fact]
    public void A_writable_folder_is_left_without_the_probe_file()
    {
        string folder = Path.Combine(TempDirectory.Create(), "new", "results");
        SeriesCompiler.Cli.Commands.ExperimentCommand.CheckOutputFolder(folder, "new/results");
        Assert.True(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }
}
