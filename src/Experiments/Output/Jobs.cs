using System.Globalization;
using System.Text;

namespace SeriesCompiler.Experiments.Output;

/// <summary>One row of a job's output: which table (CSV) it belongs to, and its key and metrics there.</summary>
public sealed record JobRow(string Table, string Setting, string Estimator, int Seed, int Step, double[] Values);

/// <summary>Collects a job's rows while it runs; they reach the run's tables only when the whole job has finished.</summary>
public sealed class JobRecorder
{
    private readonly List<JobRow> _rows = [];

    public IReadOnlyList<JobRow> Rows => _rows;

    public void Add(string table, string setting, string estimator, int seed, int step, params double[] values)
    {
        // The job file and the CSVs are comma-separated without quoting: a label with a comma would shift its columns.
        if (setting.Contains(',') || estimator.Contains(',') || table.Contains(','))
            throw new ArgumentException($"a label contains a comma: '{table}' '{setting}' '{estimator}'");
        _rows.Add(new JobRow(table, setting, estimator, seed, step, (double[])values.Clone()));
    }
}

/// <summary>
/// A unit of work that is either wholly done or not at all: one setting, estimator and seed of a training run (or one
/// seed of a measurement). Its random streams depend on its key alone, so a job gives the same rows whenever and on
/// whichever thread it runs, and a resumed run equals an uninterrupted one.
/// </summary>
public sealed record ExperimentJob(string Key, string Description, Action<JobRecorder> Run);

/// <summary>
/// Runs an experiment's jobs, writing each finished one to <c>DIR/jobs/KEY.csv</c> as the run goes (written to a
/// temporary name and renamed, with an end line counting its rows, so a file is either whole or detected as cut short).
/// With <see cref="ExperimentOptions.Resume"/> the finished jobs are read back (doubles round-trip exactly through "R")
/// and only the rest run. <c>DIR/jobs/run.txt</c> records the options that fix the numbers: a resume with others is
/// refused. The jobs folder stays when the run is done: <c>--resume</c> then reads every job back and only redraws the
/// figures and summary (git ignores <c>docs/figures/*/jobs/</c>; the combined CSVs hold the same rows).
/// </summary>
public static class JobRunner
{
    private const string EndMarker = "#end ";
    public const string JobsFolder = "jobs";
    private const string RunFile = "run.txt";

