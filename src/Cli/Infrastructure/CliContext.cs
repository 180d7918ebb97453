namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>
/// What a command may touch of the outside world: its two output streams and the two folders bundled
/// declarations are looked up in. Main passes the console; tests pass string writers.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, string CurrentDirectory, string ToolDirectory)
{
    /// <summary>
    /// Runs a command body: a <see cref="CliException"/> becomes its message and exit code; a file the system refuses
    /// (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>) and memory running out are input errors
    /// (exit code 1) with a one-line message; anything else is an internal error (exit code 3), still on one line, with
    /// no stack trace unless the environment variable SERIESC_DEBUG is set.
    /// </summary>
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Error.WriteLine("seriesc: error: " + Messages.Clean(ex));
            return ExitCodes.InputError;
        }
        catch (Exception ex) when (ex is OutOfMemoryException or InsufficientExecutionStackException)
        {
            Error.WriteLine("seriesc: error: the problem is too large for this machine's memory; lower --dims, --samples, --order or the size of a family");
            return ExitCodes.InputError;
        }
        catch (Exception ex)
        {
            return Internal(ex);
        }
    }

    /// <summary>An exception that is a bug: one line, the stack trace only with SERIESC_DEBUG set.</summary>
    public int Internal(Exception ex)
    {
        Error.WriteLine("seriesc: internal error (a bug in seriesc, please report it): " + Messages.Clean(ex)
            + (Environment.GetEnvironmentVariable("SERIESC_DEBUG") is { Length: > 0 } ? Environment.NewLine + ex : ""));
        return ExitCodes.InternalError;
    }
}

/// <summary>Exception text as a user reads it: the message only, without .NET's decorations.</summary>
public static class Messages
{
    /// <summary>
    /// The message of <paramref name="ex"/> without " (Parameter 'x')" and "Actual value was ..." (which name the
    /// tool's internals, not the user's words), on one line.
    /// </summary>
    public static string Clean(Exception ex)
    {
        string message = ex.Message;
        if (ex is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            int at = message.IndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message.Remove(at, suffix.Length);
        }
        int actual = message.IndexOf("Actual value was", StringComparison.Ordinal);
        if (actual >= 0) message = message[..actual];
        message = string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return message.Length > 0 ? message : ex.GetType().Name;
    }
}
