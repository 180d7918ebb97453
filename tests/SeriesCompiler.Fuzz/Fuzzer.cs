using System.Diagnostics;
using System.Globalization;
using System.Text;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Fuzz;

public sealed class FuzzOptions
{
    public long Cases { get; set; } = 1000;
    public int Seed { get; set; } = 1;

    /// <summary>First case index (to resume or to split a run).</summary>
    public long Start { get; set; }

    /// <summary>How many well-formed cases to compile with Roslyn (spread over the run).</summary>
    public int CompileSample { get; set; }

    /// <summary>A case that takes longer is a hang.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Extra time for a case that is compiled with Roslyn (its first compile loads the compiler).</summary>
    public TimeSpan CompileAllowance { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of generated (well-formed) cases; the rest are mutations of the bundled declarations.</summary>
    public double GeneratedFraction { get; set; } = 0.5;

    /// <summary>Where inputs of failing cases are saved (null: not saved).</summary>
    public string? FindingsDirectory { get; set; }

    /// <summary>Cases per worker process before it is replaced (isolated mode only).</summary>
    public int Recycle { get; set; } = 25_000;

    /// <summary>Highest random order (1..12); the short run in the tests uses a lower one to stay fast on slow machines.</summary>
    public int MaxRandomOrder { get; set; } = FuzzCase.MaxRandomOrder;

    /// <summary>
    /// Managed heap limit of a worker process (isolated mode): a case that exhausts it is a crash
    /// (OutOfMemoryException) instead of a machine out of memory.
    /// </summary>
    public int WorkerHeapLimitMiB { get; set; } = 4096;

    /// <summary>Leave out cases that <see cref="KnownIssues"/> recognises (the short run in the tests does).</summary>
    public bool SkipKnownIssues { get; set; }
}

/// <summary>A case that crashed, hung, got an unpositioned diagnostic, broke an invariant or did not compile.</summary>
/// <param name="KnownIssue">The id of the known, not yet fixed bug the input matches (<see cref="KnownIssues"/>), or null: a new finding.</param>
public sealed record Finding(long Index, string Category, string Kind, string Detail, string? SavedTo, string? KnownIssue);

/// <summary>The totals of a run.</summary>
public sealed class FuzzSummary
{
    public int Seed { get; init; }
    public long Cases { get; set; }
    public long Generated { get; set; }
    public long Mutated { get; set; }
    public long WithoutDiagnostics { get; set; }
    public long Emitted { get; set; }
    public long CompileAttempts { get; set; }
    public long CompileFailures { get; set; }
    public long Crashes { get; set; }
    public long Hangs { get; set; }
    public long Unpositioned { get; set; }
    public long Inconsistencies { get; set; }
    public long WorkerRestarts { get; set; }

    /// <summary>Cases left out because they match a known issue (only with <see cref="FuzzOptions.SkipKnownIssues"/>).</summary>
    public long SkippedKnown { get; set; }

    /// <summary>Failing cases whose input matches no known issue: new bugs.</summary>
    public long Unexplained { get; set; }
    public double SlowestMilliseconds { get; set; }
    public long SlowestIndex { get; set; } = -1;
    public long PeakHeapBytes { get; set; }
    public TimeSpan Elapsed { get; set; }
    public SortedDictionary<string, long> Ids { get; } = new(StringComparer.Ordinal);
    public List<Finding> Findings { get; } = new();

    /// <summary>Findings grouped by category and the place they arise (the first compiler frame of a crash).</summary>
    public SortedDictionary<string, (long Count, long FirstIndex)> Signatures { get; } = new(StringComparer.Ordinal);

    public bool Clean => Crashes == 0 && Hangs == 0 && Unpositioned == 0 && Inconsistencies == 0 && CompileFailures == 0;

    /// <summary>Adds a finished case and records its findings (saving its input when a folder is given).</summary>
    public void Add(FuzzCase fuzzCase, CaseResult result, string? findingsDirectory)
    {
        Cases++;
        if (fuzzCase.WellFormed) Generated++; else Mutated++;
        if (result.Ids.Count == 0) WithoutDiagnostics++;
        foreach (var (id, n) in result.Ids) Ids[id] = Ids.GetValueOrDefault(id) + n;
        if (result.Emitted) Emitted++;
        if (result.CompileAttempted) CompileAttempts++;
        if (result.Milliseconds > SlowestMilliseconds)
        {
            SlowestMilliseconds = result.Milliseconds;
            SlowestIndex = fuzzCase.Index;
        }
        PeakHeapBytes = Math.Max(PeakHeapBytes, result.HeapBytes);
        if (result.Crash is not null) { Crashes++; Record(fuzzCase, "crash", result.Crash, findingsDirectory); }
        if (result.Unpositioned.Count > 0) { Unpositioned++; Record(fuzzCase, "unpositioned", string.Join("\n", result.Unpositioned), findingsDirectory); }
        if (result.Inconsistencies.Count > 0) { Inconsistencies++; Record(fuzzCase, "inconsistent", string.Join("\n", result.Inconsistencies), findingsDirectory); }
        if (result.CompileErrors is not null) { CompileFailures++; Record(fuzzCase, "compile", result.CompileErrors, findingsDirectory); }
    }

