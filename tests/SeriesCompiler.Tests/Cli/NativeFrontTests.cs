using SeriesCompiler.Cli;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Native;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// The native front's routing (src/Cli.Native, issue 17): what it answers itself and what it hands to the managed
/// seriesc. Its output against the managed one, byte for byte, is checked on the packed tool by
/// tests/consumer/native-front.sh.
/// </summary>
public class NativeFrontTests
{
    [Theory]
    [InlineData()]
    [InlineData("check", "distributions")]
    [InlineData("check", "a.dist", "b.dist", "--order", "16")]
    [InlineData("check", "--help")]
    [InlineData("coefficients", "gamma", "--order", "8")]
    [InlineData("coefficients", "gamma", "--at", "k=2.5,mu=0.7", "--format", "json")]
    [InlineData("coefficients", "--order", "0")]
    public void Serves_check_coefficients_and_the_overview(params string[] args) => Assert.True(NativeFront.Serves(args));

    [Theory]
    [InlineData("estimate", "gamma", "--at", "k=2,mu=1", "--f", "z^2")]
    [InlineData("compile", "distributions")]
    [InlineData("experiment", "--list")]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("-h")]
    [InlineData("Check", "distributions")]
    [InlineData("bogus")]
    [InlineData("[suggest:15]", "coefficients ga")]
    [InlineData("coefficients", "gamma", "--at", "k=2,mu=1", "--generated")]
    [InlineData("coefficients", "gamma", "--at", "k=2,mu=1", "--generated:true")]
    [InlineData("coefficients", "@more.rsp")]
    [InlineData("check", "[diagram]")]
    public void Hands_on_everything_else(params string[] args) => Assert.False(NativeFront.Serves(args));

    /// <summary>
    /// The front compiles check and coefficients from the same sources, less what needs the C# compiler, and refuses
    /// only --generated. A new option on either command must be looked at here: if it needs src/Emit, NativeFront.Serves
    /// has to hand it on too.
    /// </summary>
    [Theory]
    [InlineData("check", "--order")]
    [InlineData("coefficients", "--order --at --format --generated")]
    public void The_commands_options_are_the_ones_the_routing_knows(string command, string options)
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TempDirectory.Create(), AppContext.BaseDirectory);
        var made = CliApp.CreateRootCommand(context).Subcommands.Single(c => c.Name == command);
        var names = made.Options.Where(o => o.Name != "--help" && o.Name != "-?" && !o.Aliases.Contains("-h")).Select(o => o.Name);
        Assert.Equal(options.Split(' '), names);
    }
}
