using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>One declaration a command works on, bound in a workspace whose library holds the bundled declarations.</summary>
public sealed record LoadedDistribution(Workspace Workspace, BoundDistribution Declaration, string Path)
{
    /// <summary>
    /// Derives the rule to <paramref name="order"/>. Its diagnostics (warnings included) go to standard error; an error
    /// ends the command with exit code 1.
    /// </summary>
    public RuleModel Derive(CliContext context, int order)
    {
        var (rule, diagnostics) = Workspace.DeriveWithExpressions(Declaration, order);
        foreach (var d in diagnostics) context.Error.WriteLine(d.ToString());
        if (rule is null || diagnostics.Any(d => d.IsError)) throw CliException.Reported();
        return rule;
    }
}

/// <summary>
/// Resolves the FILE argument of a command that takes one distribution (docs/cli.md): an existing path to a
/// <c>.dist</c> file, or else the name of a bundled distribution, case-insensitive (<c>gamma</c>, <c>GAMMA</c>,
/// <c>NegativeBinomial</c>), looked up first in <c>./distributions/</c>, then next to the executable.
/// </summary>
public static class DistributionResolver
{
    public static LoadedDistribution Load(CliContext context, string fileOrName)
    {
        var library = DistributionLibrary.Load(context);
        string full = Path.GetFullPath(fileOrName, context.CurrentDirectory);
        string display = fileOrName;
        string? wanted = null;
        if (Directory.Exists(full))
            throw CliException.Input($"'{fileOrName}' is a folder; give one .dist file or the name of a distribution");
        if (!File.Exists(full))
        {
            bool looksLikePath = fileOrName.EndsWith(".dist", StringComparison.OrdinalIgnoreCase)
                || fileOrName.Contains('/') || fileOrName.Contains(Path.DirectorySeparatorChar);
            string? found = looksLikePath ? null : library.FindFile(fileOrName);
            if (found is null && !looksLikePath)
            {
                // Not a file name: a declared name, e.g. one whose file is named differently.
                var all = Workspace.Create([], library.Files.Select(library.Read));
                if (all.Find(fileOrName) is { } declared) found = Path.GetFullPath(declared.Source.Path);
            }
            if (found is null)
            {
                string bundled = library.Files.Count == 0 ? "no bundled distributions were found"
                    : "bundled: " + string.Join(", ", library.Files.Select(f => System.IO.Path.GetFileNameWithoutExtension(f)));
                throw CliException.Input(looksLikePath
                    ? $"file '{fileOrName}' does not exist"
                    : $"'{fileOrName}' is neither a file nor a bundled distribution{Suggestions.DidYouMean(fileOrName, library.Files.Select(f => System.IO.Path.GetFileNameWithoutExtension(f)))} ({bundled})");
            }
            full = found;
            display = found;
            wanted = fileOrName;
        }

        var source = library.Files.Contains(full) ? library.Read(full) : SourceFiles.Read(full, display);
        var workspace = Workspace.Create([source], library.SourcesExcept([full]));
        foreach (var d in workspace.Diagnostics) context.Error.WriteLine(d.ToString());
        if (workspace.Diagnostics.Any(d => d.IsError)) throw CliException.Reported();

        var declarations = workspace.Distributions;
        var chosen = declarations.Count == 1 ? declarations[0]
            : declarations.FirstOrDefault(d => wanted is not null && string.Equals(d.Name, wanted, StringComparison.OrdinalIgnoreCase));
        if (chosen is null)
            throw CliException.Input(declarations.Count == 0
                ? $"'{display}' declares no distribution"
                : $"'{display}' declares {declarations.Count} distributions ({string.Join(", ", declarations.Select(d => d.Name))}); give the name of one");
        return new LoadedDistribution(workspace, chosen, display);
    }

    /// <summary>The <c>.dist</c> files named by PATH arguments: files as given, folders as their <c>*.dist</c> files sorted by name.</summary>
    public static List<(string FullPath, string Display)> ExpandPaths(CliContext context, IEnumerable<string> paths, Action<string> missing)
    {
        var files = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            string full = Path.GetFullPath(path, context.CurrentDirectory);
            if (Directory.Exists(full))
            {
                var inside = Directory.EnumerateFiles(full, "*.dist").Order(StringComparer.Ordinal).ToList();
                if (inside.Count == 0) context.Error.WriteLine($"seriesc: warning: the folder '{path}' has no .dist files");
                foreach (var f in inside)
                    if (seen.Add(f)) files.Add((f, System.IO.Path.Combine(path, System.IO.Path.GetFileName(f))));
            }
            else if (File.Exists(full))
            {
                if (seen.Add(full)) files.Add((full, path));
            }
            else
                missing(path);
        }
        return files;
    }
}
