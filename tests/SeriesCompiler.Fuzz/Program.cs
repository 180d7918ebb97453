using System.Globalization;
using SeriesCompiler.Fuzz;
using SeriesCompiler.Symbolic.Diagnostics;

// dotnet run -c Release --project tests/SeriesCompiler.Fuzz -- --cases 100000 --seed 1 [--compile-sample 200]
//   --timeout S            seconds a case may take before it counts as a hang (default 5)
//   --start N              first case index (default 0)
//   --generated-fraction F share of grammar-generated cases (default 0.5)
//   --findings DIR         where inputs of failing cases are saved (default artifacts/fuzz)
//   --distributions DIR    the declarations to mutate and to use as the latent library (default: the bundled ones)
//   --in-process           run cases on threads of this process instead of worker processes
//   --recycle N            cases per worker process (default 25000)
//   --max-order N          highest random order, 1..12 (default 12)
//   --skip-known           leave out cases that match a known, unfixed bug (KnownIssues.cs), as the short test run does
//   --show N               print the text of case N and exit
//   --classify DIR         tag the findings saved in DIR (*.dist with their *.txt) with the known issues that explain them
//   --replay FILE          run one file through the pipeline (at order 4 and --order N, default 8; compiled with
//                          Roslyn when --compile-sample is above 0), print its diagnostics and any finding
// Exit code: 0 clean, 1 findings, 2 bad arguments.

var options = new FuzzOptions { FindingsDirectory = Path.Combine("artifacts", "fuzz") };
string? distributions = null, replay = null, classify = null;
int replayOrder = 8;
long? show = null;
bool worker = false, inProcess = false;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--cases": options.Cases = long.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--seed": options.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--start": options.Start = long.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--compile-sample": options.CompileSample = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--timeout": options.Timeout = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
            case "--generated-fraction": options.GeneratedFraction = double.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--findings": options.FindingsDirectory = Next(); break;
            case "--distributions": distributions = Next(); break;
            case "--recycle": options.Recycle = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--in-process": inProcess = true; break;
            case "--skip-known": options.SkipKnownIssues = true; break;
            case "--max-order": options.MaxRandomOrder = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--worker": worker = true; break;
            case "--show": show = long.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--replay": replay = Next(); break;
            case "--classify": classify = Next(); break;
            case "--order": replayOrder = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            default: throw new ArgumentException($"unknown argument '{args[i]}'");
        }
    }
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine("fuzz: " + ex.Message);
    return 2;
}

distributions ??= Path.GetDirectoryName(Fuzzer.LoadLibrary()[0].Path)!;
if (worker) return IsolatedFuzzer.Serve(options, distributions);

var library = Fuzzer.LoadLibrary(distributions);
if (classify is not null)
{
    var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
    foreach (var file in Directory.GetFiles(classify, "*.dist").Order(StringComparer.Ordinal))
    {
        string name = Path.GetFileName(file);
        string category = name[..name.IndexOf('-')];
        string report = File.Exists(Path.ChangeExtension(file, ".txt")) ? File.ReadAllText(Path.ChangeExtension(file, ".txt")) : "";
        var issue = KnownIssues.Explain(File.ReadAllText(file), category, report);
        string key = $"{category} {issue?.Id ?? "new"}";
        counts[key] = counts.GetValueOrDefault(key) + 1;
        Console.WriteLine($"{name}: {issue?.Id ?? "NEW"}");
    }
    foreach (var (key, n) in counts) Console.WriteLine($"{n,6} x {key}");
    return 0;
}
if (show is { } index)
{
    var fuzzCase = FuzzCase.Create(options.Seed, index, library.Select(s => s.Text).ToList(), options.GeneratedFraction, options.MaxRandomOrder);
    Console.Error.WriteLine($"# seed {options.Seed}, case {index}: {fuzzCase.Kind}, random order {fuzzCase.Order}");
    Console.Write(fuzzCase.Text);
    return 0;
}
if (replay is not null)
{
    var fuzzCase = new FuzzCase(0, "replay", File.ReadAllText(replay), replayOrder, true);
    var result = PipelineRunner.Run(fuzzCase, library, compile: options.CompileSample > 0);
    var workspace = SeriesCompiler.Symbolic.Workspace.Create([new SourceText(FuzzCase.Path, fuzzCase.Text)], library);
    var diagnostics = new List<Diagnostic>(workspace.Diagnostics);
    foreach (var d in workspace.Distributions.Where(workspace.IsValid))
        diagnostics.AddRange(workspace.Derive(d, fuzzCase.Order).Diagnostics);
    foreach (var d in diagnostics) Console.WriteLine(d);
    Console.WriteLine($"ids: {string.Join(", ", result.Ids.Select(kv => kv.Key + " x" + kv.Value))}; emitted: {result.Emitted}; {result.Milliseconds:0} ms");
    if (result.Crash is not null) Console.WriteLine("CRASH " + result.Crash);
    foreach (var u in result.Unpositioned) Console.WriteLine("UNPOSITIONED " + u);
    foreach (var u in result.Inconsistencies) Console.WriteLine("INCONSISTENT " + u);
    if (result.CompileErrors is not null) Console.WriteLine("COMPILE " + result.CompileErrors);
    return result.Crash is null && result.Unpositioned.Count == 0 && result.Inconsistencies.Count == 0 && result.CompileErrors is null ? 0 : 1;
}

Console.WriteLine($"fuzzing {options.Cases} cases from {options.Start}, seed {options.Seed}, compile sample {options.CompileSample}, timeout {options.Timeout.TotalSeconds} s, {(inProcess ? "in process" : "in worker processes")}");
var summary = inProcess
    ? Fuzzer.Run(options, library, Console.Out)
    : IsolatedFuzzer.Run(options, distributions, Console.Out);
summary.Print(Console.Out);
return summary.Clean ? 0 : 1;
