using System.CommandLine;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Emit;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// <c>seriesc compile PATH... [--order N] [--out DIR] [--namespace NS]</c>: emits the C# rule classes of the declarations
/// in the named files and folders into <c>DIR</c> (default <c>generated/</c>), one <c>NAME.g.cs</c> per distribution
/// plus <c>Stencils.g.cs</c> and <c>RuleRegistry.g.cs</c>. The bundled declarations are the library latents may name.
/// All or nothing: with any error the diagnostics go to standard error, nothing is written, and the exit code is 1.
/// The same core (<see cref="RuleGenerator"/>) serves the MSBuild task, so both give byte-identical files.
/// </summary>
public static class CompileCommand
{
    public const string DefaultOut = "generated";

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = ".dist files, or folders whose *.dist files are all compiled",
            Arity = ArgumentArity.OneOrMore,
        };
        var order = CommonOptions.Order();
        var output = new Option<string>("--out")
        {
            Description = "Folder the generated C# files are written to (created if missing)",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultOut,
        };
        var ns = new Option<string>("--namespace")
        {
            Description = "Namespace of the generated classes",
            HelpName = "NS",
            DefaultValueFactory = _ => RuleEmitter.DefaultNamespace,
        };
        ns.Validators.Add(result =>
        {
            string? value = result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;
            if (value is not null && !IsNamespace(value))
                result.AddError($"--namespace: '{value}' is not a C# namespace (dotted identifiers of letters, digits and '_')");
        });
        var command = new Command("compile", "Emit the C# estimator classes of declarations (one file per distribution plus shared stencils)");
        command.Arguments.Add(paths);
        command.Options.Add(order);
        command.Options.Add(output);
        command.Options.Add(ns);
        command.SetAction(parse => context.Guard(() =>
            Run(context, parse.GetValue(paths)!, parse.GetValue(order), parse.GetValue(output)!, parse.GetValue(ns)!)));
        return command;
    }

    /// <summary>Dotted ASCII identifiers that are not keywords: the emitted <c>namespace X;</c> must stay one statement.</summary>
    public static bool IsNamespace(string text) => Emit.CSharp.CSharpNames.IsNamespace(text);

    public static int Run(CliContext context, IReadOnlyList<string> paths, int order, string outDir, string @namespace)
    {
        bool failed = false;
        var files = DistributionResolver.ExpandPaths(context, paths, missing =>
        {
            context.Error.WriteLine($"seriesc: error: '{missing}' does not exist");
            failed = true;
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
            }
        }
        if (failed) return ExitCodes.InputError;
        if (sources.Count == 0) throw CliException.Input("no .dist files to compile");

        var library = DistributionLibrary.Load(context);
        var workspace = Workspace.Create(sources, library.SourcesExcept(files.Select(f => f.FullPath)));
        var result = RuleGenerator.Generate(workspace, order, @namespace);

        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < sources.Count; i++) rank.TryAdd(sources[i].Path, i);
        foreach (var d in result.Diagnostics.OrderBy(d => rank.GetValueOrDefault(d.Path, int.MaxValue)).ThenBy(d => d.Line).ThenBy(d => d.Column))
            context.Error.WriteLine(d.ToString());
        if (result.HasErrors) return ExitCodes.InputError;

        string directory = Path.GetFullPath(outDir, context.CurrentDirectory);
        try
        {
            RuleGenerator.WriteFiles(result.Files, directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"{outDir}: error {DiagnosticCatalogue.OutputNotWritable.Id}: cannot write the generated files: {ex.Message}");
            return ExitCodes.InputError;
        }
        return ExitCodes.Success;
    }

    /// <summary>Default order of generated code, as cli.md states.</summary>
    public const int DefaultOrder = DerivationLimits.DefaultOrder;
}
