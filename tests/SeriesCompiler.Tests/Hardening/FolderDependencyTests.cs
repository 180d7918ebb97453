using System.Text.RegularExpressions;
using SeriesCompiler.Tests.Emit;
using Xunit;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Folders that depend on each other one way only: the stages read as the flow (the series engine does not reach into the
/// model built from it; the special functions do not use the jets that use them). Dependencies are read from the source:
/// every namespace of the project a file names (in a using or written out).
/// </summary>
public sealed partial class FolderDependencyTests
{
    [GeneratedRegex(@"SeriesCompiler\.(Symbolic|Runtime)\.([A-Z][A-Za-z]*)")]
    private static partial Regex NamespaceReference();

    /// <summary>The folders (one level under src/PROJECT) each folder's files name.</summary>
    private static Dictionary<string, HashSet<string>> Graph(string project, string rootNamespace)
    {
        var root = Path.Combine(Repository.Root, "src", project);
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var folder in Directory.EnumerateDirectories(root).Where(d => !Path.GetFileName(d).StartsWith("bin", StringComparison.Ordinal) && Path.GetFileName(d) != "obj"))
        {
            string name = Path.GetFileName(folder);
            var uses = graph[name] = [];
            foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
                foreach (Match m in NamespaceReference().Matches(File.ReadAllText(file)))
                    if (m.Groups[1].Value == rootNamespace && m.Groups[2].Value != name) uses.Add(m.Groups[2].Value);
        }
        return graph;
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([from]);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (!seen.Add(next) || !graph.TryGetValue(next, out var uses)) continue;
            if (uses.Contains(to)) return true;
            foreach (var u in uses) stack.Push(u);
        }
        return false;
    }

    [Fact]
    public void The_series_engine_does_not_depend_on_the_model_or_resummation()
    {
        var graph = Graph("Symbolic", "Symbolic");
        Assert.Contains("Series", graph["Model"]); // the scan sees a real edge: the model builder expands series
        Assert.DoesNotContain("Model", graph["Series"]);
        Assert.False(Reaches(graph, "Series", "Resummation"), "Series reaches Resummation");
        Assert.False(Reaches(graph, "Series", "Model"), "Series reaches Model");
    }

    [Fact]
    public void The_special_functions_do_not_depend_on_the_jets()
    {
        var graph = Graph("Runtime", "Runtime");
        Assert.Contains("Special", graph["Differentiation"]); // lgamma and digamma jets use the special functions
        Assert.False(Reaches(graph, "Special", "Differentiation"), "Special reaches Differentiation");
    }
}
