using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Output;

namespace SeriesCompiler.Cli.Commands;

// coefficients --generated: compiles the rule with Roslyn (src/Emit), so only the managed seriesc has this part.
public static partial class CoefficientsCommand
{
    /// <summary>
    /// The compiled rule beside the exact values, in <c>table.Generated</c>. A method of its own (not inlined) so that the in-memory compiler's
    /// assembly (Emit, named by the catch clause) is loaded only when --generated asks for it, not on every run.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static partial void CheckGenerated(CliContext context, LoadedDistribution loaded, int order, CoefficientTable table, ParameterValues at)
    {
        SeriesCompiler.Runtime.Estimation.Rule compiled;
        try
        {
            compiled = SeriesCompiler.Emit.Loading.Rules.FromWorkspace(loaded.Workspace, loaded.Declaration, order);
        }
        catch (SeriesCompiler.Emit.Loading.RuleCompilationException ex)
        {
            foreach (var line in ex.Diagnostics) context.Error.WriteLine(line);
            throw CliException.Reported();
        }
        table.Generated = GeneratedCheck.Build(compiled, table, loaded.Declaration, at);
    }
}
