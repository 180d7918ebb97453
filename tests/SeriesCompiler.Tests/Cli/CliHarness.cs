using SeriesCompiler.Cli;
using SeriesCompiler.Cli.Infrastructure;

namespace SeriesCompiler.Tests.Cli;

/// <summary>Runs seriesc in-process with captured output streams.</summary>
public static class CliHarness
{
    public sealed record Result(int ExitCode, string Out, string Err);

    /// <summary>
    /// Runs with the test binaries' folder as the tool folder (the bundled distributions are copied there) and, by
    /// default, an empty current directory, so that only the bundled declarations are found by name.
    /// </summary>
    public static Result Run(params string[] args) => RunIn(EmptyDirectory.Value, args);

    public static Result RunIn(string currentDirectory, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, new CliContext(stdout, stderr, currentDirectory, AppContext.BaseDirectory));
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    private static readonly Lazy<string> EmptyDirectory = new(() => TempDirectory.Create());
}

/// <summary>A fresh folder under the system's temporary folder.</summary>
public static class TempDirectory
{
    public static string Create()
    {
        string path = Path.Combine(Path.GetTempPath(), "seriesc-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
