using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// Issue 18's acceptance: a scripted walk of the CLI with hostile inputs finds no internal error (exit code 3), no
/// stack trace or .NET exception decoration, and no run past a per-case time bound. Every numeric option of every
/// command gets malformed and extreme values; paths are missing, folders, FIFOs, devices, files where folders are
/// wanted; sizes are huge (the estimate cost limit refuses them at once). Runs are in-process, each on its own task so
/// that a hang fails its case instead of the whole run.
/// </summary>
public class HostileInputTests
{
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(30);

    private static readonly string[] BadNumbers =
        ["", "-1", "0", "-0", "1e400", "NaN", "Infinity", "-Infinity", "1e12", "99999999999999999999", "0x10", "1,5", " 3", "\u0663", "1_000", "+", "--"];

    private static readonly string[] BadParameterValues =
        ["k=NaN,mu=1", "k=1e400,mu=1", "k=-0,mu=1", "k=1e-320,mu=1", "k=2,mu=Infinity", "k=1e308,mu=1e308", "k=2,mu=-1", "k=,mu=", "k=[1,2],mu=1",
         "k=2,mu=1,k=3", "=1", ",,,", "k=2;mu=1", "k=\u0662,mu=1"];

    private static readonly string[] BadFunctions =
        ["", "z +", "abs(", "exp(1e308*z)", "z^1e308", "1/0", "log(-z)", "z[99]", "z2", "q", "sin(z)^100000", "((((((((((z))))))))))",
         string.Concat(Enumerable.Repeat("z+", 5000)) + "z", "z\u0000", "exp(exp(exp(z)))", "gamma(z)", "z^-1"];

    /// <summary>The cases: argument lists with {tmp} (a fresh folder), {file} (a text file that is not a declaration),
    /// {fifo}, {dir} (a folder with one good declaration) and {good} (that declaration) in place of paths.</summary>
    public static TheoryData<string[]> Cases()
    {
        List<string[]> cases =
        [
            [], ["--help"], ["--version"], ["bogus"], ["check"], ["coefficients"], ["compile"], ["estimate"], ["experiment"],
            ["check", "--bogus", "{good}"], ["coefficients", "gamma", "extra"], ["estimate", "gamma", "--at"], ["estimate", "gamma", "--f", "z"],
            ["estimate", "gamma", "--at", "k=2,mu=1"], ["coefficients", "gamma", "--format"], ["coefficients", "gamma", "--format", "JSON"],
            // Paths.
            ["check", "/no/such/file.dist"], ["check", "{fifo}"], ["check", "/dev/zero"], ["check", "/dev/null"], ["check", "{file}"], ["check", "{tmp}"],
            ["check", "/proc/self/mem"], ["check", "{dir}", "{dir}", "{good}"], ["coefficients", "{fifo}"], ["coefficients", "{tmp}"], ["coefficients", "/dev/urandom"],
            ["coefficients", "{file}"], ["estimate", "{fifo}", "--at", "a=1", "--f", "z"], ["estimate", "/dev/zero", "--at", "a=1", "--f", "z"],
            ["compile", "{good}", "--out", "{file}"], ["compile", "{good}", "--out", "{file}/sub"], ["compile", "{good}", "--out", "/proc/seriesc"],
            ["compile", "{fifo}", "--out", "{tmp}/out"], ["compile", "/dev/zero", "--out", "{tmp}/out"], ["compile", "{good}", "--namespace", "1bad"],
            ["compile", "{good}", "--namespace", "class"], ["compile", "{good}", "--out", ""],
            ["experiment", "--list"], ["experiment", "nosuch"], ["experiment", "gamma-exp", "--out", "{file}"],
            ["experiment", "gamma-exp", "--out", "{file}/sub"], ["experiment", "gamma-exp", "--out", "/proc/seriesc"], ["experiment", "gamma-exp", "--quick", "--bogus"],
            // Huge work: refused by the prediction, at once.
            ["estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z^2", "--dims", "10000", "--samples", "10"],
            ["estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z^2", "--samples", "2000000000"],
            ["estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z^2", "--dims", "2147483647"],
            ["estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z^2", "--dims", "2147483647", "--force"],
            ["estimate", "gamma", "--at", "k=2,mu=1", "--f", "z", "--estimator", "all", "--dims", "100000", "--derivatives", "stencil"],
            ["estimate", "dirichlet", "--at", "alpha=[" + string.Join(",", Enumerable.Repeat("1", 5000)) + "]", "--f", "z[0]"],
            // Odd but valid values, small enough to run.
            ["estimate", "categorical", "--at", "p1=0.7,p2=0.7", "--f", "z", "--samples", "50"],
            ["estimate", "poisson", "--at", "lambda=1e19", "--f", "z", "--samples", "50"],
            ["estimate", "bernoulli", "--at", "p=1e-320", "--f", "z", "--samples", "50", "--format", "json"],
            ["estimate", "gamma", "--at", "k=1e308,mu=1", "--f", "z", "--samples", "50", "--estimator", "all", "--format", "json"],
            ["estimate", "logistic", "--at", "mu=0,s=1", "--f", "exp(2.5*z)", "--samples", "50"],
            ["estimate", "gamma", "--at", "k=2.5,mu=0.7", "--f", "abs(z-1.75)", "--order", "4", "--samples", "50", "--format", "json"],
            ["estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", "--samples", "50", "--order", "auto", "--derivatives", "stencil"],
            ["coefficients", "bernoulli", "--order", "64", "--at", "p=0.9", "--format", "json"],
            ["coefficients", "categorical", "--at", "p1=0.7,p2=0.7", "--order", "4"],
        ];
        foreach (var n in BadNumbers)
        {
            cases.Add(["check", "{good}", "--order", n]);
            cases.Add(["coefficients", "gamma", "--order", n]);
            cases.Add(["compile", "{good}", "--out", "{tmp}/o", "--order", n]);
            foreach (var option in new[] { "--order", "--samples", "--seed", "--dims" })
                cases.Add(["estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", "--samples", "20", option, n]);
        }
        foreach (var at in BadParameterValues)
        {
            cases.Add(["coefficients", "gamma", "--at", at, "--order", "3", "--format", "json"]);
            cases.Add(["estimate", "gamma", "--at", at, "--f", "z", "--samples", "20", "--estimator", "all"]);
        }
        foreach (var f in BadFunctions)
            cases.Add(["estimate", "normal", "--at", "mu=0,sigma=1", "--f", f, "--samples", "20", "--estimator", "all", "--format", "json"]);
        var data = new TheoryData<string[]>();
        foreach (var c in cases) data.Add(c);
        return data;
    }

