using SeriesCompiler.Cli;
using SeriesCompiler.Cli.Native;

// The native front: the commands it serves run here through the same CliApp as the managed seriesc; any other command
// line becomes the managed seriesc beside it (exec, so this process is then that program).
return NativeFront.Serves(args) ? CliApp.Run(args, Console.Out, Console.Error) : ManagedHandOff.Exec(args);
