using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>
/// The bundled declarations: the <c>*.dist</c> files of <c>./distributions/</c> in the current directory, then those
/// copied next to the executable (<c>distributions/</c>). A file of the current directory shadows the bundled file
/// of the same name, so a project checkout sees its own edits (the lookup is the runtime's <see cref="DeclarationLibrary"/>,
/// the one <c>Rules.Load</c> uses). Each file is read at most once.
/// </summary>
public sealed class DistributionLibrary
{
    public const string FolderName = DeclarationLibrary.FolderName;

    private readonly Dictionary<string, SourceText> _texts = new(StringComparer.Ordinal);

    private DistributionLibrary(IReadOnlyList<string> files) => Files = files;

    /// <summary>Full paths of the library files, one per file name (case-insensitive), sorted by name.</summary>
    public IReadOnlyList<string> Files { get; }

    public static DistributionLibrary Load(CliContext context) =>
        new(DeclarationLibrary.Files(DeclarationLibrary.Folders(context.CurrentDirectory, context.ToolDirectory)));

    /// <summary>The library file named <paramref name="stem"/> (case-insensitive, without <c>.dist</c>), if any.</summary>
    public string? FindFile(string stem) => DeclarationLibrary.Find(Files, stem);

    public SourceText Read(string fullPath)
    {
        if (!_texts.TryGetValue(fullPath, out var text))
            _texts[fullPath] = text = SourceFiles.Read(fullPath, fullPath);
        return text;
    }

    /// <summary>The library as the workspace's <c>library</c> argument, less the files that are primary already.</summary>
    public IEnumerable<SourceText> SourcesExcept(IEnumerable<string> primaryFullPaths)
    {
        var skip = new HashSet<string>(primaryFullPaths, StringComparer.Ordinal);
        return Files.Where(f => !skip.Contains(f)).Select(Read);
    }
}

public static class SourceFiles
{
    /// <summary>Reads a declaration file; the diagnostics name it by <paramref name="displayPath"/> (the path as the user wrote it).</summary>
    public static SourceText Read(string path, string displayPath)
    {
        try
        {
            return SourceText.FromFile(path, displayPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Input($"cannot read '{displayPath}': {ex.Message}");
        }
    }
}