    public void AddHang(FuzzCase fuzzCase, TimeSpan limit, string? findingsDirectory)
    {
        Cases++;
        Hangs++;
        if (fuzzCase.WellFormed) Generated++; else Mutated++;
        Record(fuzzCase, "hang", $"no result within {limit.TotalSeconds:0.#} s", findingsDirectory);
    }

    public void AddProcessCrash(FuzzCase fuzzCase, string detail, string? findingsDirectory)
    {
        Cases++;
        Crashes++;
        if (fuzzCase.WellFormed) Generated++; else Mutated++;
        Record(fuzzCase, "crash", detail, findingsDirectory);
    }

    private void Record(FuzzCase fuzzCase, string category, string detail, string? directory)
    {
        string? known = KnownIssues.Explain(fuzzCase.Text, category, detail)?.Id;
        if (known is null) Unexplained++;
        string signature = category + ": " + Signature(category, detail) + (known is null ? " [new]" : $" [{known}]");
        Signatures[signature] = Signatures.TryGetValue(signature, out var seen) ? (seen.Count + 1, seen.FirstIndex) : (1, fuzzCase.Index);
        string? path = null;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            path = Path.Combine(directory, $"{category}-seed{Seed}-case{fuzzCase.Index}.dist");
            File.WriteAllText(path, fuzzCase.Text, new UTF8Encoding(false));
            File.WriteAllText(Path.ChangeExtension(path, ".txt"),
                $"seed {Seed}, case {fuzzCase.Index}, {fuzzCase.Kind}, random order {fuzzCase.Order}\n{category}:\n{detail}\n", new UTF8Encoding(false));
        }
        // Keep the report readable: the first findings of each category in full.
        if (Findings.Count(f => f.Category == category) < 50)
            Findings.Add(new Finding(fuzzCase.Index, category, fuzzCase.Kind, detail, path, known));
    }

    /// <summary>What identifies a finding's cause: the exception and its innermost compiler frame, or the first message line.</summary>
    public static string Signature(string category, string detail)
    {
        var lines = detail.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (category != "crash") return lines.Count == 0 ? "" : System.Text.RegularExpressions.Regex.Replace(lines[0], @"'[^']*'|\d+", "_");
        string what = lines.FirstOrDefault(l => l.StartsWith("Stack overflow", StringComparison.Ordinal))
            ?? lines.FirstOrDefault(l => !l.StartsWith("at ", StringComparison.Ordinal) && !l.StartsWith("the worker", StringComparison.Ordinal))?.Split(':')[0] ?? "";
        var frames = lines.Where(l => l.StartsWith("at SeriesCompiler.", StringComparison.Ordinal) && !l.Contains("SeriesCompiler.Fuzz", StringComparison.Ordinal)).ToList();
        // A stack overflow repeats its cycle: name the compiler frame that repeats most; otherwise the innermost one.
        string frame = what.StartsWith("Stack overflow", StringComparison.Ordinal)
            ? frames.GroupBy(f => f).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault() ?? ""
            : frames.FirstOrDefault() ?? "";
        int paren = frame.IndexOf('(');
        return what + " " + (paren > 0 ? frame[..paren] : frame);
    }

    public void Print(TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"seed {Seed}: {Cases} cases ({Generated} generated, {Mutated} mutated) in {Elapsed.TotalSeconds.ToString("0.0", inv)} s ({(Cases / Math.Max(1e-9, Elapsed.TotalSeconds)).ToString("0", inv)} cases/s)");
        if (SkippedKnown > 0) output.WriteLine($"  skipped:          {SkippedKnown} cases that match known issues");
        output.WriteLine($"  crashes:          {Crashes}");
        output.WriteLine($"  hangs:            {Hangs}");
        output.WriteLine($"  unpositioned:     {Unpositioned}");
        output.WriteLine($"  inconsistent:     {Inconsistencies}");
        output.WriteLine($"  emitted:          {Emitted} cases produced C#");
        output.WriteLine($"  compiled:         {CompileAttempts} with Roslyn, {CompileFailures} failed");
        output.WriteLine($"  no diagnostics:   {WithoutDiagnostics} cases");
        output.WriteLine($"  slowest case:     {SlowestMilliseconds.ToString("0", inv)} ms (case {SlowestIndex})");
        output.WriteLine($"  peak heap:        {(PeakHeapBytes / 1048576.0).ToString("0", inv)} MiB" + (WorkerRestarts > 0 ? $" (worker restarts: {WorkerRestarts})" : ""));
        output.WriteLine("  diagnostics by id:");
        var titles = Catalogue.All.ToDictionary(d => d.Id, d => d.Title);
        foreach (var (id, n) in Ids)
            output.WriteLine($"    {id}  {n,9}  {titles.GetValueOrDefault(id, "(not in the catalogue)")}");
        var never = titles.Keys.Where(id => !Ids.ContainsKey(id)).ToList();
        if (never.Count > 0) output.WriteLine("  never reported:   " + string.Join(" ", never));
        output.WriteLine($"  unexplained:      {Unexplained} failing cases match no known issue");
        foreach (var (signature, (count, first)) in Signatures)
            output.WriteLine($"  {count,6} x {signature} (first: case {first})");
        foreach (var f in Findings)
        {
            output.WriteLine($"  {f.Category.ToUpperInvariant()} case {f.Index} ({f.Kind}) [{f.KnownIssue ?? "new"}]{(f.SavedTo is null ? "" : " saved to " + f.SavedTo)}");
            foreach (var line in f.Detail.Split('\n').Where(l => l.Length > 0).Take(8)) output.WriteLine("      " + line);
        }
        output.WriteLine(Clean ? "RESULT: clean" : "RESULT: FINDINGS");
    }
}

