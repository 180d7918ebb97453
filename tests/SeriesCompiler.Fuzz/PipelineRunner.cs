using System.Diagnostics;
using SeriesCompiler.Emit;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Fuzz;

/// <summary>What one case did: the diagnostics it got, and every way it broke the compiler's promises.</summary>
public sealed class CaseResult
{
    public long Index { get; set; }
    public string Kind { get; set; } = "";
    public bool WellFormed { get; set; }

    /// <summary>How often each diagnostic id was reported (each distinct diagnostic once).</summary>
    public Dictionary<string, int> Ids { get; set; } = new();

    /// <summary>Diagnostics without a usable position or with an id the catalogue does not know.</summary>
    public List<string> Unpositioned { get; set; } = new();

    /// <summary>Broken invariants: no rule but no error, files and errors together, a compiled rule with another name...</summary>
    public List<string> Inconsistencies { get; set; } = new();

    /// <summary>An exception that escaped the pipeline (type, message, innermost frames).</summary>
    public string? Crash { get; set; }

    /// <summary>Whether RuleGenerator produced files.</summary>
    public bool Emitted { get; set; }

    /// <summary>Whether the generated code was compiled (only for a sample of the well-formed cases).</summary>
    public bool CompileAttempted { get; set; }

    /// <summary>Roslyn's errors when the generated code did not compile (SC2001: a compiler bug).</summary>
    public string? CompileErrors { get; set; }

    public double Milliseconds { get; set; }

    /// <summary>Managed heap size after the case, in bytes (to watch process-wide caches grow).</summary>
    public long HeapBytes { get; set; }
}

/// <summary>
/// Runs one text through parse -> bind -> derive (order 4 and the case's random order) -> emit (RuleGenerator),
/// optionally compiling the generated C# with Roslyn, and checks every diagnostic: positioned (line and column
/// from 1, within the text), a known id, in the case's file.
/// </summary>
public static class PipelineRunner
{
    private static readonly Lazy<HashSet<string>> KnownIds = new(() => Catalogue.All.Select(d => d.Id).ToHashSet(StringComparer.Ordinal));

    public static CaseResult Run(FuzzCase fuzzCase, IReadOnlyList<SourceText> library, bool compile)
    {
        var result = new CaseResult { Index = fuzzCase.Index, Kind = fuzzCase.Kind, WellFormed = fuzzCase.WellFormed };
        var watch = Stopwatch.StartNew();
        try
        {
            Execute(fuzzCase, library, compile, result);
        }
        catch (Exception ex)
        {
            result.Crash = Describe(ex);
        }
        result.Milliseconds = watch.Elapsed.TotalMilliseconds;
        result.HeapBytes = GC.GetTotalMemory(forceFullCollection: false);
        return result;
    }

