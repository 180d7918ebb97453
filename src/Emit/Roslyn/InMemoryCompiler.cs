using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SeriesCompiler.Runtime.Rules;
using Catalogue = SeriesCompiler.Symbolic.Diagnostics.DiagnosticCatalogue;

namespace SeriesCompiler.Emit.Roslyn;

/// <summary>The result of compiling generated code: the loaded rules, or Roslyn's messages mapped to SC2xxx text.</summary>
public sealed record CompiledRules(ImmutableArray<IDistributionRule> Rules, ImmutableArray<string> Errors, AssemblyLoadContext? Context)
{
    public bool Success => Errors.IsEmpty;

    /// <summary>Unloads the collectible context that holds the generated assembly.</summary>
    public void Unload() => Context?.Unload();
}

/// <summary>
/// Compiles emitted rules with Roslyn at run time and loads them into a collectible
/// <see cref="AssemblyLoadContext"/>, so a user's .dist works without a rebuild. The metadata references
/// (the framework and the runtime library) are built once per process.
/// </summary>
public static class InMemoryCompiler
{
    // Roslyn's errors in generated code are compiler bugs, reported under the catalogue's id.
    private static SeriesCompiler.Symbolic.Diagnostics.DiagnosticDescriptor Failed => Catalogue.GeneratedCodeDoesNotCompile;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(BuildReferences);

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();
        paths.Add(typeof(IDistributionRule).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    public static CompiledRules Compile(IReadOnlyList<(string Path, string Source)> sources, IReadOnlyList<string> typeNames)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, parseOptions, s.Path)).ToArray();
        var compilation = CSharpCompilation.Create(
            "SeriesCompiler.InMemory." + Guid.NewGuid().ToString("N"),
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                allowUnsafe: false, nullableContextOptions: NullableContextOptions.Enable, deterministic: true));
        using var peStream = new MemoryStream();
        var result = compilation.Emit(peStream);
        var problems = result.Diagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .Select(d => $"{d.Location.GetLineSpan().Path}({d.Location.GetLineSpan().StartLinePosition.Line + 1},{d.Location.GetLineSpan().StartLinePosition.Character + 1}): error {Failed.Id}: {Failed.Title}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")
            .ToImmutableArray();
        if (!result.Success || !problems.IsEmpty) return new CompiledRules([], problems.IsEmpty ? [$"error {Failed.Id}: {Failed.Title}"] : problems, null);

        peStream.Position = 0;
        var context = new AssemblyLoadContext("SeriesCompiler.Rules", isCollectible: true);
        var assembly = context.LoadFromStream(peStream);
        var rules = typeNames.Select(name => Instantiate(assembly, name)).ToImmutableArray();
        return new CompiledRules(rules, [], context);
    }

    private static IDistributionRule Instantiate(Assembly assembly, string typeName)
    {
        var type = assembly.GetType(typeName) ?? throw new InvalidOperationException($"generated type {typeName} not found");
        var field = type.GetField("Instance", BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException($"{typeName} has no Instance");
        return (IDistributionRule)field.GetValue(null)!;
    }
}
