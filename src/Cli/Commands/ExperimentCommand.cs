using System.CommandLine;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Experiments;
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
        if (list)
        {
            foreach (var e in ExperimentCatalog.All) context.Out.WriteLine($"{e.Name,-20} {e.Description}");
            return ExitCodes.Success;
        }
        if (name is null) throw CliException.Usage("name an experiment, or use --list");
        var experiment = ExperimentCatalog.Find(name)
            ?? throw CliException.Usage($"unknown experiment '{name}'; expected one of {string.Join(", ", ExperimentCatalog.All.Select(e => e.Name))}");
        var folder = Path.GetFullPath(output ?? Path.Combine(context.CurrentDirectory, "results", experiment.Name), context.CurrentDirectory);
        CheckOutputFolder(folder, output ?? Path.Combine("results", experiment.Name));

        ExperimentResult result;
        bool terminal = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        if (terminal)
        {
            ExperimentResult? done = null;
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask(experiment.Name, maxValue: 1.0);
                done = experiment.Run(new ExperimentOptions(folder, quick, new Progress<ExperimentProgress>(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = $"{experiment.Name}: {p.Status}";
                })));
            });
            result = done!;
        }
        else
        {
            int reported = -1;
            var gate = new object();
            result = experiment.Run(new ExperimentOptions(folder, quick, new SynchronousProgress(p =>
            {
                lock (gate)
                {
                    int tenth = (int)(p.Fraction * 10);
                    if (tenth <= reported) return;
                    reported = tenth;
                    context.Error.WriteLine($"{experiment.Name}: {tenth * 10}% ({p.Status})");
                }
            })));
        }
        context.Out.WriteLine($"{experiment.Name}: {result.Files.Count} files in {folder} ({result.Elapsed.TotalSeconds:F0} s)");
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

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and could arrive after the run).</summary>
    private sealed class SynchronousProgress(Action<ExperimentProgress> report) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value) => report(value);
    }
}
