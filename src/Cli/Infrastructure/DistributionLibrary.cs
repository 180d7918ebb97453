using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>
/// The bundled declarations: the <c>*.dist</c> files of <c>./distributions/</c> in the current directory, then those
/// copied next to the executable (<c>distributions/</c>). A file of the current directory shadows the bundled file
/// of the same name, so a project checkout sees its own edits. Each file is read at most once.
/// </summary>
public sealed class DistributionLibrary
{
    public const string FolderName = "distributions";

    private readonly Dictionary<string, SourceText> _texts = new(StringComparer.Ordinal);

    private DistributionLibrary(IReadOnlyList<string> files) => Files = files;

    /// <summary>Full paths of the library files, one per file name (case-insensitive), sorted by name.</summary>
    public IReadOnlyList<string> Files { get; }

    public static DistributionLibrary Load(CliContext context)
    {
        var byStem = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var folder in new[] { Path.Combine(context.CurrentDirectory, FolderName), Path.Combine(context.ToolDirectory, FolderName) })
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*.dist"))
                byStem.TryAdd(Path.GetFileNameWithoutExtension(file), Path.GetFullPath(file));
        }
        return new DistributionLibrary(byStem.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => kv.Value).ToList());
    }

    /// <summary>The library file named <paramref name="stem"/> (case-insensitive, without <c>.dist</c>), if any.</summary>
    public string? FindFile(string stem) =>
        Files.FirstOrDefault(f => string.Equals(Path.GetFileNameWithoutExtension(f), stem, StringComparison.OrdinalIgnoreCase));

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
