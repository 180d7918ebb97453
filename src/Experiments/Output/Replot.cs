namespace SeriesCompiler.Experiments.Output;

/// <summary>
/// <c>--replot</c>: an experiment's figures and the tables of its summary.md drawn again from the CSVs in the output
/// folder, with no job run (the committed runs keep their CSVs, not their job files). The summary's head, everything up
/// to and including the paragraph with the run time (title, description, the run's settings and time), is kept as the
/// run wrote it: the CSVs do not record the learning rate or the time taken. The CSVs themselves are not rewritten.
/// </summary>
public static class Replot
{
    public const string SummaryFile = "summary.md";

    /// <summary>Refuses options that would change the numbers: a replot draws what is there.</summary>
    public static void CheckOptions(ExperimentOptions options, string name)
    {
        if (options.Resume) throw new ExperimentInputException("give --replot or --resume, not both (--resume on a finished run also redraws, from its jobs/ folder)");
        if (options.Seeds is not null || options.Steps is not null || options.Epochs is not null || options.LearningRate is not null || options.Data is not null)
            throw new ExperimentInputException($"{name} --replot draws the run already in --out: --seeds, --steps, --epochs, --lr and --data have no effect there, give none");
    }

    /// <summary>The kept head of the summary in <paramref name="folder"/>, ending in a blank line.</summary>
    public static string SummaryHead(string folder, string name)
    {
        string path = Path.Combine(folder, SummaryFile);
        var paragraphs = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n") : [];
        int at = Array.FindIndex(paragraphs, p => p.Contains("Run time", StringComparison.Ordinal));
        if (at < 0)
            return $"# {name}\n\nRe-rendered from the CSVs in this folder (`--replot`); the run's settings and time were not recorded here (no {SummaryFile} with a run-time line).\n\n";
        return string.Join("\n\n", paragraphs[..(at + 1)]).TrimEnd('\n') + "\n\n";
    }
}
