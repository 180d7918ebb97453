namespace SeriesCompiler.Symbolic.Diagnostics;

public enum DiagnosticSeverity { Error, Warning }

/// <summary>A catalogue entry: a stable id (never reused), a title, and the fix a user should apply.</summary>
public sealed record DiagnosticDescriptor(string Id, string Title, DiagnosticSeverity Severity, string Help);

/// <summary>One positioned message, printed in MSBuild's canonical form <c>FILE(LINE,COL): error SCnnnn: message</c>.</summary>
public sealed record Diagnostic(DiagnosticDescriptor Descriptor, string Path, int Line, int Column, string Message)
{
    public string Id => Descriptor.Id;
    public bool IsError => Descriptor.Severity == DiagnosticSeverity.Error;

    public override string ToString() =>
        $"{Path}({Line},{Column}): {(IsError ? "error" : "warning")} {Id}: {Message}";
}

/// <summary>Collects diagnostics for one file; stages report here instead of throwing.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = new();

    public DiagnosticBag(SourceText source) => Source = source;

    public SourceText Source { get; }
    public IReadOnlyList<Diagnostic> Items => _items;
    public bool HasErrors => _items.Any(d => d.IsError);

    public void Report(DiagnosticDescriptor descriptor, TextSpan span, string message)
    {
        var (line, column) = Source.GetLineColumn(span.Start);
        _items.Add(new Diagnostic(descriptor, Source.Path, line, column, message));
    }

    public void Report(DiagnosticDescriptor descriptor, int position, string message) =>
        Report(descriptor, new TextSpan(position, 0), message);
}
