using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>docs/cli.md: 0 success, 1 errors in the input, 2 a wrong command line.</summary>
public class ExitCodeTests
{
    private const string CanonicalError = @"\(\d+,\d+\): error SC\d{4}: ";

    private static string BrokenFile(string name = "broken.dist")
    {
        string path = Path.Combine(TempDirectory.Create(), name);
        File.WriteAllText(path, "distribution Broken(a) {\n    support real\n    cgf(t) = a*t +\n}\n");
        return path;
    }

    [Fact]
    public void Success_is_0()
    {
        Assert.Equal(0, CliHarness.Run("coefficients", "gamma", "--order", "2").ExitCode);
        Assert.Equal(0, CliHarness.Run("check", Path.Combine(AppContext.BaseDirectory, "distributions")).ExitCode);
    }

    [Fact]
    public void A_broken_declaration_is_1_with_a_canonical_diagnostic_on_stderr()
    {
        string path = BrokenFile();
        foreach (var args in new[] { new[] { "check", path }, ["coefficients", path, "--format", "json"] })
        {
            var result = CliHarness.Run(args);
            Assert.Equal(1, result.ExitCode);
            Assert.Matches(@"broken\.dist" + CanonicalError, result.Err);
            Assert.StartsWith(path + "(3,", result.Err);
            Assert.Equal("", result.Out);
        }
    }

    [Fact]
    public void A_missing_file_or_unknown_name_is_1_naming_it()
    {
        var file = CliHarness.Run("coefficients", "no/such/file.dist");
        Assert.Equal(1, file.ExitCode);
        Assert.Contains("no/such/file.dist", file.Err);
        var name = CliHarness.Run("coefficients", "nosuchdistribution");
        Assert.Equal(1, name.ExitCode);
        Assert.Contains("nosuchdistribution", name.Err);
        Assert.Contains("gamma", name.Err); // lists what is bundled
        var check = CliHarness.Run("check", "no-such-folder");
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("no-such-folder", check.Err);
    }

    [Fact]
    public void A_file_above_64_MiB_is_1_naming_the_limit()
    {
        string path = Path.Combine(TempDirectory.Create(), "huge.dist");
        using (var stream = File.Create(path)) stream.SetLength(65L << 20); // sparse: nothing is written
        var result = CliHarness.Run("check", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("huge.dist", result.Err);
        Assert.Contains("64 MiB", result.Err);
    }

    [Theory]
    [InlineData("coefficients", "gamma", "--bogus")]
    [InlineData("coefficients", "gamma", "--order", "x")]
    [InlineData("coefficients", "gamma", "--order", "0")]
    [InlineData("coefficients", "gamma", "--order", "1000")]
    [InlineData("coefficients", "gamma", "--order")]
    [InlineData("coefficients", "gamma", "--format", "xml")]
    [InlineData("coefficients", "gamma", "--at", "k=")]
    [InlineData("coefficients", "gamma", "--at", "k=1,mu")]
    [InlineData("coefficients", "gamma", "--at", "k=1")]
    [InlineData("coefficients", "gamma", "--at", "k=1,mu=2,x=3")]
    [InlineData("coefficients", "gamma", "--at", "k=-1,mu=2")]
    [InlineData("coefficients")]
    [InlineData("check")]
    [InlineData("check", "--order", "-1", ".")]
    [InlineData("nosuchcommand")]
    [InlineData("estimate", "gamma")] // not implemented yet: it must not pretend to exist
    public void A_wrong_command_line_is_2(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.StartsWith("seriesc: error: ", result.Err);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var result = CliHarness.Run("--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("check", result.Out);
        Assert.Contains("coefficients", result.Out);
        var sub = CliHarness.Run("coefficients", "--help");
        Assert.Equal(0, sub.ExitCode);
        Assert.Contains("--at", sub.Out);
        Assert.Contains("--format", sub.Out);
    }
}
