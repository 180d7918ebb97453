using System.CommandLine;
using SeriesCompiler.Cli.Commands;
using SeriesCompiler.Cli.Infrastructure;

namespace SeriesCompiler.Cli;

// The native front's part of CliApp (in place of src/Cli/CliApp.Commands.cs): the commands it serves. It never
// sees a command line naming another one, nor a [suggest] directive: NativeFront.Serves hands those on.
public static partial class CliApp
{
    private static readonly (string Name, Func<CliContext, Command> Create)[] Commands =
    [
        ("check", CheckCommand.Create),
        ("coefficients", CoefficientsCommand.Create),
        ("estimate", EstimateCommand.Create),
    ];
}
