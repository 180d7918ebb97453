using SeriesCompiler.Cli;
using SeriesCompiler.Cli.Commands;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Native;

// The native front: the commands it serves run here through the same CliApp as the managed seriesc; any other command
// line becomes the managed seriesc beside it (exec, so this process is then that program).
NativeFront.Arguments = args;
if (!NativeFront.Serves(args)) return ManagedHandOff.Exec(args);
// estimate on an AVX-512 machine: the twin compiled for it (Avx512Twin), the same program with eight-lane code. If it
// cannot be started (not executable, say), this front runs the estimate itself, with the same numbers.
if (Avx512Twin.For(args) is { } twin) ManagedHandOff.ExecNative(twin, args);
if (args.Length == 0 || args[0] != "estimate") return CliApp.Run(args, Console.Out, Console.Error);
// estimate may still hand on (a declaration without a build-time class: NativeEstimate.cs), so standard error waits.
var held = new HeldWriter(Console.Error);
int code = CliApp.Run(args, new CliContext(Console.Out, held, Environment.CurrentDirectory, AppContext.BaseDirectory));
held.Release();
return code;
