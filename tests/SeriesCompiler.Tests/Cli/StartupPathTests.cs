using System.CommandLine;
using SeriesCompiler.Cli;
using SeriesCompiler.Cli.Infrastructure;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// Issue 17 (start-up): a run whose first word names a command builds only that command. These tests check that the
/// user sees the same thing as with every command built: each command's help, and the root's help and suggestions.
/// </summary>
public class StartupPathTests
{
    [Theory]
    [InlineData("check")]
    [InlineData("coefficients")]
    [InlineData("compile")]
    [InlineData("estimate")]
    [InlineData("experiment")]
    public void A_commands_help_is_the_same_as_with_every_command_built(string command)
    {
        var quick = CliHarness.Run(command, "--help");

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, TempDirectory.Create(), AppContext.BaseDirectory);
        var full = CliApp.CreateRootCommand(context);
        Assert.Equal(5, full.Subcommands.Count);
        int code = full.Parse([command, "--help"]).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });

        Assert.Equal(0, quick.ExitCode);
        Assert.Equal(code, quick.ExitCode);
        Assert.Contains("Usage:", quick.Out);
        Assert.Contains($" {command} ", quick.Out);
        Assert.Equal(stdout.ToString(), quick.Out);
    }

    [Fact]
    public void Root_help_still_lists_every_command()
    {
        var result = CliHarness.Run("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "check", "coefficients", "compile", "estimate", "experiment" })
            Assert.Contains(command, result.Out);
    }

    [Fact]
    public void An_option_of_another_command_is_refused_under_the_one_named()
    {
        // --samples belongs to estimate: under coefficients it is an unknown token, as it was with every command built.
        var result = CliHarness.Run("coefficients", "gamma", "--samples", "10");
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("--samples", result.Err);
        Assert.Contains("Run 'seriesc coefficients --help' for usage.", result.Err);
    }
}
