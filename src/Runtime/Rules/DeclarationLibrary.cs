namespace SeriesCompiler.Runtime.Rules;

/// <summary>
/// Where the bundled declarations are found: the <c>*.dist</c> files of a list of folders (<c>./distributions/</c> of the
/// current directory, then <c>distributions/</c> next to the application), one file per name, case-insensitive, the
/// first folder's file shadowing a later one of the same name (so a checkout sees its own edits). The one lookup behind
/// the command line and <c>Rules.Load</c>.
/// </summary>
public static class DeclarationLibrary
{
    public const string FolderName = "distributions";

    /// <summary>The library folders for a current directory and an application directory, in lookup order.</summary>
    public static IReadOnlyList<string> Folders(string currentDirectory, string applicationDirectory) =>
        [Path.Combine(currentDirectory, FolderName), Path.Combine(applicationDirectory, FolderName)];

    /// <summary>Full paths of the library files, one per file name (case-insensitive), sorted by name.</summary>
    public static IReadOnlyList<string> Files(IEnumerable<string> folders)
    {
        var byStem = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder)) continue;
            // In ordinal order, so that which of two names differing only in case wins does not depend on the file system.
            foreach (var file in Directory.EnumerateFiles(folder, "*.dist").Order(StringComparer.Ordinal))
                byStem.TryAdd(Path.GetFileNameWithoutExtension(file), Path.GetFullPath(file));
        }
        return [.. byStem.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => kv.Value)];
    }

    /// <summary>The file of <paramref name="files"/> named <paramref name="stem"/> (case-insensitive, without <c>.dist</c>), if any.</summary>
    public static string? Find(IReadOnlyList<string> files, string stem) =>
        files.FirstOrDefault(f => string.Equals(Path.GetFileNameWithoutExtension(f), stem, StringComparison.OrdinalIgnoreCase));
}
