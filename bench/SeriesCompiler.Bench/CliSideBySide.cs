using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Generated;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Bench;

/// <summary>
/// Issue 13: the gamma toy through the command line, <c>seriesc estimate gamma --at k=2.5,mu=0.7 --dims 100
/// --f "(z - 0.49)^2" --samples 20000</c>, per sample, beside the same estimate through the C# API (the build-time
/// GammaRule the CLI also takes, with the parsed --f and with <c>Objective.Sum</c>) and PyTorch's batched pathwise and
/// score at 20,000 samples (bench/peers/torch_gamma_toy.py, CPU, one thread). For the CLI two numbers: the estimate
/// alone (its JSON "seconds") and the whole process (start-up, parsing the library, writing), each divided by the
/// samples. Two CLIs: the managed <c>dotnet seriesc.dll</c> (rows "managed") and the native front, the installed tool's
/// entry point on linux-x64 (src/Cli.Native, Native AOT: rows "native", which exec its AVX-512 twin for estimate where
/// the processor has AVX-512, and rows "native v3", kept in the front's own x86-64-v3 code by SERIESC_AVX512=0;
/// <c>--order 2</c> is handed on to the managed seriesc, so it has no native row). The best of a few runs of each (the
/// machine is shared).
/// Run from the repository root: <c>dotnet build src/Cli -c Release</c>, <c>dotnet publish src/Cli.Native -c Release</c>,
/// then <c>dotnet run -c Release --project bench/SeriesCompiler.Bench -- cli</c> (<c>SERIESC</c> names another seriesc.dll,
/// <c>SERIESC_NATIVE</c> another native front, e.g. an installed tool's <c>~/.dotnet/tools/seriesc</c>; without a native
/// front the native rows are left out).
/// </summary>
internal static class CliSideBySide
{
    private const int D = 100, Samples = 20_000, Runs = 3;
    private const string F = "(z - 0.49)^2";

    // The CLI's estimator names and options; "fourier" without --order is Gamma's exact resummed rule.
    private static readonly (string Name, string[] Options, Func<Rule, GradientEstimator> Api)[] Estimators =
    [
        ("fourier", ["--estimator", "fourier"], r => new ResummedEstimator(r)),
        ("fourier N=2", ["--estimator", "fourier", "--order", "2"], r => new FourierEstimator(r, 2)),
        ("resummed", ["--estimator", "resummed"], r => new ResummedEstimator(r)),
        ("pathwise", ["--estimator", "pathwise"], r => new PathwiseEstimator(r)),
    ];

    private sealed record Row(string Name, double CliEstimate, double CliWall, double ApiParsed, double ApiSum, double CliCpu, double ApiParsedCpu);

