using System.Text;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Native;
using SeriesCompiler.Runtime.Estimation;

namespace SeriesCompiler.Cli.Commands;

// The native front's part of EstimateCommand (in place of src/Cli/Commands/EstimateCommand.InMemory.cs): a declaration
// without a build-time class (a user's file, an edited one, another --order) needs the in-memory compiler (Roslyn), which
// this executable does not have, so the whole command line goes to the managed seriesc (exec). Standard error is held
// back until then (HeldWriter: a declaration's warnings, say), so what the user sees is the managed program's alone.
public static partial class EstimateCommand
{
    static partial void CompileInMemory(CliContext context, LoadedDistribution loaded, int order, ref Rule? rule)
    {
        if (context.Error is HeldWriter held) held.Discard();
        // Exec returns only when it could not start the managed seriesc; it has said why.
        throw new CliException(ManagedHandOff.Exec(NativeFront.Arguments), "");
    }

    static partial void RuleLoaded(ref CliContext context)
    {
        if (context.Error is not HeldWriter held) return;
        held.Release();
        context = context with { Error = held.Target };   // progress lines need the console itself (EstimateInterruption)
    }
}

/// <summary>
/// Standard error, held back: what is written is kept until <see cref="Release"/> writes it and lets the rest through, or
/// <see cref="Discard"/> drops it (the command line is handed on, and the managed seriesc writes its own).
/// </summary>
internal sealed class HeldWriter(TextWriter target) : TextWriter
{
    private StringBuilder? _held = new();

    public TextWriter Target => target;

    public override Encoding Encoding => target.Encoding;

    public override void Write(char value)
    {
        if (_held is { } held) held.Append(value);
        else target.Write(value);
    }

    public override void Write(string? value)
    {
        if (_held is { } held) held.Append(value);
        else target.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        if (_held is { } held) held.Append(buffer, index, count);
        else target.Write(buffer, index, count);
    }

    public override void Flush()
    {
        if (_held is null) target.Flush();
    }

    public void Release()
    {
        if (_held is not { } held) return;
        _held = null;
        target.Write(held.ToString());
        target.Flush();
    }

    public void Discard() => _held?.Clear();
}
