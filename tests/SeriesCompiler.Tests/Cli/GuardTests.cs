using SeriesCompiler.Cli.Infrastructure;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>Issue 18, item 7: how a command's exceptions end: never a stack trace, and exit code 3 only for a bug.</summary>
public class GuardTests
{
    private static (int Code, string Err) Run(Func<int> body)
    {
        var err = new StringWriter();
        int code = new CliContext(new StringWriter(), err, Path.GetTempPath(), AppContext.BaseDirectory).Guard(body);
        return (code, err.ToString());
    }

    [Fact]
    public void Memory_running_out_is_an_input_error_with_a_clear_message()
    {
        var (code, err) = Run(() => throw new OutOfMemoryException());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("too large for this machine's memory", err);
        Assert.DoesNotContain("Exception", err);
    }

    [Fact]
    public void A_refused_file_is_an_input_error_with_its_message_only()
    {
        var (code, err) = Run(() => throw new UnauthorizedAccessException("Access to the path '/x' is denied."));
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Equal("seriesc: error: Access to the path '/x' is denied.", err.Trim());
    }

    [Fact]
    public void A_bug_is_exit_code_3_on_one_line_without_a_stack_trace()
    {
        if (Environment.GetEnvironmentVariable("SERIESC_DEBUG") is { Length: > 0 }) return;
        var (code, err) = Run(() => throw new InvalidOperationException("something inside"));
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.Equal("seriesc: internal error (a bug in seriesc, please report it): something inside", err.Trim());
    }
}
