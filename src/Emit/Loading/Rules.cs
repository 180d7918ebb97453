using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Diagnostics;
using SymbolicSupport = SeriesCompiler.Symbolic.Binding.SupportKind;

namespace SeriesCompiler.Emit.Loading;

/// <summary>A declaration that did not compile: its diagnostics, each <c>FILE(LINE,COL): error SCnnnn: message</c>.</summary>
public sealed class RuleCompilationException : Exception
{
    public RuleCompilationException(IReadOnlyList<string> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics)) => Diagnostics = diagnostics;

    /// <summary>The compile core's diagnostics, kept whole (id, descriptor, file, line, column) as well as in text.</summary>
    public RuleCompilationException(ImmutableArray<Diagnostic> diagnostics)
        : this([.. diagnostics.Select(d => d.ToString())]) => Items = diagnostics;

    /// <summary>Each diagnostic as text.</summary>
    public IReadOnlyList<string> Diagnostics { get; }

    /// <summary>The structured diagnostics, when they came from the compile core (empty for Roslyn's or the loader's own).</summary>
    public ImmutableArray<Diagnostic> Items { get; } = [];
}

/// <summary>
/// Loads distributions for the estimators at run time, through the whole flow (parse, bind, expand, differentiate,
/// model, emit, Roslyn in memory), so a user's <c>.dist</c> works without a rebuild:
/// <code>
/// var gamma = Rules.Load("gamma");          // a bundled declaration, by name
/// var mine  = Rules.Compile("my.dist");     // any file; its latents may name bundled distributions
/// </code>
/// Compiled rules are cached for the process by (declaration texts, distribution, order).
/// </summary>
public static class Rules
{
    /// <summary>The default truncation order compiled in.</summary>
    public const int DefaultOrder = Symbolic.DerivationLimits.DefaultOrder;

    private static readonly ConcurrentDictionary<string, Lazy<Rule>> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The folders bundled declarations are looked up in: <c>./distributions/</c>, then <c>distributions/</c> next to the
    /// application.
    /// </summary>
    public static IReadOnlyList<string> LibraryFolders => DeclarationLibrary.Folders(Environment.CurrentDirectory, AppContext.BaseDirectory);

    /// <summary>A bundled distribution by name (case-insensitive; <c>gamma</c>, <c>Dirichlet</c>), or a path to a <c>.dist</c> file.</summary>
    public static Rule Load(string nameOrPath, int order = DefaultOrder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (File.Exists(nameOrPath)) return Compile(nameOrPath, order);
        var library = LibraryFiles();
        var file = DeclarationLibrary.Find(library, nameOrPath);
        if (file is not null) return Compile(file, order, null, library);
        var workspace = Workspace.Create([], library.Select(f => SourceText.FromFile(f)));
        if (workspace.Find(nameOrPath) is { } declared) return FromWorkspace(workspace, declared, order);
        throw new FileNotFoundException(library.Count == 0
            ? $"'{nameOrPath}' is not a file, and no bundled distributions were found in {string.Join(" or ", LibraryFolders)}"
            : $"'{nameOrPath}' is neither a file nor a bundled distribution ({string.Join(", ", library.Select(Path.GetFileNameWithoutExtension))})");
    }

    /// <summary>
    /// Compiles a <c>.dist</c> file (its <paramref name="distribution"/>, or its only declaration). Latents may name the
    /// bundled distributions.
    /// </summary>
    public static Rule Compile(string path, int order = DefaultOrder, string? distribution = null) =>
        Compile(path, order, distribution, LibraryFiles());

    private static Rule Compile(string path, int order, string? distribution, IReadOnlyList<string> library)
    {
        string full = Path.GetFullPath(path);
        return FromSources(SourceText.FromFile(path), order, distribution,
            library.Where(f => !string.Equals(Path.GetFullPath(f), full, StringComparison.Ordinal)).Select(f => SourceText.FromFile(f)));
    }

    private static Rule FromSources(SourceText primary, int order, string? distribution, IEnumerable<SourceText> library)
    {
        var workspace = Workspace.Create([primary], library);
        if (workspace.Diagnostics.Any(d => d.IsError)) throw new RuleCompilationException([.. workspace.Diagnostics]);
        var declarations = workspace.Distributions;
        var chosen = distribution is null
            ? (declarations.Count == 1 ? declarations[0] : null)
            : declarations.FirstOrDefault(d => string.Equals(d.Name, distribution, StringComparison.OrdinalIgnoreCase));
        if (chosen is null)
            throw new RuleCompilationException([declarations.Count == 0
                ? $"{primary.Path}: declares no distribution"
                : $"{primary.Path}: declares {string.Join(", ", declarations.Select(d => d.Name))}; name the one to compile"]);
        return FromWorkspace(workspace, chosen, order);
    }

