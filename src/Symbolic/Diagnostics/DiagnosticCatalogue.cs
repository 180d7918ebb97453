namespace SeriesCompiler.Symbolic.Diagnostics;

/// <summary>
/// Every diagnostic the compiler can report, with a stable id that is never reused.
/// Blocks: SC00xx syntax, SC01xx binding, SC1xxx derivation, SC2xxx emit and build.
/// Each block lives in its own partial file; <see cref="All"/> lists them in id order.
/// </summary>
public static partial class DiagnosticCatalogue
{
    private static class Registry
    {
        public static readonly List<DiagnosticDescriptor> Items = new();
    }

    // An explicit static constructor takes away beforefieldinit: the field initialisers of every partial file (which
    // register the descriptors) then run before the first access to any member, All included, not lazily at the
    // first read of a descriptor field.
    static DiagnosticCatalogue() { }

    public static IReadOnlyList<DiagnosticDescriptor> All
    {
        get
        {
            lock (Registry.Items) return Registry.Items.OrderBy(d => d.Id, StringComparer.Ordinal).ToArray();
        }
    }

    private static DiagnosticDescriptor Define(string id, string title, string help, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        var descriptor = new DiagnosticDescriptor(id, title, severity, help);
        lock (Registry.Items) Registry.Items.Add(descriptor);
        return descriptor;
    }
}
