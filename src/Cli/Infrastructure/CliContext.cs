namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>
/// What a command may touch of the outside world: its two output streams and the two folders bundled
/// declarations are looked up in. Main passes the console; tests pass string writers.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, string CurrentDirectory, string ToolDirectory)
{
    /// <summary>Runs a command body: a <see cref="CliException"/> becomes its message and exit code, anything else an internal error.</summary>
    public int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (CliException ex)
        {
            if (ex.Message.Length > 0) Error.WriteLine("seriesc: error: " + ex.Message);
            return ex.ExitCode;
        }
        catch (Exception ex)
        {
            Error.WriteLine("seriesc: internal error (a bug in seriesc, please report it): " + ex);
            return ExitCodes.InternalError;
        }
    }
}
