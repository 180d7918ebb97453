namespace SeriesCompiler.Cli.Native;

/// <summary>
/// Which command lines the native front answers itself. The rule is conservative: any doubt goes to the managed
/// seriesc, which answers every command line, so a wrong "no" costs only start-up time and a wrong "yes" is what must
/// never happen. Served: no arguments (the overview), and <c>check</c>, <c>coefficients</c> or <c>estimate</c> as the
/// first word, unless a word asks for what the front lacks: <c>--generated</c> (the C# compiler), a response file
/// (<c>@FILE</c>, whose contents could name anything) or a directive (<c>[suggest]</c>, completions); estimate's help
/// goes on as well. An estimate whose declaration has no build-time class (a user's file, another <c>--order</c>) is
/// handed on once that is known (NativeEstimate.cs).
/// </summary>
public static class NativeFront
{
    /// <summary>The command line as given, for a hand-off decided later (estimate).</summary>
    public static string[] Arguments { get; set; } = [];

    public static bool Serves(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return true;
        if (args[0] is not ("check" or "coefficients" or "estimate")) return false;
        foreach (string arg in args)
        {
            if (arg.StartsWith('@') || arg.StartsWith('[') || arg.StartsWith("--generated", StringComparison.Ordinal)) return false;
            if (args[0] == "estimate" && arg is "-h" or "--help" or "-?" or "/h" or "/?") return false;
        }
        return true;
    }
}
