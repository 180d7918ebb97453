using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Fuzz;

/// <summary>
/// The core loop with every case run in a worker process: a case that overruns its time is a hang, and the worker is
/// killed and replaced (a thread could not be stopped); a worker that dies (a stack overflow cannot be caught) is a
/// crash. The parent builds each case too (cases are a function of seed and index), so it can save the input of
/// any case that hung or took its worker down.
/// </summary>
public static class IsolatedFuzzer
{
    private const string ResultPrefix = "@@fuzz ";

    public static FuzzSummary Run(FuzzOptions options, string distributions, TextWriter progress)
    {
        var library = Fuzzer.LoadLibrary(distributions);
        var seeds = library.Select(s => s.Text).ToList();
        var summary = new FuzzSummary { Seed = options.Seed };
        var planner = new CompilePlanner(options);
        var watch = Stopwatch.StartNew();
        Worker? worker = null;
        int served = 0;
        try
        {
            for (long index = options.Start; index < options.Start + options.Cases; index++)
            {
                if (worker is null || served >= options.Recycle)
                {
                    if (worker is not null) summary.WorkerRestarts++;
                    worker?.Dispose();
                    worker = new Worker(options, distributions);
                    served = 0;
                }
                var fuzzCase = FuzzCase.Create(options.Seed, index, seeds, options.GeneratedFraction, options.MaxRandomOrder);
                if (options.SkipKnownIssues && KnownIssues.Match(fuzzCase.Text) is not null)
                {
                    summary.SkippedKnown++;
                    continue;
                }
                bool compile = planner.ShouldCompile(fuzzCase);
                // The first case of a worker also pays for loading and JIT-compiling the pipeline.
                var limit = options.Timeout + (compile ? options.CompileAllowance : TimeSpan.Zero) + (served == 0 ? TimeSpan.FromSeconds(10) : TimeSpan.Zero);
                served++;
                worker.Send($"{index} {(compile ? 1 : 0)}");
                var (status, line) = worker.Receive(limit);
                switch (status)
                {
                    case ReceiveStatus.Line:
                        var result = JsonSerializer.Deserialize<CaseResult>(line!)!;
                        summary.Add(fuzzCase, result, options.FindingsDirectory);
                        planner.Completed(result.CompileAttempted);
                        break;
                    case ReceiveStatus.Timeout:
                        summary.AddHang(fuzzCase, limit, options.FindingsDirectory);
                        worker.Dispose();
                        worker = null;
                        summary.WorkerRestarts++;
                        break;
                    default:
                        summary.AddProcessCrash(fuzzCase, worker.DescribeDeath(), options.FindingsDirectory);
                        worker.Dispose();
                        worker = null;
                        summary.WorkerRestarts++;
                        break;
                }
                long done = index - options.Start + 1;
                if (done % 5000 == 0)
                    progress.WriteLine($"  {done} cases, {summary.Crashes} crashes, {summary.Hangs} hangs, {summary.Unpositioned} unpositioned, {summary.CompileAttempts} compiled, {watch.Elapsed.TotalSeconds:0} s");
            }
        }
        finally
        {
            worker?.Dispose();
        }
        summary.Elapsed = watch.Elapsed;
        return summary;
    }

    /// <summary>The worker's side: reads "INDEX COMPILE" lines, answers each with one result line.</summary>
    public static int Serve(FuzzOptions options, string distributions)
    {
        var library = Fuzzer.LoadLibrary(distributions);
        var seeds = library.Select(s => s.Text).ToList();
        var stdout = Console.Out;
        // Nothing the compiler might print may be taken for a result.
        Console.SetOut(TextWriter.Null);
        string? request;
        while ((request = Console.In.ReadLine()) is not null)
        {
            var parts = request.Split(' ');
            long index = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            bool compile = parts[1] == "1";
            var fuzzCase = FuzzCase.Create(options.Seed, index, seeds, options.GeneratedFraction, options.MaxRandomOrder);
            var result = PipelineRunner.Run(fuzzCase, library, compile);
            stdout.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
            stdout.Flush();
        }
        return 0;
    }

    /// <summary>The outcome of <see cref="Replay"/>: the exit code (0: no finding), whether it ran out of time, and its output.</summary>
    public sealed record ReplayResult(int ExitCode, bool TimedOut, string Output)
    {
        public bool Clean => ExitCode == 0 && !TimedOut;
        public override string ToString() => (TimedOut ? "timed out; " : $"exit code {ExitCode}; ") + (Output.Length > 3000 ? Output[..3000] + "..." : Output);
    }

