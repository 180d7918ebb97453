using System.Text;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Tests.Emit;
using Xunit;

namespace SeriesCompiler.Tests.Golden;

/// <summary>
/// Golden pairs of diagnostics, as Scriban and Roslyn keep them: each <c>Golden/NAME.dist</c> is compiled at order 4
/// (parse, bind, derive, emit; the bundled declarations as the library its latents may name) and every diagnostic,
/// rendered in the catalogue's form <c>FILE(LINE,COL): error SCnnnn: message</c>, one a line, must equal
/// <c>Golden/NAME.expected</c>. The expected files are written by hand from the language contract
/// (docs/language.md, "What a declaration that is wrong gets") and docs/diagnostics.md, never accepted from output:
/// a change of wording or position is a change of contract, made in the .expected file on purpose.
/// </summary>
public sealed class GoldenDiagnosticsTests
{
    private const int Order = 4;

    private static string Folder => Path.Combine(Repository.Root, "tests", "SeriesCompiler.Tests", "Golden");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.dist").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Fact]
    public void Every_input_has_an_expected_file_and_the_other_way_round()
    {
        var inputs = Directory.EnumerateFiles(Folder, "*.dist").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray();
        var expected = Directory.EnumerateFiles(Folder, "*.expected").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(inputs, expected);
        Assert.True(inputs.Length >= 10, $"only {inputs.Length} golden cases found in {Folder}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Diagnostics_match_the_expected_file(string name)
    {
        string input = File.ReadAllText(Path.Combine(Folder, name + ".dist"));
        string expected = Normalise(File.ReadAllText(Path.Combine(Folder, name + ".expected")));
        string actual = Render(name + ".dist", input);
        if (expected != actual)
            Assert.Fail($"{name}: the diagnostics differ from {name}.expected (- expected, + now). Fix the compiler, or, if the new "
                        + "text is what the contract wants, edit the .expected file by hand.\n" + Snapshot.Diff(expected, actual));
    }

    [Fact]
    public void A_golden_file_is_an_error_case_with_positions()
    {
        // Every case is a wrong declaration (the pairs test what a user sees when something is wrong), and every
        // expected line names the file, a line and a column, as the contract requires.
        foreach (var file in Directory.EnumerateFiles(Folder, "*.expected"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            var lines = Normalise(File.ReadAllText(file)).Split('\n');
            Assert.NotEmpty(lines);
            foreach (var line in lines)
                Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(name)}\.dist\(\d+,\d+\): (error|warning) SC\d{{4}}: \S", line);
        }
    }

    /// <summary>All diagnostics of compiling the text, in the order reported, one a line.</summary>
    private static string Render(string path, string text)
    {
        var workspace = Workspace.Create([new SourceText(path, text)], EmitFixture.BundledSources());
        var result = RuleGenerator.Generate(workspace, Order);
        var sb = new StringBuilder();
        foreach (var d in result.Diagnostics.Distinct())
            sb.Append(d.ToString()).Append('\n');
        return Normalise(sb.ToString());
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
}
