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
                var fuzzCase = FuzzCase.Create(options.Seed, index, seeds, options.GeneratedFraction);
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
            var fuzzCase = FuzzCase.Create(options.Seed, index, seeds, options.GeneratedFraction);
            var result = PipelineRunner.Run(fuzzCase, library, compile);
            stdout.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
            stdout.Flush();
        }
        return 0;
    }

    private enum ReceiveStatus { Line, Timeout, Died }

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
                     })
                info.ArgumentList.Add(arg);
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.UseShellExecute = false;
            info.StandardOutputEncoding = new UTF8Encoding(false);
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

        private static ProcessStartInfo WorkerStartInfo()
        {
            string? host = Environment.ProcessPath;
            string assembly = typeof(IsolatedFuzzer).Assembly.Location;
            bool viaDotnet = host is null || Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
            var info = new ProcessStartInfo(viaDotnet ? host ?? "dotnet" : host!);
            if (viaDotnet) info.ArgumentList.Add(assembly);
            return info;
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
