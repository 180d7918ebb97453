namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>The process exit codes of docs/cli.md (0, 1, 2), plus one for a bug in the tool itself.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>
    /// The input has errors: diagnostics of a declaration, a file or distribution that does not exist, a file that cannot
    /// be read (a FIFO or a device included), an output folder that cannot be written (<c>compile --out</c>,
    /// <c>experiment --out</c>), memory running out, <c>experiment</c> in the packed tool (which does not carry the experiments).
    /// </summary>
    public const int InputError = 1;

    /// <summary>
    /// A wrong command line: unknown command or option, a bad <c>--order</c>, <c>--at</c>, <c>--format</c>, <c>--samples</c>,
    /// <c>--dims</c> or <c>--seed</c> value, a parameter missing from <c>--at</c>, an estimate predicted to run past the
    /// limit without <c>--force</c>.
    /// </summary>
    public const int UsageError = 2;

    /// <summary>An unexpected exception inside the tool: a bug, never the user's fault.</summary>
    public const int InternalError = 3;
}

/// <summary>Ends a command with a one-line message on standard error and the given exit code.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.UsageError, message);
    public static CliException Input(string message) => new(ExitCodes.InputError, message);

    /// <summary>The input had errors whose diagnostics are printed already: exit 1 with no further message.</summary>
    public static CliException Reported() => new(ExitCodes.InputError, "");
}
