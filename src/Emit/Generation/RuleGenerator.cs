using System.Collections.Immutable;
using System.Text;
using SeriesCompiler.Emit.Model;
using SeriesCompiler.Emit.Stencils;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Emit.Generation;

/// <summary>A generated C# file; <paramref name="Distribution"/> names the declaration of a rule's file (null for the shared ones).</summary>
public sealed record GeneratedFile(string FileName, string Content, string? Distribution = null);

public sealed record GenerationResult(ImmutableArray<GeneratedFile> Files, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<RuleModel> Rules)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// The one pure core behind <c>seriesc compile</c>, the MSBuild task and the in-memory path: declarations in,
/// C# files out (one per distribution, the shared stencils, and a registry), or diagnostics and no files.
/// </summary>
public static class RuleGenerator
{
    public static GenerationResult Generate(Workspace workspace, int order, string @namespace = RuleEmitter.DefaultNamespace) =>
        Generate(workspace, order, @namespace, null);

    /// <summary>
    /// As above, for <paramref name="declarations"/> of the workspace (null: its primary declarations). The in-memory
    /// loader asks for a declaration and its latents (which may come from the library); it gets the same files and
    /// the same diagnostics as <c>seriesc compile</c> and the MSBuild task.
    /// </summary>
    public static GenerationResult Generate(Workspace workspace, int order, string @namespace, IReadOnlyList<Symbolic.Binding.BoundDistribution>? declarations)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return InvariantCulture.Run(() => GenerateInvariant(workspace, order, @namespace, declarations ?? workspace.Distributions));
    }

    private static GenerationResult GenerateInvariant(Workspace workspace, int order, string @namespace, IReadOnlyList<Symbolic.Binding.BoundDistribution> declarations)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        // The workspace's parse and bind diagnostics: all of them for the whole workspace (a file may fail before it
        // declares anything), those of the chosen declarations' files for a subset.
        var paths = declarations.Select(d => d.Source.Path).ToHashSet(StringComparer.Ordinal);
        diagnostics.AddRange(ReferenceEquals(declarations, workspace.Distributions)
            ? workspace.Diagnostics
            : workspace.Diagnostics.Where(x => paths.Contains(x.Path)));
        var files = ImmutableArray.CreateBuilder<GeneratedFile>();
        var rules = ImmutableArray.CreateBuilder<RuleModel>();
        var typeNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in declarations)
        {
            if (!workspace.IsValid(d)) continue;
            var (rule, derived) = workspace.Derive(d, order);
            diagnostics.AddRange(derived);
            if (rule is null) continue;
            var typeName = RuleEmitter.TypeName(d.Name, @namespace);
            if (typeNames.TryGetValue(typeName, out var other))
            {
                Report(diagnostics, d, DiagnosticCatalogue.TypeNameCollision, $"'{d.Name}' and '{other}' both become the C# type {typeName}");
                continue;
            }
            typeNames[typeName] = d.Name;
            try
            {
                // The model's code-generation parts (the CGF gradient, score, pathwise derivative, Jacobians) and the
                // emitter's simplifications get a budget of their own, like the derivation's.
                using var metered = Symbolic.WorkMeter.Start();
                var model = workspace.Model(d, order)!;
                files.Add(new GeneratedFile(typeName[(@namespace.Length + 1)..] + ".g.cs", RuleEmitter.Emit(model, @namespace), d.Name));
                rules.Add(model);
            }
            catch (UnsupportedValueException ex)
            {
                Report(diagnostics, d, DiagnosticCatalogue.UnsupportedValue, ex.Message);
            }
            catch (Symbolic.Expressions.SymbolicException ex)
            {
                Report(diagnostics, d, DiagnosticCatalogue.DerivationTooLarge, "emitting the rule: " + ex.Message);
            }
        }
        if (diagnostics.Any(x => x.IsError)) return new GenerationResult([], diagnostics.ToImmutable(), []);
        files.Add(new GeneratedFile("Stencils.g.cs", StencilEmitter.Emit(order, @namespace)));
        files.Add(new GeneratedFile("RuleRegistry.g.cs", Registry(rules, @namespace)));
        return new GenerationResult(files.ToImmutable(), diagnostics.ToImmutable(), rules.ToImmutable());
    }

    private static void Report(ImmutableArray<Diagnostic>.Builder diagnostics, Symbolic.Binding.BoundDistribution d, DiagnosticDescriptor descriptor, string message)
    {
        var bag = new DiagnosticBag(d.Source);
        bag.Report(descriptor, d.NameSpan, message);
        diagnostics.AddRange(bag.Items);
    }

    /// <summary>A lookup of the generated rules by name (case-insensitive), without reflection.</summary>
    private static string Registry(IEnumerable<RuleModel> rules, string @namespace)
    {
        var sb = new StringBuilder();
        sb.Append("// <auto-generated/>\n#nullable enable\n\nnamespace ").Append(@namespace).Append(";\n\n");
        sb.Append("/// <summary>Every rule generated from these declarations, by distribution name (case-insensitive).</summary>\n");
        sb.Append("[global::System.CodeDom.Compiler.GeneratedCode(\"SeriesCompiler\", \"1.0\")]\npublic static class RuleRegistry\n{\n");
        sb.Append("    public static global::SeriesCompiler.Runtime.Rules.IDistributionRule? Find(string name) => name.ToLowerInvariant() switch\n    {\n");
        foreach (var r in rules.Where(r => !r.IsDerived).OrderBy(r => r.Name, StringComparer.Ordinal))
            sb.Append("        ").Append(CSharp.CSharpNames.StringLiteral(r.Name.ToLowerInvariant())).Append(" => ").Append(CSharp.CSharpNames.TypeName(r.Name, "Rule")).Append(".Instance,\n");
        sb.Append("        _ => null,\n    };\n\n");
        sb.Append("    public static global::SeriesCompiler.Runtime.Rules.IDerivedRule? FindDerived(string name) => name.ToLowerInvariant() switch\n    {\n");
        foreach (var r in rules.Where(r => r.IsDerived).OrderBy(r => r.Name, StringComparer.Ordinal))
            sb.Append("        ").Append(CSharp.CSharpNames.StringLiteral(r.Name.ToLowerInvariant())).Append(" => ").Append(CSharp.CSharpNames.TypeName(r.Name, "Rule")).Append(".Instance,\n");
        sb.Append("        _ => null,\n    };\n}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the files into <paramref name="directory"/> all or nothing. Every file that changes is first written
    /// to a staging folder beside the target; only then is each old file moved aside and the new one moved into
    /// place. If any step fails, the files already replaced are put back, so the folder holds either the whole new
    /// set or the whole old one, and the <see cref="IOException"/> (or <see cref="UnauthorizedAccessException"/>)
    /// is rethrown. A target that is a folder or a special file is refused before anything is touched. Unchanged
    /// files are not touched (so builds that watch timestamps stay incremental).
    /// </summary>
    public static void WriteFiles(IReadOnlyList<GeneratedFile> files, string directory) => WriteFiles(files, directory, null);

    /// <summary>As above; <paramref name="beforeReplace"/> (tests only) runs before each file is moved into place.</summary>
    internal static void WriteFiles(IReadOnlyList<GeneratedFile> files, string directory, Action<string>? beforeReplace)
    {
        Directory.CreateDirectory(directory);
        var changed = new List<(GeneratedFile File, string Final)>();
        foreach (var f in files)
        {
            var final = Path.Combine(directory, f.FileName);
            if (Directory.Exists(final))
                throw new IOException($"'{final}' is a folder, so the generated file {f.FileName} cannot replace it; nothing was written");
            if (File.Exists(final))
            {
                if (SourceText.NonRegularKind(final) is { } kind)
                    throw new IOException($"'{final}' is {kind}, so the generated file {f.FileName} cannot replace it; nothing was written");
                if (File.ReadAllText(final) == f.Content) continue;
            }
            changed.Add((f, final));
        }
        if (changed.Count == 0) return;

        string staging = CreateStagingFolder(directory);
        var replaced = new List<(string Final, string? Backup, bool Placed)>();
        bool keepStaging = false;
        try
        {
            var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
            foreach (var (f, _) in changed) File.WriteAllText(Path.Combine(staging, f.FileName), f.Content, utf8);
            string previous = Directory.CreateDirectory(Path.Combine(staging, "previous")).FullName;
            foreach (var (f, final) in changed)
            {
                beforeReplace?.Invoke(f.FileName);
                string? backup = File.Exists(final) ? Path.Combine(previous, f.FileName) : null;
                if (backup is not null) File.Move(final, backup);
                replaced.Add((final, backup, false));
                File.Move(Path.Combine(staging, f.FileName), final);
                replaced[^1] = (final, backup, true);
            }
            replaced.Clear();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Put the old set back, newest first. Should that fail too, the old files stay in the staging folder and
            // the message says where.
            var lost = new List<string>();
            for (int i = replaced.Count - 1; i >= 0; i--)
            {
                var (final, backup, placed) = replaced[i];
                try
                {
                    if (placed) File.Delete(final);
                    if (backup is not null) File.Move(backup, final, overwrite: true);
                }
                catch (Exception undo) when (undo is IOException or UnauthorizedAccessException)
                {
                    lost.Add(Path.GetFileName(final));
                }
            }
            if (lost.Count == 0) throw;
            keepStaging = true;
            throw new IOException($"{ex.Message}; the previous {string.Join(", ", lost)} could not be put back and are kept in '{staging}'", ex);
        }
        finally
        {
            if (!keepStaging)
            {
                try { Directory.Delete(staging, recursive: true); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    // A fresh folder beside the target (so a stray one, after a kill, is never compiled with the target's files), on
    // the same volume where possible so that the moves are renames; inside the target if its parent is not writable.
    private static string CreateStagingFolder(string directory)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string name = "." + Path.GetFileName(full) + ".seriesc-staging-" + Guid.NewGuid().ToString("N");
        if (Path.GetDirectoryName(full) is { } parent)
        {
            try
            {
                return Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return Directory.CreateDirectory(Path.Combine(full, name)).FullName;
    }
}
