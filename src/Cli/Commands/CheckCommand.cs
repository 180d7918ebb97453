using System.CommandLine;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// <c>seriesc check PATH... [--order N]</c>: parses, binds and derives (to order N, default 8) every declaration of the
/// named files and folders, and prints their diagnostics, warnings included, on standard error, file by file in
/// position order, then a summary line ("seriesc: checked 17 declarations in 17 files to order 8: 0 errors, 0 warnings").
/// Everything goes to standard error: standard output stays empty, as docs/cli.md has it ("diagnostics only"), so a
/// script reading it sees no change. Files are independent: an error in one does not stop the others
/// (they share one workspace, so a latent may name a declaration of another file being checked, and the bundled
/// declarations are its library). Exit code 1 if any error, or any path that does not exist.
/// </summary>
public static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = ".dist files, or folders whose *.dist files are all checked",
            Arity = ArgumentArity.OneOrMore,
        };
        var order = CommonOptions.Order();
        var command = new Command("check", "Parse and derive declarations; print their diagnostics only");
        command.Arguments.Add(paths);
        command.Options.Add(order);
        command.SetAction(parse => context.Guard(() => Run(context, parse.GetValue(paths)!, parse.GetValue(order))));
        return command;
    }

    public static int Run(CliContext context, IReadOnlyList<string> paths, int order)
    {
        bool failed = false;
        int fileErrors = 0;
        var files = DistributionResolver.ExpandPaths(context, paths, missing =>
        {
            context.Error.WriteLine($"seriesc: error: '{missing}' does not exist");
            failed = true;
            fileErrors++;
        });
        var sources = new List<SourceText>();
        foreach (var (full, display) in files)
        {
            try
            {
                sources.Add(SourceFiles.Read(full, display));
            }
            catch (CliException ex)
            {
                context.Error.WriteLine("seriesc: error: " + ex.Message);
                failed = true;
                fileErrors++;
            }
        }
        if (sources.Count == 0)
        {
            Summary(context, 0, 0, order, fileErrors, 0);
            return failed ? ExitCodes.InputError : ExitCodes.Success;
        }

        var library = DistributionLibrary.Load(context);
        var workspace = Workspace.Create(sources, library.SourcesExcept(files.Select(f => f.FullPath)));
        var diagnostics = new List<Diagnostic>(workspace.Diagnostics);
        // Declarations derive independently: on every core, the results kept in declaration order.
        var valid = workspace.Distributions.Where(workspace.IsValid).ToArray();
        foreach (var derived in workspace.DiagnoseAll(valid, order, Environment.ProcessorCount))
            diagnostics.AddRange(derived);

        // File by file as given, then by position; the sort is stable, so equal positions keep the stages' order.
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < sources.Count; i++) rank.TryAdd(sources[i].Path, i);
        foreach (var d in diagnostics.OrderBy(d => rank.GetValueOrDefault(d.Path, int.MaxValue)).ThenBy(d => d.Line).ThenBy(d => d.Column))
            context.Error.WriteLine(d.ToString());
        int errors = diagnostics.Count(d => d.IsError);
        Summary(context, workspace.Distributions.Count, sources.Count, order, fileErrors + errors, diagnostics.Count - errors);
        return failed || diagnostics.Any(d => d.IsError) ? ExitCodes.InputError : ExitCodes.Success;
    }

    // What was checked, on standard error (standard output is kept for nothing, as docs/cli.md promises).
    private static void Summary(CliContext context, int declarations, int files, int order, int errors, int warnings) =>
        context.Error.WriteLine($"seriesc: checked {Plural(declarations, "declaration")} in {Plural(files, "file")} to order {order}: " +
            $"{Plural(errors, "error")}, {Plural(warnings, "warning")}");

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
