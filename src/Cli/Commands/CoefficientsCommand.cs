using System.CommandLine;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Output;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// <c>seriesc coefficients FILE [--order N] [--at ...] [--format table|json|latex]</c>: the series of the rule,
/// <c>c_n</c> (the coefficient of <c>t^n</c> in K(t)) and <c>a_{n,p} = dc_n/dp</c>, symbolic and, with --at, numeric
/// (docs/cli.md gives the JSON shape). The numbers are the exact symbolic forms evaluated in rational arithmetic at the
/// decimals written, rounded once to the nearest double; an entry that is not (not finite, or an atom such as log
/// without a bounded evaluation) says so (docs/coefficients-exact.md). Diagnostics go to standard error; a declaration with errors exits with 1, a
/// bad --at (syntax, unknown or missing parameter, a value outside its constraint) with 2.
/// </summary>
public static partial class CoefficientsCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A .dist file, or the name of a bundled distribution (e.g. gamma)" };
        var order = CommonOptions.Order();
        var at = CommonOptions.At();
        var format = CommonOptions.Format("table", "json", "latex");
        var generated = new Option<bool>("--generated")
        {
            Description = "With --at: also compile the rule (as estimate does) and compare its double coefficients with the exact ones",
        };
        var command = new Command("coefficients", "The series coefficients of a rule, symbolic and (with --at) numeric");
        command.Arguments.Add(file);
        command.Options.Add(order);
        command.Options.Add(at);
        command.Options.Add(format);
        command.Options.Add(generated);
        command.SetAction(parse => context.Guard(() =>
            Run(context, parse.GetValue(file)!, parse.GetValue(order), parse.GetValue(at), parse.GetValue(format)!, parse.GetValue(generated))));
        return command;
    }

    /// <param name="at">The <c>--at</c> values: the numbers are evaluated exactly as written (0.9 is 9/10).</param>
    public static int Run(CliContext context, string fileOrName, int order, ParameterValues? at, string format, bool generated = false)
    {
        if (generated && at is null) throw CliException.Usage("--generated compares the compiled rule with the exact values at a point: give --at");
        var loaded = DistributionResolver.Load(context, fileOrName);
        StartupTrace.Mark("library+parse+bind");
        // Check --at before deriving: a command-line mistake is reported without waiting for the series.
        int? familySize = at?.Validate(loaded.Declaration.Name, loaded.Declaration.Parameters);
        var exact = at is null ? null : ExactParameterValues.From(at);
        var rule = loaded.Derive(context, order);
        StartupTrace.Mark("derive");
        var table = CoefficientTable.Build(rule, at, familySize, exact);
        StartupTrace.Mark("table");
        if (generated)
        {
            CheckGenerated(context, loaded, order, table, at!);
            if (table.Generated is null) throw new InvalidOperationException("this build of seriesc has no C# compiler for --generated");
        }
        switch (format)
        {
            case "json": JsonCoefficientsWriter.Write(context.Out, table); break;
            case "latex": LatexCoefficientsWriter.Write(context.Out, table); break;
            default: TableCoefficientsWriter.Write(context.Out, table); break;
        }
        StartupTrace.Mark("write");
        return ExitCodes.Success;
    }

    /// <summary>
    /// Sets <c>table.Generated</c>: the compiled rule beside the exact values (CoefficientsCommand.Generated.cs). The
    /// native front (src/Cli.Native) leaves it out, since it carries no C# compiler, and hands every --generated run to
    /// the managed seriesc; the check after the call keeps a slip in that routing from printing a table without it.
    /// </summary>
    static partial void CheckGenerated(CliContext context, LoadedDistribution loaded, int order, CoefficientTable table, ParameterValues at);
}
