using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SeriesCompiler.Emit;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Build;

/// <summary>
/// The MSBuild face of <see cref="RuleGenerator"/> (the same pure core as <c>seriesc compile</c>): the
/// <see cref="Sources"/> declarations, with <see cref="Library"/> as further declarations their latents may name,
/// become C# files in <see cref="OutputDirectory"/>. Each diagnostic is logged with its file, line, column and
/// SC code, so IDEs and the console point at the declaration. With any error nothing is written.
/// The list of generated files is written to <see cref="ManifestFile"/>, which the targets use as the
/// incremental-build stamp and to add the files to <c>@(Compile)</c> on builds that skip generation.
/// </summary>
public sealed class GenerateRules : Microsoft.Build.Utilities.Task
{
    /// <summary>The .dist files to generate rules from.</summary>
    [Required]
    public ITaskItem[] Sources { get; set; } = [];

    /// <summary>Declarations that latents may name but that get no rule of their own (a declaration of <see cref="Sources"/> shadows one here).</summary>
    public ITaskItem[] Library { get; set; } = [];

    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>One line per generated file (full paths), rewritten on every run.</summary>
    [Required]
    public string ManifestFile { get; set; } = "";

    /// <summary>Truncation order N of the rules (1..64).</summary>
    public int Order { get; set; } = DerivationLimits.DefaultOrder;

    public string Namespace { get; set; } = RuleEmitter.DefaultNamespace;

    /// <summary>Generated files that no longer belong to any declaration and that SeriesCompiler wrote are deleted.</summary>
    public bool DeleteStaleFiles { get; set; } = true;

    /// <summary>Full paths of the files generated (changed or not).</summary>
    [Output]
    public ITaskItem[] GeneratedFiles { get; private set; } = [];

    // MSBuild runs with the user's culture (no invariant globalization there): the core's one pin keeps every number
    // in the generated code and in the messages free of "0,5" and U+2212.
    public override bool Execute() => InvariantCulture.Run(Run);

    private bool Run()
    {
        if (!IsNamespace(Namespace))
        {
            Log.LogError(null, DiagnosticCatalogue.InvalidBuildSetting.Id, null, null, 0, 0, 0, 0,
                "SeriesNamespace '{0}' is not a C# namespace: write dotted identifiers of ASCII letters, digits and '_'.", Namespace);
            return false;
        }
        if (Order is < 1 or > DerivationLimits.MaxOrder)
        {
            // A build property, not a declaration's order: SC2005 like the namespace above (SC1004 is for derivation).
            Log.LogError(null, DiagnosticCatalogue.InvalidBuildSetting.Id, null, null, 0, 0, 0, 0,
                "SeriesOrder {0} is outside 1..{1}: set the property SeriesOrder to a whole number in that range.", Order, DerivationLimits.MaxOrder);
            return false;
        }

        var primary = new List<SourceText>();
        foreach (var item in Sources)
            if (Read(item) is { } text) primary.Add(text);
        var primaryPaths = new HashSet<string>(primary.Select(p => p.Path), StringComparer.Ordinal);
        var library = new List<SourceText>();
        foreach (var item in Library)
            if (!primaryPaths.Contains(Full(item)) && Read(item) is { } text) library.Add(text);
        if (Log.HasLoggedErrors) return false;

        var result = RuleGenerator.Generate(Workspace.Create(primary, library), Order, Namespace);
        foreach (var d in result.Diagnostics)
        {
            if (d.IsError)
                Log.LogError(subcategory: null, errorCode: d.Id, helpKeyword: null, file: d.Path, lineNumber: d.Line, columnNumber: d.Column,
                    endLineNumber: 0, endColumnNumber: 0, message: d.Message + Help(d));
            else
                Log.LogWarning(subcategory: null, warningCode: d.Id, helpKeyword: null, file: d.Path, lineNumber: d.Line, columnNumber: d.Column,
                    endLineNumber: 0, endColumnNumber: 0, message: d.Message);
        }
        if (result.HasErrors) return false;

        string directory = Path.GetFullPath(OutputDirectory);
        try
        {
            RuleGenerator.WriteFiles(result.Files, directory);
            var written = result.Files.Select(f => Path.Combine(directory, f.FileName)).ToList();
            if (DeleteStaleFiles) DeleteStale(directory, written);
            WriteManifest(written);
            GeneratedFiles = written.Select(f => (ITaskItem)new TaskItem(f)).ToArray();
            Log.LogMessage(MessageImportance.Normal, "SeriesCompiler: {0} rule(s) from {1} declaration file(s), order {2}, into {3}",
                result.Rules.Length, primary.Count, Order, directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, DiagnosticCatalogue.OutputNotWritable.Id, null, OutputDirectory, 0, 0, 0, 0,
                "cannot write the generated files: {0} {1}", ex.Message, DiagnosticCatalogue.OutputNotWritable.Help);
            return false;
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>The item's full path as MSBuild computes it (relative to the project, whatever this process's directory).</summary>
    private static string Full(ITaskItem item) => item.GetMetadata("FullPath") is { Length: > 0 } full ? full : Path.GetFullPath(item.ItemSpec);

    private SourceText? Read(ITaskItem item)
    {
        string path = Full(item);
        try
        {
            return SourceText.FromFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, DiagnosticCatalogue.UnreadableDeclaration.Id, null, path, 0, 0, 0, 0, "cannot read the declaration file: {0} Check the @(SeriesDist) items of the project.", ex.Message);
            return null;
        }
    }

    /// <summary>The fix, from the diagnostics catalogue, after the message (as Grpc.Tools does).</summary>
    private static string Help(Diagnostic d) =>
        string.IsNullOrEmpty(d.Descriptor.Help) ? "" : (d.Message.EndsWith('.') ? " " : ". ") + d.Descriptor.Help;

    /// <summary>Deletes <c>*.g.cs</c> files in the folder that SeriesCompiler generated earlier but that no declaration produces now.</summary>
    private void DeleteStale(string directory, IReadOnlyCollection<string> written)
    {
        var keep = new HashSet<string>(written, StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*.g.cs"))
        {
            if (keep.Contains(file) || !IsOurs(file)) continue;
            File.Delete(file);
            Log.LogMessage(MessageImportance.Normal, "SeriesCompiler: deleted {0}, which no declaration generates any more", file);
        }
    }

    private static bool IsOurs(string file)
    {
        using var reader = new StreamReader(file);
        return reader.ReadLine() == "// <auto-generated/>"
            && reader.ReadLine() is { } second && second.StartsWith("// Generated by SeriesCompiler", StringComparison.Ordinal);
    }

    private void WriteManifest(IEnumerable<string> files)
    {
        var text = new StringBuilder();
        foreach (var f in files) text.Append(f).Append('\n');
        string manifest = Path.GetFullPath(ManifestFile);
        Directory.CreateDirectory(Path.GetDirectoryName(manifest)!);
        // Always rewritten: its time stamp tells MSBuild that the outputs are newer than the inputs.
        File.WriteAllText(manifest, text.ToString(), new UTF8Encoding(false));
    }

    internal static bool IsNamespace(string text) => Emit.CSharp.CSharpNames.IsNamespace(text);
}
