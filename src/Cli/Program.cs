using SeriesCompiler.Cli;

// The process entry point: everything else runs in-process through CliApp.Run (tests call it directly).
return CliApp.Run(args, Console.Out, Console.Error);
