using System.CommandLine;
using System.Globalization;
using SeriesCompiler.Cli.Infrastructure;
using Spectre.Console;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// <c>seriesc experiment NAME [--out DIR] [--quick] [--seeds S] [--steps T | --epochs E] [--lr R] [--threads P]
/// [--data full|shipped] [--resume | --replot]</c> and <c>seriesc experiment --list</c>: runs one of the paper's experiments,
/// writing CSV, PNG plots and summary.md to DIR (default results/NAME/). A progress bar is drawn on a terminal;
/// otherwise one line per tenth of the work goes to standard error, as does the run's log. Each finished seed job is
/// written to DIR/jobs/ as the run goes; <c>--resume</c> continues a killed or stopped run from them. <c>--replot</c>
/// runs nothing: it draws the figures and summary.md's tables again from the CSVs in DIR (a committed run's).
/// </summary>
public static class ExperimentCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string?>("NAME") { Description = "the experiment (see --list)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--out") { Description = "output folder (default results/NAME/)" };
        var quick = new Option<bool>("--quick") { Description = "a small version that finishes in about a minute" };
        var list = new Option<bool>("--list") { Description = "name the experiments" };
        var seeds = new Option<int?>("--seeds") { Description = $"independent runs per setting and estimator ({Bounds.Seeds.Min}-{Bounds.Seeds.Max}; default: the experiment's)" };
        var steps = new Option<int?>("--steps") { Description = $"optimiser steps per run ({Bounds.Steps.Min}-{Bounds.Steps.Max})" };
        var epochs = new Option<int?>("--epochs") { Description = $"epochs per run, discrete experiments ({Bounds.Epochs.Min}-{Bounds.Epochs.Max})" };
        var lr = new Option<double?>("--lr") { Description = "Adam's learning rate (0 < R <= 1)" };
        var threads = new Option<int?>("--threads") { Description = $"jobs run at once ({Bounds.Threads.Min}-{Bounds.Threads.Max}, default 2); the numbers do not depend on it" };
        var data = new Option<string?>("--data") { Description = "discrete experiments: full (MNIST's 10,000 digits, the default of a full run) or shipped (the 600 digits in data/mnist, a reduced run)" };
        var resume = new Option<bool>("--resume") { Description = "continue the run in --out: finished seed jobs are read back, not redone" };
        var replot = new Option<bool>("--replot") { Description = "run nothing: redraw the figures and summary.md's tables from the CSVs in --out (the summary's run-time line is kept)" };
        var command = new Command("experiment", "Run one of the paper's experiments (CSV, PNG plots, summary.md)");
        command.Arguments.Add(name);
        foreach (var option in new Option[] { output, quick, list, seeds, steps, epochs, lr, threads, data, resume, replot }) command.Options.Add(option);
        command.SetAction(parse => context.Guard(() =>
        {
            var settings = Settings(parse.GetValue(quick), parse.GetValue(seeds), parse.GetValue(steps), parse.GetValue(epochs),
                parse.GetValue(lr), parse.GetValue(threads), parse.GetValue(data), parse.GetValue(resume), parse.GetValue(replot));
            return Run(context, parse.GetValue(name), parse.GetValue(output), settings, parse.GetValue(list));
        }));
        return command;
    }

    /// <summary>The bounds of the numeric options: a value outside is a usage error naming the option and its bounds.</summary>
    public static class Bounds
    {
        public static readonly (int Min, int Max) Seeds = (1, 1000), Steps = (1, 100_000_000), Epochs = (1, 100_000), Threads = (1, 256);
    }

    /// <summary>The options as the experiments take them (strings, invariant culture), each checked against its bounds.</summary>
    public static Dictionary<string, string> Settings(bool quick, int? seeds, int? steps, int? epochs, double? lr, int? threads, string? data, bool resume, bool replot = false)
    {
        if (replot && resume) throw CliException.Usage("give --replot or --resume, not both");
        // --replot draws the run already in --out: an option that would change the numbers has nothing to act on.
        if (replot && (quick || seeds is not null || steps is not null || epochs is not null || lr is not null || data is not null))
            throw CliException.Usage("--replot redraws the run in --out from its CSVs: --quick, --seeds, --steps, --epochs, --lr and --data do not apply");
        var settings = new Dictionary<string, string> { ["quick"] = quick ? "true" : "false", ["resume"] = resume ? "true" : "false" };
        if (replot) settings["replot"] = "true";
        void Add(string option, string key, int? value, (int Min, int Max) bounds)
        {
            if (value is not { } v) return;
            if (v < bounds.Min || v > bounds.Max)
                throw CliException.Usage($"{option} must be between {bounds.Min} and {bounds.Max}; got {v}");
            settings[key] = v.ToString(CultureInfo.InvariantCulture);
        }
        Add("--seeds", "seeds", seeds, Bounds.Seeds);
        Add("--steps", "steps", steps, Bounds.Steps);
        Add("--epochs", "epochs", epochs, Bounds.Epochs);
        Add("--threads", "threads", threads, Bounds.Threads);
        if (steps is not null && epochs is not null) throw CliException.Usage("give --steps or --epochs, not both");
        if (lr is { } r)
        {
            // Adam's step is about lr per coordinate: 0 would not move, and beyond 1 no run of ours is stable.
            if (!(r > 0 && r <= 1)) throw CliException.Usage($"--lr must be in (0, 1]; got {r.ToString(CultureInfo.InvariantCulture)}");
            settings["lr"] = r.ToString("R", CultureInfo.InvariantCulture);
        }
        if (data is not null)
        {
            if (data is not ("full" or "shipped")) throw CliException.Usage($"--data must be full or shipped; got '{data}'");
            settings["data"] = data;
        }
        return settings;
    }

    public static int Run(CliContext context, string? name, string? output, IReadOnlyDictionary<string, string> settings, bool list, CancellationToken cancellation = default)
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

        // A real process (not a test host): the first Ctrl+C stops the run at the next job boundary, keeping every finished job.
        using var interrupt = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, interrupt.Token);
        bool console = ReferenceEquals(context.Error, Console.Error);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (interrupt.IsCancellationRequested) return; // a second Ctrl+C ends the process at once
            e.Cancel = true;
            interrupt.Cancel();
            context.Error.WriteLine($"{experiment}: stopping after the running jobs; continue with --resume");
        };
        if (console) Console.CancelKeyPress += onCancel;
        try
        {
            var result = RunWithProgress(context, experiments, experiment, folder, settings, linked.Token);
            context.Out.WriteLine($"{experiment}: {result.Files.Count} files in {folder} ({result.Elapsed.TotalSeconds:F0} s)");
            foreach (var f in result.Files) context.Out.WriteLine("  " + Path.GetFileName(f));
            return ExitCodes.Success;
        }
        catch (ArgumentException ex) when (ex.GetType().Name == "ExperimentInputException")
        {
            // The experiment cannot honour the request (an option it has no use for, data that is not there, a resume with other options).
            throw CliException.Input($"{experiment}: {ex.Message}");
        }
        catch (OperationCanceledException)
        {
            throw CliException.Input($"{experiment}: stopped; the finished jobs are in {Path.Combine(folder, "jobs")}: run the same command with --resume to continue");
        }
        finally
        {
            if (console) Console.CancelKeyPress -= onCancel;
        }
    }

    private static (IReadOnlyList<string> Files, TimeSpan Elapsed) RunWithProgress(CliContext context, ExperimentsLoader experiments, string experiment,
        string folder, IReadOnlyDictionary<string, string> settings, CancellationToken cancellation)
    {
        bool terminal = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        var log = TextWriter.Synchronized(context.Error);
        if (terminal)
        {
            (IReadOnlyList<string>, TimeSpan)? done = null;
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask(experiment, maxValue: 1.0);
                done = experiments.Run(experiment, folder, settings, (fraction, status) =>
                {
                    task.Value = fraction;
                    task.Description = $"{experiment}: {status}";
                }, log, cancellation);
            });
            return done!.Value;
        }
        int reported = -1;
        var gate = new object();
        return experiments.Run(experiment, folder, settings, (fraction, status) =>
        {
            lock (gate)
            {
                int tenth = (int)(fraction * 10);
                if (tenth <= reported) return;
                reported = tenth;
                log.WriteLine($"{experiment}: {tenth * 10}% ({status})");
            }
        }, log, cancellation);
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
