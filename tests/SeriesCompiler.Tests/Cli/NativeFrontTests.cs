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
    [InlineData("estimate", "gamma", "--at", "k=2,mu=1", "--f", "z^2")]
    [InlineData("estimate", "gamma", "--at", "k=2.5,mu=0.7", "--dims", "100", "--f", "(z - 0.49)^2", "--estimator", "all", "--format", "json")]
    // Served until the rule is loaded: without a build-time class (here another order) it is handed on then (NativeEstimate.cs).
    [InlineData("estimate", "gamma", "--at", "k=2,mu=1", "--f", "z^2", "--order", "2")]
    public void Serves_check_coefficients_estimate_and_the_overview(params string[] args) => Assert.True(NativeFront.Serves(args));

    [Theory]
    [InlineData("compile", "distributions")]
    [InlineData("estimate", "--help")]
    [InlineData("estimate", "gamma", "-h")]
    [InlineData("estimate", "gamma", "--at", "k=2,mu=1", "--f", "z^2", "-?")]
    [InlineData("estimate", "@args.rsp")]
    [InlineData("Estimate", "gamma", "--at", "k=2,mu=1", "--f", "z^2")]
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
    /// The AVX-512 twin is chosen only where x86-64-v4 code can run: the front's own CPUID and kernel check must agree
    /// with the runtime's detection (which reads XCR0 itself), unless a DOTNET_ variable has switched the runtime's off.
    /// </summary>
    [Fact]
    public void The_twin_check_agrees_with_the_runtimes_detection()
    {
        bool runtime = System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported
            && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported && System.Runtime.Intrinsics.X86.Avx512CD.IsSupported
            && System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported;
        bool overridden = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Any(k => k.StartsWith("DOTNET_EnableAVX", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_EnableHWIntrinsic", StringComparison.OrdinalIgnoreCase));
        if (!overridden) Assert.Equal(runtime, Avx512Twin.Supported());
        // Here (JIT-compiled) the wide code is in this process already, so nothing is handed to a twin; nor is any
        // command but estimate, anywhere.
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Assert.Null(Avx512Twin.For(["estimate", "gamma"]));
        Assert.Null(Avx512Twin.For(["check", "distributions"]));
        Assert.Null(Avx512Twin.For([]));
    }

    /// <summary>
    /// The front compiles check, coefficients and estimate from the same sources, less what needs the C# compiler, and
    /// refuses only --generated (estimate hands on, once it knows, a declaration without a build-time class). A new option
    /// on any of them must be looked at here: if it needs src/Emit, NativeFront.Serves has to hand it on too.
    /// </summary>
    [Theory]
    [InlineData("check", "--order")]
    [InlineData("coefficients", "--order --at --format --generated")]
    [InlineData("estimate", "--at --f --estimator --order --samples --seed --derivatives --dims --threads --no-shortcut --force --format --wide")]
    public void The_commands_options_are_the_ones_the_routing_knows(string command, string options)
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TempDirectory.Create(), AppContext.BaseDirectory);
        var made = CliApp.CreateRootCommand(context).Subcommands.Single(c => c.Name == command);
        var names = made.Options.Where(o => o.Name != "--help" && o.Name != "-?" && !o.Aliases.Contains("-h")).Select(o => o.Name);
        Assert.Equal(options.Split(' '), names);
    }
}
