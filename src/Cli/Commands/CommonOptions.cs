using System.CommandLine;
using System.Globalization;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// Options shared by several commands, each made fresh per command. Their values are checked while parsing, so a bad
/// value is a command-line error (exit code 2) before any work starts.
/// </summary>
public static class CommonOptions
{
    /// <summary><c>--order N</c>: the truncation order, 1..<see cref="DerivationLimits.MaxOrder"/>.</summary>
    public static Option<int> Order(int defaultOrder = DerivationLimits.DefaultOrder)
    {
        var option = new Option<int>("--order")
        {
            Description = $"Truncation order N of the series: every |n| <= N (1..{DerivationLimits.MaxOrder})",
            HelpName = "N",
            DefaultValueFactory = _ => defaultOrder,
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0) return defaultOrder;
                string text = result.Tokens[^1].Value;
                if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int order))
                    result.AddError($"--order: '{text}' is not a whole number");
                else if (order < 1 || order > DerivationLimits.MaxOrder)
                    result.AddError($"--order must be between 1 and {DerivationLimits.MaxOrder}, got {order}");
                return order;
            },
        };
        return option;
    }

    /// <summary><c>--at p=v,q=u,alpha=[1.5,2,3]</c>: parameter values; may be repeated.</summary>
    public static Option<ParameterValues?> At() => new("--at")
    {
        Description = "Parameter values, e.g. k=2.5,mu=0.7; a vector parameter is written alpha=[1.5,2,3]",
        HelpName = "p=v,...",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var values = ParameterValues.TryParse(result.Tokens.Select(t => t.Value), out var error);
            if (values is null) result.AddError(error!);
            return values;
        },
    };

    /// <summary><c>--format</c> with the given choices, the first being the default.</summary>
    public static Option<string> Format(params string[] choices)
    {
        var option = new Option<string>("--format")
        {
            Description = "Output format: " + string.Join(", ", choices) + " (json: one document on standard output)",
            HelpName = string.Join("|", choices),
            DefaultValueFactory = _ => choices[0],
        };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }
}
