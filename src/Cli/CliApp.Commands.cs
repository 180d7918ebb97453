using System.CommandLine;
using SeriesCompiler.Cli.Commands;
using SeriesCompiler.Cli.Infrastructure;

namespace SeriesCompiler.Cli;

// The managed seriesc's part of CliApp: every command, and the completions. The native front (src/Cli.Native) has a
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

    /// <summary>
    /// Completions (the <c>[suggest]</c> directive, which dotnet-suggest and shell scripts call; README "Command line"):
    /// the bundled distribution names for a FILE argument, the experiment names for <c>experiment NAME</c>. They are
    /// computed only when asked for, so a normal run pays nothing.
    /// </summary>
    static partial void AddCompletions(RootCommand root, CliContext context)
    {
        foreach (var command in root.Subcommands)
        foreach (var argument in command.Arguments)
        {
            if (argument.Name == "FILE")
                argument.CompletionSources.Add(_ => DistributionLibrary.Load(context).Files
                    .Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)
                    .Select(n => new System.CommandLine.Completions.CompletionItem(n)));
            else if (command.Name == "experiment" && argument.Name == "NAME")
                argument.CompletionSources.Add(_ => (ExperimentsLoader.TryLoad(context.ToolDirectory)?.List() ?? [])
                    .Select(e => new System.CommandLine.Completions.CompletionItem(e.Key, detail: e.Value)));
        }
    }
}