    private static void Execute(FuzzCase fuzzCase, IReadOnlyList<SourceText> library, bool compile, CaseResult result)
    {
        var source = new SourceText(FuzzCase.Path, fuzzCase.Text);
        var lines = LineLengths(fuzzCase.Text);
        var seen = new HashSet<Diagnostic>();
        void Check(IEnumerable<Diagnostic> diagnostics, string stage)
        {
            foreach (var d in diagnostics)
            {
                if (!seen.Add(d)) continue;
                result.Ids[d.Id] = result.Ids.GetValueOrDefault(d.Id) + 1;
                string? problem = null;
                if (!KnownIds.Value.Contains(d.Id)) problem = "unknown id";
                else if (d.Path != FuzzCase.Path) problem = $"reported in '{d.Path}', not in the file being compiled";
                else if (d.Line < 1 || d.Column < 1) problem = "line or column below 1";
                else if (d.Line > lines.Count) problem = $"line beyond the last line ({lines.Count})";
                else if (d.Column > lines[d.Line - 1] + 1) problem = $"column beyond the end of line {d.Line} ({lines[d.Line - 1]} characters)";
                else if (string.IsNullOrWhiteSpace(d.Message)) problem = "empty message";
                if (problem is not null) result.Unpositioned.Add($"{stage}: {problem}: {d}");
            }
        }

        // 1-2. Parse and bind. The library only serves latents (and is shadowed by the file's own declarations), so a
        // text without the word 'latent' compiles the same without it: skipping it halves the cost of a case.
        var workspace = Workspace.Create([source], fuzzCase.Text.Contains("latent", StringComparison.Ordinal) ? library : []);
        Check(workspace.Diagnostics, "parse/bind");
        bool parseOrBindErrors = workspace.Diagnostics.Any(d => d.IsError);
        // An error in a file invalidates its declarations (a duplicate name is dropped instead of being marked).
        if (parseOrBindErrors && workspace.Distributions.Count > 0 && workspace.Distributions.All(workspace.IsValid)
            && workspace.Diagnostics.Where(d => d.IsError).Any(d => d.Id != DiagnosticCatalogue.DuplicateDistribution.Id))
            result.Inconsistencies.Add("parse/bind reported an error but every declaration is marked valid");

        // 3-5. Derive at the fixed order and at the case's random order.
        foreach (var d in workspace.Distributions)
        {
            if (!workspace.IsValid(d)) continue;
            foreach (int order in new[] { FuzzCase.FixedOrder, fuzzCase.Order })
            {
                var (rule, diagnostics) = workspace.Derive(d, order);
                Check(diagnostics, $"derive {d.Name} at order {order}");
                bool errors = diagnostics.Any(x => x.IsError);
                if (rule is null && !errors) result.Inconsistencies.Add($"derive {d.Name} at order {order}: no rule and no error");
                if (rule is not null && errors) result.Inconsistencies.Add($"derive {d.Name} at order {order}: a rule and an error");
                if (rule is not null && !rule.IsDerived && rule.Coefficients.Length == 0)
                    result.Inconsistencies.Add($"derive {d.Name} at order {order}: a rule without coefficients");
            }
        }

        // 6. Emit.
        var generation = RuleGenerator.Generate(workspace, fuzzCase.Order);
        Check(generation.Diagnostics, $"emit at order {fuzzCase.Order}");
        if (generation.HasErrors != generation.Files.IsEmpty)
            result.Inconsistencies.Add(generation.HasErrors ? "emit: files together with errors" : "emit: no files and no error");
        result.Emitted = !generation.Files.IsEmpty;
        if (!generation.HasErrors && workspace.Diagnostics.Any(d => d.IsError))
            result.Inconsistencies.Add("emit: succeeded although parse/bind reported errors");

        // Roslyn, for a sample of the well-formed cases.
        if (compile && result.Emitted)
        {
            result.CompileAttempted = true;
            var direct = generation.Rules.Where(r => !r.IsDerived).ToList();
            var compiled = InMemoryCompiler.Compile(
                generation.Files.Select(f => (f.FileName, f.Content)).ToList(),
                direct.Select(r => RuleEmitter.TypeName(r.Name)).ToList());
            try
            {
                if (!compiled.Success)
                {
                    result.CompileErrors = string.Join("\n", compiled.Errors.Take(20));
                    return;
                }
                for (int k = 0; k < direct.Count; k++)
                {
                    var rule = compiled.Rules[k];
                    if (rule.Name != direct[k].Name)
                        result.Inconsistencies.Add($"compiled rule is named '{rule.Name}', the declaration '{direct[k].Name}'");
                    if (rule.Order != fuzzCase.Order)
                        result.Inconsistencies.Add($"compiled rule {direct[k].Name} has order {rule.Order}, expected {fuzzCase.Order}");
                    if (rule.Parameters.Count != direct[k].Parameters.Length)
                        result.Inconsistencies.Add($"compiled rule {direct[k].Name} has {rule.Parameters.Count} parameters, the declaration {direct[k].Parameters.Length}");
                }
            }
            finally
            {
                compiled.Unload();
            }
        }
    }

    private static List<int> LineLengths(string text)
    {
        // Lines as SourceText counts them: split at '\n' and at a lone '\r' (the '\r' of "\r\n" counts in its line,
        // so a diagnostic may point at the '\n' after it).
        var lengths = new List<int>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                lengths.Add(i - start);
                start = i + 1;
            }
        }
        return lengths;
    }

    /// <summary>The exception's type and message and its first frames (inner exceptions too), on a few lines.</summary>
    public static string Describe(Exception ex)
    {
        var sb = new System.Text.StringBuilder();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            sb.Append(e.GetType().FullName).Append(": ").Append(e.Message).Append('\n');
            foreach (var frame in (e.StackTrace ?? "").Split('\n').Take(12))
                sb.Append("    ").Append(frame.Trim()).Append('\n');
        }
        return sb.ToString();
    }
}
