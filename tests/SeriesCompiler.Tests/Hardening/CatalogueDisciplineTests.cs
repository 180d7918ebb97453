using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Tests.Emit;
using Xunit;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Every diagnostic id is created through <see cref="DiagnosticCatalogue"/>: no C# file under src/ outside the
/// catalogue's own files writes an id (<c>"SC2001"</c>, <c>$"error SC2001: ..."</c>) in code, and every descriptor
/// of the catalogue is used by its field somewhere (or, for the MSBuild targets, which cannot call C#, by its id).
/// Comments may cite ids.
/// </summary>
public sealed partial class CatalogueDisciplineTests
{
    private static string Src => Path.Combine(Repository.Root, "src");

    private static bool IsCatalogueFile(string path) =>
        Path.GetFileName(path).StartsWith("DiagnosticCatalogue", StringComparison.Ordinal)
        && Path.GetFileName(Path.GetDirectoryName(path)) == "Diagnostics";

    private static IEnumerable<string> SourceFiles(string pattern) =>
        Directory.EnumerateFiles(Src, pattern, SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    [GeneratedRegex(@"SC\d{4}")]
    private static partial Regex IdPattern();

    /// <summary>The code of a line, without a trailing <c>//</c> comment (one outside string literals) or a whole comment line.</summary>
    public static string CodeOf(string line)
    {
        string trimmed = line.TrimStart();
        if (trimmed.StartsWith("//", StringComparison.Ordinal) || trimmed.StartsWith("*", StringComparison.Ordinal)) return "";
        bool inString = false;
        for (int i = 0; i + 1 < line.Length; i++)
        {
            if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) inString = !inString;
            else if (!inString && line[i] == '/' && line[i + 1] == '/') return line[..i];
        }
        return line;
    }

    /// <summary>The places (file:line: text) where code outside the catalogue writes an id literally.</summary>
    public static IReadOnlyList<string> LiteralIds(string path, IEnumerable<string> lines)
    {
        var found = new List<string>();
        int number = 0;
        foreach (var line in lines)
        {
            number++;
            if (IdPattern().IsMatch(CodeOf(line))) found.Add($"{path}:{number}: {line.Trim()}");
        }
        return found;
    }

    [Fact]
    public void The_scan_finds_an_id_in_code_and_not_in_comments()
    {
        // The scanner itself, on lines like those it replaced: it must be able to fail.
        Assert.Single(LiteralIds("a.cs", ["    internal const string InvalidSetting = \"SC2005\";"]));
        Assert.Single(LiteralIds("a.cs", ["    .Select(d => $\"{d.Path}: error SC2001: generated code does not compile\")"]));
        Assert.Single(LiteralIds("a.cs", ["    Log.LogError(null, \"SC2006\", null, path); // read failed"]));
        Assert.Empty(LiteralIds("a.cs", ["    int names = 0; // a name refused (SC0107) must not count"]));
        Assert.Empty(LiteralIds("a.cs", ["/// <summary>Longest name (SC0020).</summary>"]));
        Assert.Empty(LiteralIds("a.cs", ["    string url = \"http://example.org\"; // see SC0001"]));
    }

    [Fact]
    public void No_source_file_outside_the_catalogue_writes_a_diagnostic_id()
    {
        var offenders = new List<string>();
        foreach (var file in SourceFiles("*.cs").Where(f => !IsCatalogueFile(f)))
            offenders.AddRange(LiteralIds(Path.GetRelativePath(Repository.Root, file), File.ReadLines(file)));
        Assert.True(offenders.Count == 0,
            "diagnostic ids must come from DiagnosticCatalogue (DiagnosticCatalogue.X.Id), not literals:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_catalogue_files_define_each_id_once_through_Define()
    {
        var ids = new List<string>();
        foreach (var file in SourceFiles("*.cs").Where(IsCatalogueFile))
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"""(SC\d{4})"""))
                ids.Add(m.Groups[1].Value);
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(Catalogue().Select(d => d.Id).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_descriptor_is_used_through_the_catalogue()
    {
        string code = string.Join("\n", SourceFiles("*.cs").Where(f => !IsCatalogueFile(f)).Select(File.ReadAllText));
        // MSBuild targets cannot reach the catalogue: there an id is the only way, and it must be a catalogue id.
        var buildFiles = SourceFiles("*.targets").Concat(SourceFiles("*.props")).ToList();
        var buildIds = buildFiles.SelectMany(f => IdPattern().Matches(File.ReadAllText(f)).Select(m => m.Value)).ToHashSet();
        var known = Catalogue().Select(d => d.Id).ToHashSet();
        Assert.True(buildIds.IsSubsetOf(known), "ids in MSBuild files that the catalogue lacks: " + string.Join(", ", buildIds.Except(known)));

        var unused = new List<string>();
        foreach (var field in typeof(DiagnosticCatalogue).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(DiagnosticDescriptor)))
        {
            var descriptor = (DiagnosticDescriptor)field.GetValue(null)!;
            bool used = Regex.IsMatch(code, $@"\bDiagnosticCatalogue\.{field.Name}\b|\bCatalogue\.{field.Name}\b") || buildIds.Contains(descriptor.Id);
            if (!used) unused.Add($"{descriptor.Id} {field.Name}");
        }
        Assert.True(unused.Count == 0, "catalogue entries that no code reports through the catalogue: " + string.Join(", ", unused));
    }

    [Fact]
    public void An_out_of_range_SeriesOrder_is_a_build_setting_error_SC2005()
    {
        // A build property, not a derivation: it is reported with the namespace's SC2005, not SC1004 (as it once was).
        var (exitCode, log) = DiagnosticsCatalogueTests.MsBuild("<PropertyGroup><SeriesOrder>65</SeriesOrder></PropertyGroup>");
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"error {DiagnosticCatalogue.InvalidBuildSetting.Id}: SeriesOrder 65 is outside 1..64", log);
        Assert.DoesNotContain(DiagnosticCatalogue.OrderOutOfRange.Id, log);
    }

    private static IReadOnlyList<DiagnosticDescriptor> Catalogue()
    {
        RuntimeHelpers.RunClassConstructor(typeof(DiagnosticCatalogue).TypeHandle);
        return DiagnosticCatalogue.All;
    }
}
