namespace SeriesCompiler.Cli.Native;

/// <summary>
/// Which command lines the native front answers itself. The rule is conservative: any doubt goes to the managed
/// seriesc, which answers every command line, so a wrong "no" costs only start-up time and a wrong "yes" is what must
/// never happen. Served: no arguments (the overview), and <c>check</c> or <c>coefficients</c> as the first word,
/// unless a word asks for what the front lacks: <c>--generated</c> (the C# compiler), a response file (<c>@FILE</c>,
/// whose contents could name anything) or a directive (<c>[suggest]</c>, completions).
/// </summary>
public static class NativeFront
{
    public static bool Serves(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return true;
        if (args[0] is not ("check" or "coefficients")) return false;
        foreach (string arg in args)
            if (arg.StartsWith('@') || arg.StartsWith('[') || arg.StartsWith("--generated", StringComparison.Ordinal)) return false;
        return true;
    }
}