    /// <summary>
    /// The rule of a declaration already bound in a workspace (the CLI resolves files and names itself), with the rules
    /// of its latents from the same workspace.
    /// </summary>
    public static Rule FromWorkspace(Workspace workspace, BoundDistribution declaration, int order)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(declaration);
        var latentDeclarations = new List<BoundDistribution>();
        foreach (var latent in declaration.Latents)
        {
            var d = workspace.Find(latent.Distribution)
                ?? throw new RuleCompilationException([$"{declaration.Source.Path}: latent '{latent.Name}' names '{latent.Distribution}', which is not declared"]);
            if (d.IsDerived)
                throw new RuleCompilationException([$"{declaration.Source.Path}: latent '{latent.Name}' ~ {d.Name} is itself derived; the estimators need latents with a rule of their own"]);
            latentDeclarations.Add(d);
        }
        string key = string.Join("\u0001", new[] { declaration.Name, order.ToString(System.Globalization.CultureInfo.InvariantCulture), declaration.Source.Text }
            .Concat(latentDeclarations.Select(d => d.Name + "\u0002" + d.Source.Text)));
        return Cache.GetOrAdd(key, _ => new Lazy<Rule>(() => Build(workspace, declaration, latentDeclarations, order))).Value;
    }

    private static Rule Build(Workspace workspace, BoundDistribution declaration, List<BoundDistribution> latents, int order)
    {
        // 1-6. Parse, bind, expand, differentiate, model, emit: the compile core, the same files and diagnostics as
        // `seriesc compile` and the MSBuild task.
        var generated = Sources(workspace, declaration, latents, order);
        if (generated.HasErrors)
            throw new RuleCompilationException(generated.Diagnostics);
        var models = generated.Rules;
        var sources = generated.Files.Where(f => f.Distribution is not null).Select(f => (f.FileName, f.Content)).ToList();
        if (!models.Any(m => string.Equals(m.Name, declaration.Name, StringComparison.OrdinalIgnoreCase)))
            throw new RuleCompilationException([$"{declaration.Source.Path}: {declaration.Name} did not bind, so it has no rule"]);

        // Roslyn in memory, into a collectible context.
        var directTypes = models.Where(m => !m.IsDerived).Select(m => RuleEmitter.TypeName(m.Name)).ToList();
        var compiled = InMemoryCompiler.Compile(sources, directTypes);
        if (!compiled.Success) throw new RuleCompilationException(compiled.Errors);
        var direct = directTypes.Zip(compiled.Rules).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

        // 7. Run: the rule (a finite support is code of the generated class), with what the declaration says about its support.
        if (!declaration.IsDerived)
            return Rule.From(direct[RuleEmitter.TypeName(declaration.Name)]);

        var support = Enum.Parse<Runtime.Rules.SupportKind>(declaration.Support?.Kind.ToString() ?? nameof(SymbolicSupport.Real));
        var assembly = compiled.Context!.Assemblies.Single();
        string typeName = RuleEmitter.TypeName(declaration.Name);
        var type = assembly.GetType(typeName) ?? throw new InvalidOperationException($"generated type {typeName} not found");
        var derived = (IDerivedRule)type.GetField("Instance", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        var latentRules = declaration.Latents
            .Select(l => direct[RuleEmitter.TypeName(workspace.Find(l.Distribution)!.Name)])
            .ToList();
        return Rule.From(derived, latentRules, support, [.. declaration.Parameters.Select(p => p.VectorSize is not null)]);
    }

    /// <summary>
    /// The C# the in-memory path compiles for a declaration and its latents: <see cref="RuleGenerator"/>'s output, so
    /// byte-identical to <c>seriesc compile</c> and to the build-time classes in generated/.
    /// </summary>
    internal static GenerationResult Sources(Workspace workspace, BoundDistribution declaration, IEnumerable<BoundDistribution> latents, int order) =>
        RuleGenerator.Generate(workspace, order, RuleEmitter.DefaultNamespace,
            [.. latents.Prepend(declaration).DistinctBy(d => d.Name, StringComparer.OrdinalIgnoreCase)]);

    // The command line's lookup too (DeclarationLibrary): the same folders, shadowing and order.
    private static IReadOnlyList<string> LibraryFiles() => DeclarationLibrary.Files(LibraryFolders);
}
