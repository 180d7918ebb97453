using System.CommandLine;
using SeriesCompiler.Cli.Infrastructure;
using Spectre.Console;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// <c>seriesc experiment NAME [--out DIR] [--quick]</c> and <c>seriesc experiment --list</c>: runs one of the paper's
/// experiments, writing CSV, PNG plots and summary.md to DIR (default results/NAME/). A progress bar is drawn on a
/// terminal; otherwise one line per tenth of the work goes to standard error.
/// </summary>
public static class ExperimentCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string?>("NAME") { Description = "the experiment (see --list)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--out") { Description = "output folder (default results/NAME/)" };
        var quick = new Option<bool>("--quick") { Description = "a small version that finishes in about a minute" };
        var list = new Option<bool>("--list") { Description = "name the experiments" };
        var command = new Command("experiment", "Run one of the paper's experiments (CSV, PNG plots, summary.md)");
        command.Arguments.Add(name);
        command.Options.Add(output);
        command.Options.Add(quick);
        command.Options.Add(list);
        command.SetAction(parse => context.Guard(() =>
            Run(context, parse.GetValue(name), parse.GetValue(output), parse.GetValue(quick), parse.GetValue(list))));
        return command;
    }

    public static int Run(CliContext context, string? name, string? output, bool quick, bool list)
    {
        var experiments = ExperimentsLoader.TryLoad(context.ToolDirectory) ?? throw CliException.Input(ExperimentsLoader.NotInstalled);
        var all = experiments.List();
        if (list)
        {
            foreach (var (n, description) in all) context.Out.WriteLine($"{n,-20} {description}");
            return ExitCodes.Success;
        }
        if (name is null) throw CliException.Usage("name an experiment, or use --list");
        string experiment = all.Select(e => e.Key).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            ?? throw CliException.Usage($"unknown experiment '{name}'{Suggestions.DidYouMean(name, all.Select(e => e.Key))}; expected one of {string.Join(", ", all.Select(e => e.Key))}");
        var folder = Path.GetFullPath(output ?? Path.Combine(context.CurrentDirectory, "results", experiment), context.CurrentDirectory);
        CheckOutputFolder(folder, output ?? Path.Combine("results", experiment));

        (IReadOnlyList<string> Files, TimeSpan Elapsed) result;
        bool terminal = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        if (terminal)
        {
            (IReadOnlyList<string>, TimeSpan)? done = null;
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask(experiment, maxValue: 1.0);
                done = experiments.Run(experiment, folder, quick, (fraction, status) =>
                {
                    task.Value = fraction;
                    task.Description = $"{experiment}: {status}";
                });
            });
            result = done!.Value;
        }
        else
        {
            int reported = -1;
            var gate = new object();
            result = experiments.Run(experiment, folder, quick, (fraction, status) =>
            {
                lock (gate)
                {
                    int tenth = (int)(fraction * 10);
                    if (tenth <= reported) return;
                    reported = tenth;
                    context.Error.WriteLine($"{experiment}: {tenth * 10}% ({status})");
                }
            });
        }
        context.Out.WriteLine($"{experiment}: {result.Files.Count} files in {folder} ({result.Elapsed.TotalSeconds:F0} s)");
        foreach (var f in result.Files) context.Out.WriteLine("  " + Path.GetFileName(f));
        return ExitCodes.Success;
    }

    /// <summary>
    /// Makes sure the results can be written before any work starts (a run can take hours): the folder is created if
    /// missing and a probe file is written to it and removed. A path that is a file, or a folder that cannot be
    /// created or written, is an input error (exit code 1, as for <c>compile --out</c>), with the path as given.
    /// </summary>
    public static void CheckOutputFolder(string folder, string shown)
    {
        if (File.Exists(folder) && !Directory.Exists(folder))
            throw CliException.Input($"--out '{shown}' is a file; give a folder (it is created if missing)");
        for (var up = Path.GetDirectoryName(folder); up is not null; up = Path.GetDirectoryName(up))
            if (File.Exists(up) && !Directory.Exists(up))
                throw CliException.Input($"--out '{shown}' cannot be created: '{up}' is a file");
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, ".seriesc-write-test-" + Guid.NewGuid().ToString("N"));
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Input($"--out '{shown}' cannot be written: {ex.Message}");
        }
    }
}