    /// <summary>
    /// Runs the jobs not yet done and adds every job's rows to <paramref name="tables"/>. <paramref name="fingerprint"/>
    /// names every setting that changes the numbers (not the thread count). A later phase of the same run (jobs that
    /// need the earlier phase's results) passes <paramref name="laterPhase"/>: its finished jobs are read back as in a resume.
    /// </summary>
    /// <returns>How many jobs were read back rather than run.</returns>
    public static int Run(ExperimentOptions options, string fingerprint, IReadOnlyList<ExperimentJob> jobs, IReadOnlyDictionary<string, RunLog> tables, bool laterPhase = false)
    {
        if (jobs.Select(j => FileName(j.Key)).Distinct().Count() != jobs.Count) throw new InvalidOperationException("two jobs share a key");
        string folder = Path.Combine(options.OutputDirectory, JobsFolder);
        string runFile = Path.Combine(folder, RunFile);
        var finished = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.csv") : [];
        bool resume = options.Resume || laterPhase;
        if (!resume && finished.Length > 0)
            throw new ExperimentInputException(
                $"'{options.OutputDirectory}' holds {finished.Length} finished job(s) of an earlier run in {JobsFolder}/: continue it (or redraw its figures) with --resume, or remove that folder to start afresh");
        Directory.CreateDirectory(folder);
        if (File.Exists(runFile))
        {
            string earlier = File.ReadAllText(runFile).Trim();
            if (earlier != fingerprint.Trim())
                throw new ExperimentInputException($"--resume: the run in '{folder}' was started with other options.\n  then: {earlier}\n  now:  {fingerprint}");
        }
        else
        {
            WriteAtomically(runFile, fingerprint + "\n");
        }

        var pending = new List<ExperimentJob>();
        foreach (var job in jobs)
        {
            string path = Path.Combine(folder, FileName(job.Key));
            if (resume && TryRead(path, out var rows))
            {
                Add(tables, rows);
                options.Log?.WriteLine($"resume: {job.Description} read back ({rows.Count} rows)");
            }
            else
            {
                if (File.Exists(path)) options.Log?.WriteLine($"resume: {job.Description} was cut short; running it again");
                pending.Add(job);
            }
        }
        int total = jobs.Count, done = total - pending.Count, readBack = done;
        if (done > 0) options.Log?.WriteLine($"resume: {done} of {total} jobs already done");
        options.Progress?.Report(new ExperimentProgress((double)done / total, done > 0 ? $"{done} jobs read back" : "starting"));
        var gate = new object();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = options.Cancellation };
        Parallel.ForEach(pending, parallel, job =>
        {
            options.Cancellation.ThrowIfCancellationRequested();
            var recorder = new JobRecorder();
            job.Run(recorder);
            Write(Path.Combine(folder, FileName(job.Key)), recorder.Rows);
            lock (gate)
            {
                Add(tables, recorder.Rows);
                done++;
                options.Log?.WriteLine($"done {done}/{total}: {job.Description}");
                options.Progress?.Report(new ExperimentProgress((double)done / total, job.Description));
            }
        });
        return readBack;
    }

    /// <summary>The summary's run time: this invocation's, and how many jobs came from an earlier one (their time is not in it).</summary>
    public static string RunTime(TimeSpan elapsed, int readBack, int total) =>
        readBack == 0 ? string.Create(CultureInfo.InvariantCulture, $"Run time {elapsed.TotalSeconds:F0} s")
        : string.Create(CultureInfo.InvariantCulture, $"Run time {elapsed.TotalSeconds:F0} s for this invocation, which read {readBack} of {total} jobs back from an earlier one (their time is not included)");

    private static void Add(IReadOnlyDictionary<string, RunLog> tables, IEnumerable<JobRow> rows)
    {
        foreach (var r in rows)
        {
            var log = tables.TryGetValue(r.Table, out var t) ? t : throw new InvalidOperationException($"no table '{r.Table}'");
            log.Add(r.Setting, r.Estimator, r.Seed, r.Step, r.Values);
        }
    }

    /// <summary>The job's key as a file name: letters, digits, '.', '-' and '=' kept, anything else '_'.</summary>
    public static string FileName(string key)
    {
        var sb = new StringBuilder(key.Length + 4);
        foreach (char c in key) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '=' ? c : '_');
        return sb.Append(".csv").ToString();
    }

    private static void Write(string path, IReadOnlyList<JobRow> rows)
    {
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            sb.Append(r.Table).Append(',').Append(r.Setting).Append(',').Append(r.Estimator).Append(',')
              .Append(r.Seed.ToString(CultureInfo.InvariantCulture)).Append(',').Append(r.Step.ToString(CultureInfo.InvariantCulture));
            foreach (var v in r.Values) sb.Append(',').Append(RunLog.Format(v));
            sb.Append('\n');
        }
        sb.Append(EndMarker).Append(rows.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        WriteAtomically(path, sb.ToString());
    }

    private static void WriteAtomically(string path, string text)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A whole job file's rows; false for a file that is missing, cut short or malformed (the job is redone).</summary>
    public static bool TryRead(string path, out List<JobRow> rows)
    {
        rows = [];
        if (!File.Exists(path)) return false;
        var lines = File.ReadAllText(path).Split('\n');
        // A whole file ends "#end COUNT\n": the split leaves an empty last element after it.
        if (lines.Length < 2 || lines[^1].Length != 0 || !lines[^2].StartsWith(EndMarker, StringComparison.Ordinal)) return false;
        if (!int.TryParse(lines[^2].AsSpan(EndMarker.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count != lines.Length - 2) return false;
        foreach (var line in lines.AsSpan(0, count))
        {
            var f = line.Split(',');
            if (f.Length < 5
                || !int.TryParse(f[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed)
                || !int.TryParse(f[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int step)) return false;
            var values = new double[f.Length - 5];
            for (int i = 0; i < values.Length; i++)
                if (!RunLog.TryParse(f[5 + i], out values[i])) return false;
            rows.Add(new JobRow(f[0], f[1], f[2], seed, step, values));
        }
        return true;
    }
}
