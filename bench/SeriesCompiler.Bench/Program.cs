using BenchmarkDotNet.Running;
using SeriesCompiler.Bench;

// `-- sizes` prints the per-distribution derivation table of the README; anything else goes to
// BenchmarkDotNet (e.g. `-- --filter '*Derivation*'`).
if (args.Length > 0 && args[0] == "sizes")
{
    DerivationSizeReport.Run(Console.Out);
    return;
}
if (args.Length > 2 && args[0] == "phases")
{
    PhaseProfile.Run(Console.Out, args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    return;
}
if (args.Length > 0 && args[0] == "work")
{
    DerivationSizeReport.RunWork(Console.Out);
    return;
}
if (args.Length > 0 && args[0] == "gamma-toy")
{
    GammaToySideBySide.Run(Console.Out);
    return;
}
if (args.Length > 0 && args[0] == "cli") { CliSideBySide.Run(Console.Out); return; }
if (args.Length > 0 && args[0] == "gamma-toy-profile")
{
    GammaToyProfile.Filter = args.Length > 1 ? args[1] : null;
    GammaToyProfile.Run(Console.Out);
    return;
}
if (args.Length > 0 && args[0] == "logistic") { LogisticSideBySide.Run(Console.Out); return; }
if (args.Length > 0 && args[0] == "logistic-profile") { LogisticProfile.Run(Console.Out); return; }
BenchmarkSwitcher.FromAssembly(typeof(DerivationBenchmarks).Assembly).Run(args);
