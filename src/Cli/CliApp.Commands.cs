using System.CommandLine;
using SeriesCompiler.Cli.Commands;
using SeriesCompiler.Cli.Infrastructure;

namespace SeriesCompiler.Cli;

// The managed seriesc's part of CliApp: every command, and the experiments' completions. The native front (src/Cli.Native) has a
// part of its own in place of this file.
public static partial class CliApp
{
    /// <summary>The commands, by name, each made only when asked for.</summary>
    private static readonly (string Name, Func<CliContext, Command> Create)[] Commands =
    [
        ("check", CheckCommand.Create),
        ("coefficients", CoefficientsCommand.Create),
        ("compile", CompileCommand.Create),
        ("estimate", EstimateCommand.Create),
        ("experiment", ExperimentCommand.Create),
    ];

    /// <summary>The experiment names for <c>experiment NAME</c>, from the experiments' assembly when it is there.</summary>
    static partial void AddCompletions(Command command, Argument argument, CliContext context)
    {
        if (command.Name == "experiment" && argument.Name == "NAME")
            argument.CompletionSources.Add(_ => (ExperimentsLoader.TryLoad(context.ToolDirectory)?.List() ?? [])
                .Select(e => new System.CommandLine.Completions.CompletionItem(e.Key, detail: e.Value)));
    }
}
