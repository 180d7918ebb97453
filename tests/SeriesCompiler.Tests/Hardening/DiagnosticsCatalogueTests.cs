using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Syntax;
using SeriesCompiler.Tests.Cli;
using SeriesCompiler.Tests.Emit;
using Xunit;
using Xunit.Abstractions;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// docs/diagnostics.md documents every id of <see cref="DiagnosticCatalogue.All"/>, and each documented example really
/// triggers its id. An example is the first fenced block of the id's section; a comment line before it says how to
/// run it when a declaration alone is not enough:
/// <list type="bullet">
/// <item>none: a ```dist block, parsed, bound, derived and emitted (RuleGenerator) at order 4;</item>
/// <item><c>&lt;!-- order: N --&gt;</c>: the same at order N;</item>
/// <item><c>&lt;!-- expression --&gt;</c>: the block is a lone expression (Parser.ParseExpression, as for <c>--f</c>);</item>
/// <item><c>&lt;!-- csharp --&gt;</c>: a ```csharp block given to InMemoryCompiler;</item>
/// <item><c>&lt;!-- command: compile --out OCCUPIED --&gt;</c>: <c>seriesc compile</c> of the declaration into a folder path
/// that is taken by a file;</item>
/// <item><c>&lt;!-- msbuild --&gt;</c>: an ```xml fragment added to a project that imports the SeriesCompiler.Build targets,
/// whose target SeriesCompilerGenerate is run with <c>dotnet msbuild</c> (a test of its own: a few seconds).</item>
/// </list>
/// </summary>
public sealed class DiagnosticsCatalogueTests(ITestOutputHelper output)
{
    public sealed record Section(string Id, string Title, string Body, string? Directive, string? Language, string? Example);

    private static readonly Lazy<string> DocumentPath = new(() => Path.Combine(Repository.Root, "docs", "diagnostics.md"));

    private static readonly Lazy<IReadOnlyList<Section>> Sections = new(() => Parse(File.ReadAllText(DocumentPath.Value)));

    /// <summary>The catalogue, complete (its descriptors register when its static initialiser runs; see FuzzRegressionTests).</summary>
    private static IReadOnlyList<DiagnosticDescriptor> Catalogue
    {
        get
        {
            RuntimeHelpers.RunClassConstructor(typeof(DiagnosticCatalogue).TypeHandle);
            return DiagnosticCatalogue.All;
        }
    }

    public static IReadOnlyList<Section> Parse(string markdown)
    {
        var result = new List<Section>();
        var headings = Regex.Matches(markdown, @"^## (SC\d{4})\b[:\s—-]*(.*)$", RegexOptions.Multiline);
        for (int k = 0; k < headings.Count; k++)
        {
            int start = headings[k].Index + headings[k].Length;
            int end = k + 1 < headings.Count ? headings[k + 1].Index : NextTopLevelHeading(markdown, start);
            string body = markdown[start..end];
            var block = Regex.Match(body, @"^```(\w+)[ \t]*\r?\n(.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline);
            string? directive = null;
            if (block.Success)
            {
                var before = body[..block.Index];
                var comments = Regex.Matches(before, @"<!--\s*(.*?)\s*-->");
                if (comments.Count > 0) directive = comments[^1].Groups[1].Value;
            }
            result.Add(new Section(headings[k].Groups[1].Value, headings[k].Groups[2].Value.Trim(), body, directive,
                block.Success ? block.Groups[1].Value : null, block.Success ? block.Groups[2].Value : null));
        }
        return result;
    }

    private static int NextTopLevelHeading(string markdown, int start)
    {
        var next = Regex.Match(markdown[start..], @"^#{1,2} (?!SC\d{4})", RegexOptions.Multiline);
        return next.Success ? start + next.Index : markdown.Length;
    }

    [Fact]
    public void Every_catalogue_id_is_documented_once_and_nothing_else_is()
    {
        var documented = Sections.Value.Select(s => s.Id).ToList();
        var catalogue = Catalogue.Select(d => d.Id).ToList();
        Assert.NotEmpty(catalogue);
        Assert.Empty(catalogue.Except(documented));                   // undocumented ids
        Assert.Empty(documented.Except(catalogue));                   // unknown (or retired) ids
        Assert.Empty(documented.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key));
        // No other id is mentioned anywhere in the text either.
        var mentioned = Regex.Matches(File.ReadAllText(DocumentPath.Value), @"\bSC\d{4}\b").Select(m => m.Value).Distinct();
        Assert.Empty(mentioned.Except(catalogue));
    }

