using System.Diagnostics;
using System.Text;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// The MSBuild integration end to end: a small project that imports src/Build/build/ (as the package does) with the
/// task from this build's src/Build output. The first build generates and compiles its rule, a second build skips
/// the generation target, a deleted generated file or an edited declaration brings it back, and an error in a
/// declaration is an MSBuild error at its file, line and column. Runs `dotnet build` several times (about half a
/// minute): excluded from quick runs with <c>--filter Category!=Slow</c>, always run in CI.
/// </summary>
[Trait("Category", "Slow")]
public class BuildIntegrationTests(ITestOutputHelper output)
{
    private const string SkipMessage = "Skipping target \"_SeriesCompiler_Generate\" because all output files are up-to-date";

    private static string Project(string taskAssembly) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <Import Project="{Repository.Root}/src/Build/build/SeriesCompiler.Build.props" />
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <SeriesCompilerTaskAssembly>{taskAssembly}</SeriesCompilerTaskAssembly>
            <SeriesGeneratedDir>generated/</SeriesGeneratedDir>
            <SeriesNamespace>Sample.Rules</SeriesNamespace>
            <SeriesOrder>4</SeriesOrder>
          </PropertyGroup>
          <ItemGroup>
            <Reference Include="SeriesCompiler.Runtime" HintPath="{AppContext.BaseDirectory}SeriesCompiler.Runtime.dll" />
            <SeriesDistLibrary Include="{AppContext.BaseDirectory}distributions/*.dist" />
          </ItemGroup>
          <Import Project="{Repository.Root}/src/Build/build/SeriesCompiler.Build.targets" />
        </Project>
        """;

    private const string Declaration = """
        # The sum of two gammas, built from the bundled library.
        distribution GammaSum(a > 0, b > 0) {
            support positive
            latent z1 ~ Gamma(a, 1)
            latent z2 ~ Gamma(b, 1)
            value = z1 + z2
        }
        """;

    private const string Shift = "distribution Shift(a) {\n    support real\n    cgf(t) = a*t\n}\n";

    [Fact]
    public void A_second_build_skips_generation_and_deleted_or_edited_inputs_regenerate()
    {
        Assert.True(File.Exists(Repository.TaskAssembly), $"build src/Build first: {Repository.TaskAssembly} is missing");
        string dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "Sample.csproj"), Project(Repository.TaskAssembly));
        Directory.CreateDirectory(Path.Combine(dir, "distributions"));
        File.WriteAllText(Path.Combine(dir, "distributions", "gammasum.dist"), Declaration);
        File.WriteAllText(Path.Combine(dir, "distributions", "shift.dist"), Shift);
        File.WriteAllText(Path.Combine(dir, "Use.cs"), "namespace Sample; public static class Use { public static string Name => Sample.Rules.ShiftRule.Instance.Name; }\n");

        var first = Build(dir);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("SeriesCompiler: 2 rule(s) from 2 declaration file(s), order 4", first.Output);
        string generated = Path.Combine(dir, "generated");
        Assert.Equal(["GammaSumRule.g.cs", "RuleRegistry.g.cs", "ShiftRule.g.cs", "Stencils.g.cs"],
            Directory.GetFiles(generated).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var shiftBytes = File.ReadAllBytes(Path.Combine(generated, "ShiftRule.g.cs"));

        // The task ran under LANG=fi_FI.UTF-8 (MSBuild has the machine's cultures) and wrote what the core writes here.
        var sources = Directory.GetFiles(Path.Combine(dir, "distributions"), "*.dist").Order(StringComparer.Ordinal).Select(f => SourceText.FromFile(f));
        var expected = RuleGenerator.Generate(Workspace.Create(sources, EmitFixture.BundledSources()), 4, "Sample.Rules");
        Assert.False(expected.HasErrors);
        foreach (var file in expected.Files)
            Assert.True(file.Content == File.ReadAllText(Path.Combine(generated, file.FileName)), $"{file.FileName} differs from the core's output");

        var second = Build(dir);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains(SkipMessage, second.Output);
        Assert.DoesNotContain("SeriesCompiler: 2 rule(s)", second.Output);

        File.Delete(Path.Combine(generated, "ShiftRule.g.cs"));
        var third = Build(dir);
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.DoesNotContain(SkipMessage, third.Output);
        Assert.Equal(shiftBytes, File.ReadAllBytes(Path.Combine(generated, "ShiftRule.g.cs")));

        File.WriteAllText(Path.Combine(dir, "distributions", "shift.dist"), Shift.Replace("a*t", "a*t + t^2/2"));
        var fourth = Build(dir);
        Assert.True(fourth.ExitCode == 0, fourth.Output);
        Assert.Contains("SeriesCompiler: 2 rule(s)", fourth.Output);
        Assert.NotEqual(shiftBytes, File.ReadAllBytes(Path.Combine(generated, "ShiftRule.g.cs")));

        File.WriteAllText(Path.Combine(dir, "distributions", "broken.dist"), "distribution Broken(p > 0) {\n    support positive\n    cgf(t) = p*nosuch(t)\n}\n");
        var broken = Build(dir);
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Matches(@"broken\.dist\(3,16\): error SC0102: unknown function 'nosuch'", broken.Output);
    }

    private (int ExitCode, string Output) Build(string dir)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "build", "-nologo", "-v:n", "-nodeReuse:false", "-p:UseSharedCompilation=false" },
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // No lingering build servers or nodes that would hold the test's pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // A culture with a decimal comma and U+2212 as its minus sign (MSBuild has no Finnish messages to confuse the checks).
        start.Environment["LANG"] = "fi_FI.UTF-8";
        start.Environment["LC_ALL"] = "fi_FI.UTF-8";
        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(240_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet build took more than 4 minutes:\n" + text);
        }
        process.WaitForExit();
        string log;
        lock (text) log = text.ToString();
        output.WriteLine(log.Length > 4000 ? log[^4000..] : log);
        return (process.ExitCode, log);
    }
}
