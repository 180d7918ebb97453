using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Output;
using SeriesCompiler.Symbolic;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// <c>seriesc</c> with no arguments: the symbolic coefficient table, to order 4, of every bundled distribution — what
/// the compiler does, at a glance. Diagnostics of a bundled file go to standard error (exit code 1).
/// </summary>
public static class OverviewCommand
{
    public const int Order = 4;

    public static int Run(CliContext context)
    {
        var library = DistributionLibrary.Load(context);
        if (library.Files.Count == 0)
            throw CliException.Input($"no bundled distributions found (looked in ./{DistributionLibrary.FolderName}/ and next to the executable)");
        var workspace = Workspace.Create(library.Files.Select(library.Read));
        bool failed = false;
        foreach (var d in workspace.Diagnostics) context.Error.WriteLine(d.ToString());
        failed |= workspace.Diagnostics.Any(d => d.IsError);

        context.Out.WriteLine($"seriesc: the Fourier stochastic backpropagation rule of {workspace.Distributions.Count} bundled distributions, to order {Order}.");
        context.Out.WriteLine("dL/dp = sum over n of a_{n,p} E[d^n f/dz^n], a_{n,p} = dc_n/dp, where K(t) = sum over n of c_n t^n. Run 'seriesc --help' for the commands.");
        foreach (var declaration in workspace.Distributions)
        {
            if (!workspace.IsValid(declaration)) continue;
            var (rule, diagnostics) = workspace.DeriveWithExpressions(declaration, Order);
            foreach (var d in diagnostics) context.Error.WriteLine(d.ToString());
            if (rule is null) { failed = true; continue; }
            context.Out.WriteLine();
            TableCoefficientsWriter.Write(context.Out, CoefficientTable.Build(rule, null, null));
        }
        return failed ? ExitCodes.InputError : ExitCodes.Success;
    }
}
