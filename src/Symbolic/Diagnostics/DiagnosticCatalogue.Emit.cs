namespace SeriesCompiler.Symbolic.Diagnostics;

// SC2xxx: emit and build. The C# generated from a rule, the in-memory compiler, the MSBuild task.
public static partial class DiagnosticCatalogue
{
    public static readonly DiagnosticDescriptor GeneratedCodeDoesNotCompile = Define("SC2001", "generated code does not compile",
        "This is a compiler bug: report the declaration; meanwhile simplify the expression Roslyn points at.");
    public static readonly DiagnosticDescriptor UnsupportedValue = Define("SC2002", "value transform cannot be emitted",
        "Write 'value' with + - * / and small integer powers of the latents, so that Taylor jets can be pushed through it.");
    public static readonly DiagnosticDescriptor OutputNotWritable = Define("SC2003", "cannot write the generated files",
        "Check that the output folder exists or can be created and is writable.");
    public static readonly DiagnosticDescriptor TypeNameCollision = Define("SC2004", "two distributions map to one generated type",
        "Rename one of the distributions: their names differ only in characters that C# identifiers cannot hold.");
    public static readonly DiagnosticDescriptor InvalidBuildSetting = Define("SC2005", "invalid build setting",
        "Set SeriesOrder to an integer from 1 to 64 and SeriesNamespace to a valid C# namespace.");
    public static readonly DiagnosticDescriptor UnreadableDeclaration = Define("SC2006", "cannot read a declaration file",
        "Check that every @(SeriesDist) item names a readable .dist file.");
    public static readonly DiagnosticDescriptor TaskAssemblyMissing = Define("SC2007", "the code-generation task is missing",
        "Restore the SeriesCompiler.Build package (or build src/Build) so that its task assembly exists.");
}