    /// <summary>
    /// Runs one declaration text through the pipeline in a child process (<c>--replay</c>), so that a stack overflow, a
    /// hang or memory exhaustion (the managed heap is capped at <paramref name="heapLimitMiB"/>) fails only that run.
    /// </summary>
    public static ReplayResult Replay(string text, int order, TimeSpan timeout, bool compile = false, int heapLimitMiB = 2048)
    {
        string file = Path.Combine(Path.GetTempPath(), "seriesc-replay-" + Guid.NewGuid().ToString("N") + ".dist");
        File.WriteAllText(file, text, new UTF8Encoding(false));
        try
        {
            var info = WorkerStartInfo();
            foreach (var arg in new[] { "--replay", file, "--order", order.ToString(System.Globalization.CultureInfo.InvariantCulture), "--compile-sample", compile ? "1" : "0" })
                info.ArgumentList.Add(arg);
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.UseShellExecute = false;
            info.Environment["DOTNET_GCHeapHardLimit"] = "0x" + ((long)heapLimitMiB << 20).ToString("X", System.Globalization.CultureInfo.InvariantCulture);
            var output = new StringBuilder();
            using var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) if (output.Length < 100_000) output.Append(e.Data).Append('\n'); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) if (output.Length < 100_000) output.Append(e.Data).Append('\n'); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            bool finished = process.WaitForExit(timeout);
            if (!finished) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) return new ReplayResult(finished ? process.ExitCode : -1, !finished, output.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private enum ReceiveStatus { Line, Timeout, Died }

    /// <summary>
    /// This assembly as a program: its app host beside it if there is one, else <c>dotnet</c> with the assembly (the
    /// current process may be a test host, so its own path is no use).
    /// </summary>
    private static ProcessStartInfo WorkerStartInfo()
    {
        string assembly = typeof(IsolatedFuzzer).Assembly.Location;
        string appHost = Path.Combine(Path.GetDirectoryName(assembly)!, Path.GetFileNameWithoutExtension(assembly) + (OperatingSystem.IsWindows() ? ".exe" : ""));
        if (File.Exists(appHost)) return new ProcessStartInfo(appHost);
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host) || !File.Exists(host))
            host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? p : "dotnet";
        var info = new ProcessStartInfo(host);
        info.ArgumentList.Add(assembly);
        return info;
    }


    private sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<string?> _lines = new();
        private readonly StringBuilder _stderr = new();     // the first lines of standard error
        private readonly Queue<string> _stderrTail = new(); // and the last ones (a stack trace's outer frames)

        public Worker(FuzzOptions options, string distributions)
        {
            var info = WorkerStartInfo();
            foreach (var arg in new[]
                     {
                         "--worker", "--seed", options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--generated-fraction", options.GeneratedFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                         "--distributions", distributions,
                         "--max-order", options.MaxRandomOrder.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     })
                info.ArgumentList.Add(arg);
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.UseShellExecute = false;
            info.StandardOutputEncoding = new UTF8Encoding(false);
            if (options.WorkerHeapLimitMiB > 0)
                info.Environment["DOTNET_GCHeapHardLimit"] = "0x" + ((long)options.WorkerHeapLimitMiB << 20).ToString("X", System.Globalization.CultureInfo.InvariantCulture);
            _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start a fuzz worker");
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_stderr)
                {
                    if (_stderr.Length < 4000) _stderr.Append(e.Data).Append('\n');
                    else
                    {
                        _stderrTail.Enqueue(e.Data);
                        if (_stderrTail.Count > 30) _stderrTail.Dequeue();
                    }
                }
            };
            _process.BeginErrorReadLine();
            var reader = new Thread(() =>
            {
                try
                {
                    string? line;
                    while ((line = _process.StandardOutput.ReadLine()) is not null)
                        if (line.StartsWith(ResultPrefix, StringComparison.Ordinal)) _lines.Add(line[ResultPrefix.Length..]);
                }
                catch (Exception) { /* the worker was killed */ }
                _lines.Add(null);
            }) { IsBackground = true, Name = "fuzz worker reader" };
            reader.Start();
        }

        public void Send(string line)
        {
            try
            {
                _process.StandardInput.WriteLine(line);
                _process.StandardInput.Flush();
            }
            catch (IOException) { /* it died; Receive reports it */ }
        }

        public (ReceiveStatus, string?) Receive(TimeSpan limit)
        {
            if (!_lines.TryTake(out var line, limit)) return (ReceiveStatus.Timeout, null);
            return line is null ? (ReceiveStatus.Died, null) : (ReceiveStatus.Line, line);
        }

        public string DescribeDeath()
        {
            _process.WaitForExit(5000);
            string code = _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
            lock (_stderr)
                return $"the worker process died (exit code {code}):\n{_stderr}" + (_stderrTail.Count > 0 ? "...\n" + string.Join("\n", _stderrTail) : "");
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.Close();
                    if (!_process.WaitForExit(200)) _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(5000);
                }
            }
            catch (Exception) { /* already gone */ }
            _process.Dispose();
        }
    }
}