    public static void Run(TextWriter output)
    {
        string? seriesc = Environment.GetEnvironmentVariable("SERIESC") ?? FindUp(Path.Combine("src", "Cli", "bin", "Release", "net10.0", "seriesc.dll"));
        if (seriesc is null || !File.Exists(seriesc))
        {
            output.WriteLine("seriesc.dll not found: run `dotnet build src/Cli -c Release` first, or set SERIESC");
            return;
        }
        string? native = Environment.GetEnvironmentVariable("SERIESC_NATIVE")
            ?? FindUp(Path.Combine("src", "Cli.Native", "bin", "Release", "net10.0", "linux-x64", "publish", "seriesc-native"));
        if (native is not null && !File.Exists(native)) native = null;
        string load = SideBySide.LoadAverage();
        var rule = Rule.From(GammaRule.Instance);
        var theta = new double[2 * D];
        for (int j = 0; j < D; j++) (theta[2 * j], theta[2 * j + 1]) = (2.5, 0.7);
        var parsed = ObjectiveParser.Parse(F, ObjectiveShape.For(rule, [2.5, 0.7], D));
        var sum = Objective.Sum(z => Jet.Square(z - 0.49));

        var rows = new List<Row>();
        foreach (var (name, options, api) in Estimators)
        {
            var (apiParsed, apiParsedCpu) = ApiWithCpu(api(rule), theta, parsed);
            double apiSum = Api(api(rule), theta, sum);
            // "native v3": the front kept in its own x86-64-v3 code (SERIESC_AVX512=0), without its AVX-512 twin.
            foreach (var (kind, program, prefix) in (ReadOnlySpan<(string, string?, string[])>)[("managed", "dotnet", [seriesc]), ("native", native, []), ("native v3", native, [])])
            {
                if (program is null || (kind != "managed" && options.Contains("--order"))) continue;
                double cliEstimate = double.PositiveInfinity, cliWall = double.PositiveInfinity, cliCpu = double.PositiveInfinity;
                for (int run = 0; run < Runs; run++)
                {
                    var (estimate, wall, cpu) = Cli(program, prefix, options, avx512Twin: kind != "native v3");
                    (cliEstimate, cliWall, cliCpu) = (Math.Min(cliEstimate, estimate), Math.Min(cliWall, wall), Math.Min(cliCpu, cpu));
                }
                rows.Add(new Row($"{name} ({kind})", cliEstimate / Samples, cliWall / Samples, apiParsed, apiSum, cliCpu / Samples, apiParsedCpu));
            }
        }
        var torch = Torch(output);

        output.WriteLine($"gamma toy through the CLI: d = {D}, f = {F}, {Samples} samples; us per sample, best of {Runs}; load average {load} before, {SideBySide.LoadAverage()} after");
        output.WriteLine($"managed: dotnet {seriesc}; native: {native ?? "(not found: publish src/Cli.Native or set SERIESC_NATIVE)"}");
        if (native is not null)
            output.WriteLine($"native: the front, which execs its AVX-512 twin for estimate where the processor has AVX-512 (twin {(File.Exists(native + "-avx512") ? "present" : "absent")}, "
                + $"AVX-512 {(System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "available" : "not available")} here); native v3: the front's own x86-64-v3 code (SERIESC_AVX512=0)");
        output.WriteLine();
        output.WriteLine($"  {"estimator",-22} {"CLI estimate",13} {"CLI process",12} {"API (--f)",10} {"API (Sum)",10} {"CLI/API",8} {"torch pathwise/CLI",19} {"CLI est. CPU",13} {"API (--f) CPU",14} {"torch/CLI CPU",14}");
        double torchPathwise = torch.GetValueOrDefault("pathwise", double.NaN), torchCpu = torch.GetValueOrDefault("pathwise cpu", double.NaN);
        foreach (var r in rows)
            output.WriteLine($"  {r.Name,-22} {N(r.CliEstimate),13} {N(r.CliWall),12} {N(r.ApiParsed),10} {N(r.ApiSum),10} {N(r.CliEstimate / r.ApiParsed, "F2"),8} "
                + $"{(double.IsNaN(torchPathwise) ? "-" : N(torchPathwise / r.CliEstimate, "F2") + "x"),19} {N(r.CliCpu),13} {N(r.ApiParsedCpu),14} "
                + $"{(double.IsNaN(torchCpu) ? "-" : N(torchCpu / r.CliCpu, "F2") + "x"),14}");
        foreach (var (name, micros) in torch)
            output.WriteLine($"  {"torch " + name,-22} {N(micros),13} (batched, {Samples} samples per gradient; \"cpu\": this thread's CPU time)");
        output.WriteLine("  (us per sample; CLI estimate: the JSON's seconds (wall); CLI est. CPU: the estimate's process CPU time (SERIESC_CPU); API: after one warm-up call; torch/CLI CPU: torch pathwise's thread CPU time over ours)");
    }

    private static string N(double x, string format = "F2") => x.ToString(format, CultureInfo.InvariantCulture);

