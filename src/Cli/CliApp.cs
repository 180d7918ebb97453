using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using SeriesCompiler.Cli.Commands;
using SeriesCompiler.Cli.Infrastructure;

namespace SeriesCompiler.Cli;

/// <summary>
/// The <c>seriesc</c> program (docs/cli.md is its contract). Each command is one class under <c>Commands/</c> that
/// makes its <see cref="Command"/>; this class wires them into the root and maps the outcome to an exit code:
/// 0 success, 1 input errors, 2 a wrong command line (parse errors are printed here, never by a command).
/// The command table (<c>Commands</c>) lives in another part: CliApp.Commands.cs has all of them; the native front
/// (src/Cli.Native) compiles this file with a table of its own commands only (check, coefficients), so both parse and
/// report alike, byte for byte.
/// </summary>
public static partial class CliApp
{
    /// <summary>The values an option accepts when they are a fixed list (AcceptOnlyFromAmong), from its completions.</summary>
    private static IReadOnlyList<string> GetCompletionChoices(this Option option) =>
        option.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Select(c => c.Label).ToList();

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, new CliContext(stdout, stderr, Environment.CurrentDirectory, AppContext.BaseDirectory));

    public static int Run(string[] args, CliContext context)
    {
        // Every number the program reads or writes is culture-invariant; pin the culture so no formatting slips.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            StartupTrace.Mark("main");
            var root = CreateRootCommand(context, args.Length > 0 ? args[0] : null);
            StartupTrace.Mark("commands");
            var parse = root.Parse(args);
            StartupTrace.Mark("parse");
            if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
            {
                foreach (var error in parse.Errors) context.Error.WriteLine("seriesc: error: " + Describe(error) + Suggest(parse, error));
                string command = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
                context.Error.WriteLine($"Run 'seriesc{command} --help' for usage.");
                return ExitCodes.UsageError;
            }
            // Commands guard their own bodies; this catches the rest (an option's parser, say), on one line.
            return parse.Invoke(new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            return context.Internal(ex);
        }
        finally
        {
            StartupTrace.Report(context.Error);
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>
    /// Completions (the <c>[suggest]</c> directive, which dotnet-suggest and shell scripts call; README "Command line"):
    /// the bundled distribution names for a FILE argument, and what a command's part adds (CliApp.Commands.cs: the
    /// experiment names for <c>experiment NAME</c>). They are computed only when asked for, so a normal run pays nothing;
    /// help lists them too, which is why the native front, which hands the directive itself on, has them as well.
    /// </summary>
    private static void AddCompletions(RootCommand root, CliContext context)
    {
        foreach (var command in root.Subcommands)
        foreach (var argument in command.Arguments)
        {
            if (argument.Name == "FILE")
                argument.CompletionSources.Add(_ => DistributionLibrary.Load(context).Files
                    .Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)
                    .Select(n => new System.CommandLine.Completions.CompletionItem(n)));
            else
                AddCompletions(command, argument, context);
        }
    }

    /// <summary>Completions of the commands of one part (none in the native front's).</summary>
    static partial void AddCompletions(Command command, Argument argument, CliContext context);

    /// <summary>
    /// A parse error on one line, naming its option: System.CommandLine's "Argument 'jsn' not recognized. Must be one
    /// of:" and its list on lines of their own become "--format: 'jsn' is not one of 'table', 'json' (did you mean 'json'?)".
    /// </summary>
    private static string Describe(System.CommandLine.Parsing.ParseError error)
    {
        string message = string.Join(" ", error.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var result = error.SymbolResult as System.CommandLine.Parsing.OptionResult ?? error.SymbolResult?.Parent as System.CommandLine.Parsing.OptionResult;
        if (result is { Option: var option } && !message.Contains(option.Name, StringComparison.Ordinal))
        {
            string? given = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            var choices = option.GetCompletionChoices();
            if (given is not null && choices.Count > 0 && message.Contains("not recognized", StringComparison.Ordinal))
                return $"{option.Name}: '{given}' is not one of {string.Join(", ", choices.Select(c => $"'{c}'"))}{Suggestions.DidYouMean(given, choices)}";
            return $"{option.Name}: {message}";
        }
        return message;
    }

    /// <summary>
    /// "Did you mean" for a token the parser did not recognise: the closest subcommand or option of the command it
    /// appeared under (System.CommandLine's own suggestions are not shown, since parse errors are printed here).
    /// </summary>
    private static string Suggest(ParseResult parse, System.CommandLine.Parsing.ParseError error)
    {
        var token = parse.UnmatchedTokens.FirstOrDefault(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal));
        if (token is null) return "";
        var command = parse.CommandResult.Command;
        var names = command.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name))
            .Concat(command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)));
        // A word with a leading dash is an option; a bare word is a subcommand (or an option typed without its dashes).
        if (token.StartsWith('-')) names = names.Where(n => n.StartsWith('-'));
        return Suggestions.DidYouMean(token, names);
    }

    /// <summary>The root command with every subcommand (help, completion and the tests walk them all).</summary>
    public static RootCommand CreateRootCommand(CliContext context) => CreateRootCommand(context, only: null);

    /// <summary>
    /// The root command. When the first argument names a command exactly, only that command is made: a run of
    /// `seriesc coefficients ...` parses the same words against the same command, and making the other four (some
    /// 40 options with their parsers and validators) was a measurable part of a cold start. Anything else (root
    /// help, a misspelt command, a [suggest] directive) gets all of them, so help and "did you mean" still see every name.
    /// </summary>
    private static RootCommand CreateRootCommand(CliContext context, string? only)
    {
        var root = new RootCommand(
            "seriesc: compiles .dist declarations of distributions (by characteristic function) to the gradient rules of " +
            "Fourier stochastic backpropagation. With no arguments it prints the symbolic series, to order 4, of every " +
            "bundled distribution. Exit codes: 0 success, 1 errors in the input, 2 a wrong command line.");
        bool single = only is not null && Array.Exists(Commands, c => c.Name == only);
        foreach (var (name, create) in Commands)
            if (!single || name == only) root.Subcommands.Add(create(context));
        root.SetAction(_ => context.Guard(() => OverviewCommand.Run(context)));
        AddCompletions(root, context);
        return root;
    }
}