/// <summary>
/// The core loop, in this process: every case on a thread of its own, bounded by <see cref="FuzzOptions.Timeout"/>.
/// A case that overruns is counted as a hang and left running in the background (threads cannot be stopped), so the
/// long run uses <see cref="IsolatedFuzzer"/> instead, whose workers can be killed and which survives stack overflows.
/// </summary>
public static class Fuzzer
{
    public static FuzzSummary Run(FuzzOptions options, IReadOnlyList<SourceText> library, TextWriter? progress = null)
    {
        var seeds = library.Select(s => s.Text).ToList();
        var summary = new FuzzSummary { Seed = options.Seed };
        var planner = new CompilePlanner(options);
        var watch = Stopwatch.StartNew();
        for (long index = options.Start; index < options.Start + options.Cases; index++)
        {
            var fuzzCase = FuzzCase.Create(options.Seed, index, seeds, options.GeneratedFraction, options.MaxRandomOrder);
            if (options.SkipKnownIssues && KnownIssues.Match(fuzzCase.Text) is not null)
            {
                summary.SkippedKnown++;
                continue;
            }
            bool compile = planner.ShouldCompile(fuzzCase);
            var limit = options.Timeout + (compile ? options.CompileAllowance : TimeSpan.Zero);
            CaseResult? result = null;
            var thread = new Thread(() => result = PipelineRunner.Run(fuzzCase, library, compile)) { IsBackground = true, Name = "fuzz case " + index };
            thread.Start();
            if (!thread.Join(limit))
                summary.AddHang(fuzzCase, limit, options.FindingsDirectory);
            else
            {
                summary.Add(fuzzCase, result!, options.FindingsDirectory);
                planner.Completed(result!.CompileAttempted);
            }
            if (progress is not null && (index - options.Start + 1) % 1000 == 0)
                progress.WriteLine($"  {index - options.Start + 1} cases, {summary.Crashes} crashes, {summary.Hangs} hangs, {watch.Elapsed.TotalSeconds:0} s");
        }
        summary.Elapsed = watch.Elapsed;
        return summary;
    }

    /// <summary>The bundled declarations, from <c>distributions/</c> beside the binaries or in the repository.</summary>
    public static IReadOnlyList<SourceText> LoadLibrary(string? directory = null)
    {
        directory ??= FindDistributions() ?? throw new DirectoryNotFoundException("no distributions/ folder beside the binaries or above them");
        return Directory.GetFiles(directory, "*.dist").OrderBy(p => p, StringComparer.Ordinal).Select(f => SourceText.FromFile(f)).ToList();
    }

    private static string? FindDistributions()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "distributions");
        if (Directory.Exists(local) && Directory.GetFiles(local, "*.dist").Length > 0) return local;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SeriesCompiler.sln")))
                return Path.Combine(dir.FullName, "distributions");
        return null;
    }
}

/// <summary>
/// Spreads the Roslyn compilations over the run: at every k-th well-formed case one compilation falls due, and it is
/// made on that case or, if it emits nothing, on the next well-formed case that does, until the sample is full.
/// </summary>
public sealed class CompilePlanner(FuzzOptions options)
{
    private readonly long _stride = options.CompileSample <= 0 ? long.MaxValue
        : Math.Max(1, (long)(options.Cases * options.GeneratedFraction / options.CompileSample));
    private long _wellFormed;
    private long _attempted;
    private bool _due;

    public bool ShouldCompile(FuzzCase fuzzCase)
    {
        if (!fuzzCase.WellFormed || options.CompileSample <= 0 || _attempted >= options.CompileSample) return false;
        if (_wellFormed++ % _stride == 0) _due = true;
        return _due;
    }

    public void Completed(bool compiled)
    {
        if (!compiled) return;
        _due = false;
        _attempted++;
    }
}

/// <summary>
/// <see cref="DiagnosticCatalogue.All"/>, complete. The catalogue's descriptors are static fields registered by its
/// static initialiser, which (the class having no static constructor) runs only when a field is first read: in a
/// process that has not reported a diagnostic yet, <c>All</c> is empty. Running the initialiser first avoids that.
/// </summary>
public static class Catalogue
{
    public static IReadOnlyList<DiagnosticDescriptor> All
    {
        get
        {
            System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(DiagnosticCatalogue).TypeHandle);
            return DiagnosticCatalogue.All;
        }
    }
}
