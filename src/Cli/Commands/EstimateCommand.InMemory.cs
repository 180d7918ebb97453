using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Runtime.Estimation;

namespace SeriesCompiler.Cli.Commands;

// estimate with a declaration that has no build-time class (a user's file, an edited one, another --order): compiled with
// Roslyn (src/Emit), so only the managed seriesc has this part; the native front's part hands such a command line on.
public static partial class EstimateCommand
{
    // A method of its own (not inlined), so that the in-memory compiler's assembly (Emit, named by the catch clause) is
    // loaded only when a declaration needs it, not on every estimate.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static partial void CompileInMemory(CliContext context, LoadedDistribution loaded, int order, ref Rule? rule)
    {
        try
        {
            rule = SeriesCompiler.Emit.Loading.Rules.FromWorkspace(loaded.Workspace, loaded.Declaration, order);
        }
        catch (SeriesCompiler.Emit.Loading.RuleCompilationException ex)
        {
            foreach (var line in ex.Diagnostics) context.Error.WriteLine(line);
            throw CliException.Reported();
        }
    }
}