    [Fact]
    public void Every_section_has_the_catalogue_title_a_meaning_an_example_and_a_fix()
    {
        var titles = Catalogue.ToDictionary(d => d.Id, d => d.Title);
        foreach (var section in Sections.Value)
        {
            Assert.True(titles.TryGetValue(section.Id, out var title), section.Id);
            Assert.True(section.Title.Contains(title, StringComparison.Ordinal), $"{section.Id}: heading '{section.Title}' does not name the catalogue title '{title}'");
            Assert.Contains("**Meaning.**", section.Body);
            Assert.Contains("**Fix.**", section.Body);
            Assert.True(section.Example is not null, $"{section.Id} has no example block");
        }
    }

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var d in Catalogue) data.Add(d.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_example_triggers_its_id(string id)
    {
        var section = Sections.Value.SingleOrDefault(s => s.Id == id);
        Assert.True(section is not null, $"{id} is not documented in docs/diagnostics.md");
        Assert.True(section.Example is not null, $"{id} has no example");
        string directive = section.Directive ?? "";
        if (directive.StartsWith("msbuild", StringComparison.Ordinal)) return; // The_msbuild_examples_trigger_their_ids

        var reported = directive switch
        {
            "expression" => Expression(section.Example),
            "csharp" => CSharp(section.Example),
            _ when directive.StartsWith("command:", StringComparison.Ordinal) => Command(directive, section.Example),
            _ when directive.StartsWith("order:", StringComparison.Ordinal) => Declaration(section.Example, int.Parse(directive["order:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)),
            "" => Declaration(section.Example, 4),
            _ => throw new InvalidOperationException($"{id}: unknown directive '{directive}'"),
        };
        output.WriteLine(reported);
        Assert.Matches(new Regex(@"\b" + id + @":"), reported);
    }

    /// <summary>Every diagnostic of parsing, binding, deriving and emitting, one per line in the canonical form.</summary>
    private static string Declaration(string text, int order)
    {
        var workspace = Workspace.Create([new SourceText("example.dist", text)], EmitFixture.BundledSources());
        var all = new List<Diagnostic>(workspace.Diagnostics);
        foreach (var d in workspace.Distributions.Where(workspace.IsValid))
            all.AddRange(workspace.Derive(d, order).Diagnostics);
        all.AddRange(RuleGenerator.Generate(workspace, order).Diagnostics);
        foreach (var d in all)
            Assert.True(d.Path == "example.dist" && d.Line >= 1 && d.Column >= 1, $"unpositioned: {d}");
        return string.Join("\n", all.Distinct());
    }

    private static string Expression(string text)
    {
        var bag = new DiagnosticBag(new SourceText("expression", text.TrimEnd('\n', '\r')));
        Parser.ParseExpression(bag.Source, bag);
        return string.Join("\n", bag.Items);
    }

    private static string CSharp(string code)
    {
        var compiled = InMemoryCompiler.Compile([("Broken.g.cs", code)], []);
        Assert.False(compiled.Success);
        return string.Join("\n", compiled.Errors);
    }

    /// <summary><c>command: compile --out OCCUPIED</c>: the output folder's path is a file, so nothing can be written there.</summary>
    private static string Command(string directive, string text)
    {
        var words = directive["command:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["compile", "--out", "OCCUPIED"], words);
        string dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "example.dist"), text);
        File.WriteAllText(Path.Combine(dir, "OCCUPIED"), "a file where the output folder should be");
        var result = CliHarness.RunIn(dir, "compile", "example.dist", "--out", "OCCUPIED");
        Assert.Equal(1, result.ExitCode);
        return result.Err;
    }

    [Fact]
    public void The_msbuild_examples_trigger_their_ids()
    {
        var sections = Sections.Value.Where(s => s.Directive?.StartsWith("msbuild", StringComparison.Ordinal) == true).ToList();
        Assert.True(File.Exists(Repository.TaskAssembly), $"build src/Build first: {Repository.TaskAssembly} is missing");
        foreach (var section in sections)
        {
            Assert.Equal("xml", section.Language);
            var (exitCode, log) = MsBuild(section.Example!);
            output.WriteLine($"{section.Id}: exit code {exitCode}\n{(log.Length > 3000 ? log[^3000..] : log)}");
            Assert.NotEqual(0, exitCode);
            Assert.Matches(new Regex(@"error " + section.Id + @":"), log);
        }
    }

    /// <summary>A project that imports the SeriesCompiler.Build props and targets with this build's task, plus the fragment.</summary>
    internal static (int ExitCode, string Log) MsBuild(string fragment)
    {
        string dir = TempDirectory.Create();
        Directory.CreateDirectory(Path.Combine(dir, "distributions"));
        File.WriteAllText(Path.Combine(dir, "distributions", "shift.dist"), "distribution Shift(a) {\n    support real\n    cgf(t) = a*t\n}\n");
        File.WriteAllText(Path.Combine(dir, "Example.proj"), $"""
            <Project>
              <Import Project="{Repository.Root}/src/Build/build/SeriesCompiler.Build.props" />
              <PropertyGroup>
                <IntermediateOutputPath>obj/</IntermediateOutputPath>
                <SeriesCompilerTaskAssembly>{Repository.TaskAssembly}</SeriesCompilerTaskAssembly>
                <SeriesGeneratedDir>generated/</SeriesGeneratedDir>
              </PropertyGroup>
            {fragment}
              <Import Project="{Repository.Root}/src/Build/build/SeriesCompiler.Build.targets" />
            </Project>
            """);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "msbuild", "Example.proj", "-t:SeriesCompilerGenerate", "-nologo", "-v:m", "-nodeReuse:false" },
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet msbuild took more than 3 minutes:\n" + text);
        }
        process.WaitForExit();
        lock (text) return (process.ExitCode, text.ToString());
    }
}
