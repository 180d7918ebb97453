using System.CommandLine;
using SeriesCompiler.Cli;
using SeriesCompiler.Cli.Infrastructure;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// Issue 17's acceptance: every option of every command that takes a value, found by walking the command tree (so an
/// option added later is walked too), given malformed values on an otherwise valid command line, is a command-line
/// error: exit code 2, a message that names the option, and no stack trace or .NET exception text.
/// </summary>
public class MalformedOptionWalkTests
{
    // Not a number, a fraction, negative, out of range, not finite, empty, hexadecimal, a decimal comma, a non-ASCII digit.
    private static readonly string[] MalformedNumbers = ["abc", "1.5", "-1", "1e400", "NaN", "", "0x10", "1,5", "\u0663"];

    // A valid command line per command, to which one malformed option is added.
    private static string[] Base(string command, string tmp, string good) => command switch
    {
        "check" => ["check", good],
        "coefficients" => ["coefficients", "gamma"],
        "compile" => ["compile", good, "--out", Path.Combine(tmp, "out")],
        "estimate" => ["estimate", "normal", "--at", "mu=0,sigma=1", "--f", "z", "--samples", "20"],
        "experiment" => ["experiment", "gamma-exp", "--out", Path.Combine(tmp, "results")],
        _ => throw new ArgumentException("no base command line for " + command),
    };

    // Malformed values for an option that is not a number: a choice out of its list, a parameter list that does not
    // parse, a namespace that is not one. Options whose every value is meaningful (paths, expressions, flags) are absent.
    private static string[]? MalformedOther(string option) => option switch
    {
        "--format" or "--estimator" or "--derivatives" => ["bogus", ""],
        "--at" => ["k", "k=", "=1", "k=[1,2"],
        "--namespace" => ["1bad", "class", "a..b"],
        _ => null,
    };

    private static bool IsNumeric(Option option) =>
        option.ValueType == typeof(int) || option.ValueType == typeof(long) || option.ValueType == typeof(ulong) || option.ValueType == typeof(double)
        // estimate's --order also takes "auto", so it is a string option; its help name says it is a number.
        || option.HelpName is { } help && help.Split('|').Contains("N");

    [Fact]
    public void Every_numeric_and_choice_option_refuses_malformed_values_with_exit_code_2()
    {
        string tmp = TempDirectory.Create();
        string good = Path.Combine(tmp, "shifted.dist");
        File.WriteAllText(good, "distribution Shifted(a, b > 0) {\n    support real\n    cgf(t) = a*t + b*t^2/2\n}\n");
        var root = CliApp.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null, tmp, AppContext.BaseDirectory));

        var walked = new List<string>();
        var failures = new List<string>();
        foreach (var command in root.Subcommands)
        foreach (var option in command.Options)
        {
            string[]? values = IsNumeric(option) ? MalformedNumbers : MalformedOther(option.Name);
            if (values is null) continue;
            walked.Add($"{command.Name} {option.Name}");
            foreach (var value in values)
            {
                string[] args = [.. Base(command.Name, tmp, good), option.Name, value];
                var result = CliHarness.RunIn(tmp, args);
                string shown = $"seriesc {string.Join(" ", args)} -> {result.ExitCode}: {result.Err.Trim()}";
                if (result.ExitCode != ExitCodes.UsageError) failures.Add(shown);
                else if (!result.Err.Contains(option.Name)) failures.Add("the message does not name the option: " + shown);
                foreach (var bad in new[] { "   at ", "Exception", "(Parameter '", "internal error" })
                    if (result.Err.Contains(bad) || result.Out.Contains(bad)) failures.Add($"'{bad}' in the output: " + shown);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The walk found the numeric options docs/cli.md names (it cannot pass by walking nothing).
        foreach (var expected in new[] { "check --order", "coefficients --order", "compile --order", "estimate --order", "estimate --samples",
                     "estimate --seed", "estimate --dims", "coefficients --format", "estimate --format", "estimate --at", "compile --namespace" })
            Assert.Contains(expected, walked);
    }
}