    // The estimate's own seconds (wall, from the JSON), the process's wall time and the estimate's process CPU time (the
    // line SERIESC_CPU asks for on standard error), in microseconds. program: "dotnet" with seriesc.dll first, or the native front.
    private static (double Estimate, double Wall, double Cpu) Cli(string program, string[] prefix, string[] options, bool avx512Twin)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[.. prefix, "estimate", "gamma", "--at", "k=2.5,mu=0.7", "--dims", D.ToString(CultureInfo.InvariantCulture), "--f", F,
            "--samples", Samples.ToString(CultureInfo.InvariantCulture), "--format", "json", .. options]) info.ArgumentList.Add(a);
        info.Environment["SERIESC_CPU"] = "1";
        if (!avx512Twin) info.Environment["SERIESC_AVX512"] = "0";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double wall = clock.Elapsed.TotalMicroseconds;
        if (process.ExitCode != 0) throw new InvalidOperationException("seriesc failed: " + stdout + error.Result);
        using var json = JsonDocument.Parse(stdout);
        var estimate = json.RootElement.GetProperty("estimates")[0];
        if (!estimate.TryGetProperty("seconds", out var seconds)) throw new InvalidOperationException("seriesc gave no estimate: " + stdout);
        const string marker = "cpu_seconds ";
        string? line = error.Result.Split('\n').FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
        // "... cpu_seconds C jit_seconds J": the first number after the marker.
        double cpu = line is null ? double.NaN
            : double.Parse(line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1e6;
        return (seconds.GetDouble() * 1e6, wall, cpu);
    }

    // Api, with the process CPU time of the fastest run beside the wall time: microseconds per sample.
    private static (double Wall, double Cpu) ApiWithCpu(GradientEstimator estimator, double[] theta, Objective f)
    {
        estimator.Estimate(theta, f, Samples, seed: 99, copies: D);
        double best = double.PositiveInfinity, bestCpu = double.PositiveInfinity;
        for (int run = 0; run < Runs; run++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            estimator.Estimate(theta, f, Samples, seed: 1, copies: D);
            best = Math.Min(best, clock.Elapsed.TotalMicroseconds);
            bestCpu = Math.Min(bestCpu, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds);
        }
        return (best / Samples, bestCpu / Samples);
    }

    // The same call through the API, after one warm-up call; best of Runs, in microseconds per sample.
    private static double Api(GradientEstimator estimator, double[] theta, Objective f)
    {
        estimator.Estimate(theta, f, Samples, seed: 99, copies: D);
        double best = double.PositiveInfinity;
        for (int run = 0; run < Runs; run++)
        {
            var clock = Stopwatch.StartNew();
            estimator.Estimate(theta, f, Samples, seed: 1, copies: D);
            best = Math.Min(best, clock.Elapsed.TotalMicroseconds);
        }
        return best / Samples;
    }

    // PyTorch's batched pathwise and score at the same samples per gradient: microseconds per sample.
    private static Dictionary<string, double> Torch(TextWriter output)
    {
        const string python = "/usr/bin/python3";
        string? script = FindUp(Path.Combine("bench", "peers", "torch_gamma_toy.py"));
        var result = new Dictionary<string, double>();
        if (script is null || !File.Exists(python) || SideBySide.Exec(python, ["-c", "import torch"], out _) != 0)
        {
            output.WriteLine("PyTorch peer skipped: bench/peers/torch_gamma_toy.py, /usr/bin/python3 or its torch not found");
            return result;
        }
        string[] arguments = [script, "--d", D.ToString(CultureInfo.InvariantCulture), "--samples", Samples.ToString(CultureInfo.InvariantCulture), "--reps", "5"];
        if (SideBySide.Exec(python, arguments, out string stdout) != 0)
        {
            output.WriteLine("PyTorch peer failed: " + stdout);
            return result;
        }
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = JsonDocument.Parse(line);
            string name = json.RootElement.GetProperty("estimator").GetString()!;
            result[name] = json.RootElement.GetProperty("us_per_gradient").GetDouble() / Samples;
            if (json.RootElement.TryGetProperty("cpu_us_per_gradient", out var cpu)) result[name + " cpu"] = cpu.GetDouble() / Samples;
        }
        return result;
    }

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