    private static readonly Lazy<Dictionary<string, string>> Paths = new(() =>
    {
        string tmp = TempDirectory.Create();
        string file = Path.Combine(tmp, "notes.txt");
        File.WriteAllText(file, "not a declaration\n");
        string dir = Path.Combine(tmp, "decls");
        Directory.CreateDirectory(dir);
        string good = Path.Combine(dir, "shifted.dist");
        File.WriteAllText(good, "distribution Shifted(a, b > 0) {\n    support real\n    cgf(t) = a*t + b*t^2/2\n}\n");
        string fifo = Path.Combine(tmp, "pipe.dist");
        if (!OperatingSystem.IsWindows()) Hardening.InputFileTests.MakeFifo(fifo);
        return new() { ["{tmp}"] = tmp, ["{file}"] = file, ["{dir}"] = dir, ["{good}"] = good, ["{fifo}"] = fifo };
    });

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public async Task No_internal_error_no_stack_trace_no_hang(string[] template)
    {
        if (OperatingSystem.IsWindows() && template.Any(a => a.Contains("/dev/") || a.Contains("/proc/") || a.Contains("{fifo}"))) return;
        string[] args = [.. template.Select(a => Paths.Value.Aggregate(a, (s, kv) => s.Replace(kv.Key, kv.Value)))];
        var watch = Stopwatch.StartNew();
        CliHarness.Result result;
        try
        {
            result = await Task.Run(() => CliHarness.Run(args)).WaitAsync(PerCase);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"still running after {PerCase.TotalSeconds} s: seriesc {string.Join(" ", template)}");
            return;
        }
        string shown = $"seriesc {string.Join(" ", template.Select(a => a.Length > 60 ? a[..60] + "..." : a))} -> {result.ExitCode} in {watch.Elapsed.TotalSeconds:F1} s\n{result.Err}";
        Assert.True(result.ExitCode is 0 or 1 or 2, shown);
        foreach (var text in new[] { result.Out, result.Err })
        {
            Assert.DoesNotContain("   at ", text);
            Assert.DoesNotContain("Exception:", text);
            Assert.DoesNotContain("(Parameter '", text);
            Assert.DoesNotContain("Actual value was", text);
            Assert.DoesNotContain("internal error", text);
        }
        if (result.ExitCode == 0 && args.Contains("json"))
        {
            using var document = JsonDocument.Parse(result.Out); // exactly one JSON document on standard output
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        }
        if (result.ExitCode != 0) Assert.NotEqual("", result.Err.Trim()); // a refusal always says why
    }
}
