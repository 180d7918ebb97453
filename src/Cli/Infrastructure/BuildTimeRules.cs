using System.Collections.Frozen;
using System.Text;
using SeriesCompiler.Generated;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Binding;
using SymbolicSupport = SeriesCompiler.Symbolic.Binding.SupportKind;

namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>
/// The rule classes compiled at build time (SeriesCompiler.Distributions, from generated/), used by <c>seriesc estimate</c>
/// in place of compiling the declaration with Roslyn in memory (about 2.5 s at low load) when that would give the same
/// class: the declaration's text, and each latent's, is character for character the text generated/ was built from
/// (embedded in seriesc.dll from the same distributions/*.dist by Cli.csproj), and the order asked for is the
/// build-time order. A declaration edited since the build, a user's file, or another order returns null, and the caller
/// compiles as before. The generated C# is a function of the declaration text and the order alone (RuleGenerator is
/// deterministic, and CI checks generated/ against it), so the same inputs mean the same class and the same numbers.
/// </summary>
public static class BuildTimeRules
{
    /// <summary>The resource names the declarations are embedded under: <c>distributions/NAME.dist</c>.</summary>
    public const string ResourcePrefix = "distributions/";

    // Texts as the compiler reads them (SourceText: UTF-8 unless a byte-order mark says otherwise).
    private static readonly Lazy<FrozenSet<string>> s_builtTexts = new(ReadEmbedded);

    /// <summary>The build-time rule of <paramref name="declaration"/> at <paramref name="order"/>, or null when it must be compiled.</summary>
    public static Rule? TryGet(Workspace workspace, BoundDistribution declaration, int order)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(declaration);
        if (!IsBuilt(declaration)) return null;
        if (!declaration.IsDerived)
            return RuleRegistry.Find(declaration.Name) is { } direct && direct.Order == order ? Rule.From(direct) : null;

        if (RuleRegistry.FindDerived(declaration.Name) is not { } derived) return null;
        var latents = new List<IDistributionRule>();
        foreach (var latent in declaration.Latents)
        {
            // Each latent's class must be built from the text this workspace binds it to, at the same order.
            if (workspace.Find(latent.Distribution) is not { IsDerived: false } bound || !IsBuilt(bound)) return null;
            if (RuleRegistry.Find(bound.Name) is not { } rule || rule.Order != order) return null;
            latents.Add(rule);
        }
        if (latents.Count != derived.Latents.Count) return null;
        // As the in-memory loader wraps a derived rule (Rules.Build): the declared support and the vector parameters.
        var support = Enum.Parse<Runtime.Rules.SupportKind>(declaration.Support?.Kind.ToString() ?? nameof(SymbolicSupport.Real));
        return Rule.From(derived, latents, support, [.. declaration.Parameters.Select(p => p.VectorSize is not null)]);
    }

    private static bool IsBuilt(BoundDistribution declaration) => s_builtTexts.Value.Contains(declaration.Source.Text);

    private static FrozenSet<string> ReadEmbedded()
    {
        var assembly = typeof(BuildTimeRules).Assembly;
        var texts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith(".dist", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            texts.Add(reader.ReadToEnd());
        }
        return texts.ToFrozenSet(StringComparer.Ordinal);
    }
}
