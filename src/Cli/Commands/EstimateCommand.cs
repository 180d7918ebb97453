using System.CommandLine;
using System.Globalization;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Cli.Output;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Objectives;
using SeriesCompiler.Symbolic;

namespace SeriesCompiler.Cli.Commands;

/// <summary>
/// <c>seriesc estimate FILE --at ... --f EXPR [--estimator fourier|score|pathwise|all] [--order N|auto] [--samples S]
/// [--seed K] [--derivatives jet|stencil] [--dims D] [--format table|json]</c>: a Monte Carlo estimate of
/// <c>dL/dtheta</c>, <c>L = E[f(z)]</c> (docs/cli.md gives the JSON shape). An unchanged bundled declaration at the
/// build-time order runs on its build-time class (<see cref="BuildTimeRules"/>); anything else is compiled in memory (a
/// user's file works without a rebuild). f is parsed in the declaration language and compiled
/// (<see cref="ObjectiveParser"/>); the output is written by <see cref="EstimateJsonWriter"/> and <see cref="EstimateTableWriter"/>. A declaration with errors exits with
/// 1; a bad --at (a value outside its constraint names the parameter and the bound) or --f with 2, like
/// <c>coefficients</c>. An estimator that does not apply, or whose gradient would not be finite (f or a derivative NaN or
/// infinite at a sample, a coefficient overflowing at high order), is reported as <c>{"estimator": ..., "error": "why"}</c>;
/// an estimate whose accuracy is in doubt carries <c>"warnings": [...]</c>. A run whose predicted work is above
/// <see cref="EstimateCost.Limit"/> is refused before anything is compiled (exit code 2) unless <c>--force</c> is given.
/// </summary>
public static partial class EstimateCommand
{
    /// <summary>The highest order <c>--order auto</c> considers.</summary>
    public const int AutoMaxOrder = 16;

    /// <summary>The width the table keeps to without --wide (<see cref="EstimateTableWriter.TableWidth"/>).</summary>
    public const int TableWidth = EstimateTableWriter.TableWidth;

    private static readonly string[] EstimatorNames = ["fourier", "resummed", "score", "pathwise"];

    private sealed record Settings(string File, ParameterValues At, string F, string Estimator, int Order, bool AutoOrder,
        int Samples, ulong Seed, DerivativeMode Mode, int Dims, string Format, bool Shortcut, bool OrderGiven = true, bool Force = false, int Threads = 1)
    {
        /// <summary>--wide: the table keeps each estimator's method in a column of its own (wider than 100 columns).</summary>
        public bool Wide { get; init; }
    }

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A .dist file, or the name of a bundled distribution (e.g. gamma)" };
        var at = CommonOptions.At();
        at.Required = true;
        var f = new Option<string>("--f")
        {
            Description = "f, in the declaration language: z (z1, z2, ... for several variables; z[j] for a family's components, " +
                "summed over j; z[0], sum(z) for the whole vector); with --dims, f of z is summed over the copies",
            HelpName = "EXPR",
            Required = true,
        };
        var estimator = new Option<string>("--estimator")
        {
            Description = "fourier (the rule of the paper; Theorem 2 on discrete supports; the exact resummed rule where one exists and --order is not given), resummed (the exact rule only), score (needs logpdf), pathwise, or all",
            HelpName = "fourier|resummed|score|pathwise|all",
            DefaultValueFactory = _ => "fourier",
        };
        estimator.AcceptOnlyFromAmong([.. EstimatorNames, "all"]);
        var order = new Option<string>("--order")
        {
            Description = $"Truncation order N of the Fourier rule (1..{DerivationLimits.MaxOrder}), or auto: stop each parameter's series at its smallest term (up to {AutoMaxOrder})",
            HelpName = "N|auto",
            DefaultValueFactory = _ => DerivationLimits.DefaultOrder.ToString(CultureInfo.InvariantCulture),
        };
        order.Validators.Add(result =>
        {
            string text = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
            if (result.Tokens.Count > 0 && text != "auto"
                && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= DerivationLimits.MaxOrder))
                result.AddError($"--order must be a whole number from 1 to {DerivationLimits.MaxOrder}, or auto; got '{text}'");
        });
        var samples = WholeNumber("--samples", "S", "Monte Carlo samples", 10_000, 1, int.MaxValue);
        var seed = new Option<ulong>("--seed")
        {
            Description = "Random seed; the same seed gives the same numbers",
            HelpName = "K",
            DefaultValueFactory = _ => 1,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 0 ? "1" : result.Tokens[^1].Value;
                if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)) return value;
                result.AddError($"--seed must be a whole number from 0 to {ulong.MaxValue}, got '{text}'");
                return 0;
            },
        };
        var derivatives = new Option<string>("--derivatives")
        {
            Description = "Derivatives of f: exact Taylor-mode jets, or finite-difference stencils",
            HelpName = "jet|stencil",
            DefaultValueFactory = _ => "jet",
        };
        derivatives.AcceptOnlyFromAmong("jet", "stencil");
        var dims = WholeNumber("--dims", "D", "z is D independent copies, each with its own parameters (a scalar in --at is shared, a vector gives one value per copy)", 1, 1, int.MaxValue);
        // The batched core gives the same numbers for any thread count (sample i draws from its own stream), so this
        // only changes the wall time.
        var threads = WholeNumber("--threads", "T", "Threads the sample blocks are spread over; the numbers are the same for any count", 1, 1, 1024);
        var force = new Option<bool>("--force")
        {
            Description = $"Run even when the predicted work (samples x coordinates x order x the rule's cost per sample) is above the limit of " +
                $"{EstimateCost.Limit:0e0} basic operations, about a minute; without it such a run is refused at once",
        };
        var noShortcut = new Option<bool>("--no-shortcut") { Description = "Use the series even when f is exp(tau*z + d) and the exponential shortcut would be exact" };
        var format = CommonOptions.Format("table", "json");
        var wide = new Option<bool>("--wide") { Description = "The table with a method column (the full description of each estimator); it may pass 100 columns" };

        var command = new Command("estimate", "A Monte Carlo estimate of dL/dtheta for L = E[f(z)], with standard errors");
        command.Arguments.Add(file);
        foreach (var option in new Option[] { at, f, estimator, order, samples, seed, derivatives, dims, threads, noShortcut, force, format, wide }) command.Options.Add(option);
        command.SetAction(parse => context.Guard(() =>
        {
            string orderText = parse.GetValue(order)!;
            bool auto = orderText == "auto";
            var settings = new Settings(parse.GetValue(file)!, parse.GetValue(at)!, parse.GetValue(f)!, parse.GetValue(estimator)!,
                auto ? AutoMaxOrder : int.Parse(orderText, CultureInfo.InvariantCulture), auto, parse.GetValue(samples), parse.GetValue(seed),
                parse.GetValue(derivatives) == "stencil" ? DerivativeMode.Stencil : DerivativeMode.Jet, parse.GetValue(dims),
                parse.GetValue(format)!, !parse.GetValue(noShortcut)) { OrderGiven = parse.GetResult(order) is { Implicit: false }, Force = parse.GetValue(force), Wide = parse.GetValue(wide), Threads = parse.GetValue(threads) };
            return Run(context, settings);
        }));
        return command;
    }

    // A whole number in [min, max], read as written (digits only, or an exact power-of-ten form such as 1e6), with a
    // message that names the option and its range instead of a .NET type.
    private static Option<int> WholeNumber(string name, string helpName, string description, int defaultValue, int min, int max)
    {
        var option = new Option<int>(name)
        {
            Description = $"{description} ({min}..{max})",
            HelpName = helpName,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0) return defaultValue;
                string text = result.Tokens[^1].Value;
                if (decimal.TryParse(text, NumberStyles.AllowExponent | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value)
                    && value == decimal.Truncate(value) && value >= min && value <= max)
                    return (int)value;
                bool number = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double approx) && double.IsFinite(approx);
                if (number && approx < min && approx == Math.Floor(approx))
                    result.AddError($"{name} must be at least {min}, got {text}");
                else result.AddError(number
                    ? $"{name} must be a whole number from {min} to {max}, got {text}"
                    : $"{name} must be a whole number from {min} to {max}, got '{text}', which is not a number");
                return defaultValue;
            },
        };
        return option;
    }

    private static readonly bool s_traceCpu = Environment.GetEnvironmentVariable("SERIESC_CPU") is { Length: > 0 };

    private static int Run(CliContext context, Settings s)
    {
        var loaded = DistributionResolver.Load(context, s.File);
        var declaration = loaded.Declaration;
        if ((long)s.Dims * declaration.Parameters.Length > EstimateCost.MaxParameterSlots)
            throw CliException.Usage($"--dims {s.Dims}: {declaration.Name} would need {(long)s.Dims * declaration.Parameters.Length} parameter values; " +
                $"the most this tool holds is {EstimateCost.MaxParameterSlots}");
        double[] theta = Theta(s.At, declaration, s.Dims);
        CheckCost(declaration, theta, s);

        StartupTrace.Mark("load+check");
        Rule rule = LoadRule(context, loaded, s.Order);
        RuleLoaded(ref context);
        StartupTrace.Mark("rule");

        int perCopy = theta.Length / s.Dims;
        CheckDoubles(rule, theta, perCopy);
        var objective = ObjectiveParser.Parse(s.F, ObjectiveShape.For(rule, theta.AsSpan(0, perCopy), s.Dims), s.Mode, out var diagnostics);
        foreach (var d in diagnostics) context.Error.WriteLine(d.ToString());
        if (objective is null) throw CliException.Usage("");
        StartupTrace.Mark("objective");

        var names = s.Estimator == "all" ? EstimatorNames : [s.Estimator];
        var estimates = new List<EstimateOutcome>();
        using var interruption = new EstimateInterruption(context); // Ctrl-C: exit 130 with one line; progress on a terminal
        foreach (var name in names)
        {
            GradientEstimator estimator = name switch
            {
                // Without an explicit --order, fourier means the whole series: its exact resummed form where one exists
                // (the exponential shortcut, exact as well, keeps priority for f = exp(tau z)).
                "fourier" when !s.OrderGiven && !objective.TryGetExponential(out _, out _) && new ResummedEstimator(rule).WhyNotApplicable(objective) is null
                    => new ResummedEstimator(rule),
                "fourier" => new FourierEstimator(rule, s.Order, s.AutoOrder, s.Shortcut),
                "resummed" => new ResummedEstimator(rule),
                "score" => new ScoreFunctionEstimator(rule),
                _ => new PathwiseEstimator(rule),
            };
            try
            {
                // SERIESC_CPU set: the estimate's process CPU time on standard error (the benches compare CPU time with
                // PyTorch's on a loaded machine, where the JSON's wall-clock seconds mostly measure the wait).
                var cpu = s_traceCpu ? System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime : TimeSpan.Zero;
                var jit = s_traceCpu ? System.Runtime.JitInfo.GetCompilationTime() : TimeSpan.Zero;
                estimates.Add(new(name, estimator.Estimate(theta, objective, s.Samples, s.Seed, s.Dims, new EstimateOptions { Threads = s.Threads }, interruption.Token, interruption.Progress(name)), null));
                if (s_traceCpu)
                    context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"seriesc: estimate {name} cpu_seconds {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:R} jit_seconds {(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalSeconds:R}"));
            }
            catch (OperationCanceledException)
            {
                throw interruption.Interrupted();
            }
            catch (EstimatorNotApplicableException ex)
            {
                estimates.Add(new(name, null, ex.Reason));
            }
            catch (ArgumentException ex)
            {
                // The message only: never .NET's "(Parameter 'weights')" or "Actual value was ...".
                estimates.Add(new(name, null, Messages.Clean(ex)));
            }
            catch (NonFiniteValueException ex)
            {
                // Never a silent NaN: the estimator is listed with what was not finite, where.
                estimates.Add(new(name, null, ex.Message));
            }
            catch (ArithmeticException ex)
            {
                // An overflow or a division by zero at the user's values: this estimator's error, not the tool's.
                estimates.Add(new(name, null, Messages.Clean(ex)));
            }
        }

        StartupTrace.Mark("estimate");
        var report = new EstimateReport(declaration.Name, [.. declaration.Parameters.Select(p => p.Name)], s.At, s.F, s.Samples, s.Seed, s.Dims, estimates);
        if (s.Format == "json") EstimateJsonWriter.Write(context.Out, report);
        else EstimateTableWriter.Write(context.Out, report, s.Wide);
        StartupTrace.Mark("write");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The rule to estimate with: the build-time class when the declaration is the unchanged bundled one at the
    /// build-time order (no Roslyn: the same generated C#, so the same numbers), else compiled in memory.
    /// </summary>
    internal static Rule LoadRule(CliContext context, LoadedDistribution loaded, int order)
    {
        if (BuildTimeRules.TryGet(loaded.Workspace, loaded.Declaration, order) is { } built) return built;
        Rule? compiled = null;
        CompileInMemory(context, loaded, order, ref compiled);
        return compiled ?? throw new InvalidOperationException($"No rule for {loaded.Declaration.Name} at order {order}: this build cannot compile declarations in memory.");
    }

    /// <summary>
    /// The declaration compiled in memory with Roslyn (src/Emit). Only the managed seriesc has this part
    /// (EstimateCommand.InMemory.cs); the native front (src/Cli.Native) has one that hands the command line on to it.
    /// </summary>
    static partial void CompileInMemory(CliContext context, LoadedDistribution loaded, int order, ref Rule? rule);

    /// <summary>
    /// The rule is loaded, so this process runs the estimate: the native front's part (NativeEstimate.cs), which held standard
    /// error back until it knew it would not hand the command line on, writes what it held and passes the rest through.
    /// </summary>
    static partial void RuleLoaded(ref CliContext context);

    /// <summary>Refuses, before anything is compiled, a run predicted to take past <see cref="EstimateCost.Limit"/> (unless --force).</summary>
    private static void CheckCost(BoundDistribution declaration, double[] theta, Settings s)
    {
        if (s.Force) return;
        int perCopy = theta.Length / s.Dims;
        // A family's coordinates: its size K, the length of its vector parameters; else the declared dimension.
        int coordinates = declaration.FamilySize is not null
            ? s.At.Values.Select(v => v.Vector?.Length ?? 1).DefaultIfEmpty(1).Max()
            : declaration.Dimension;
        var cost = new EstimateCost.Settings(s.Samples, s.Dims, s.Order, s.OrderGiven, s.Mode == DerivativeMode.Stencil,
            s.Estimator == "all" ? EstimatorNames : [s.Estimator]);
        if (EstimateCost.Refusal(EstimateCost.Predict(declaration, perCopy, coordinates, cost), cost, coordinates) is { } why)
            throw CliException.Usage(why);
    }

    /// <summary>
    /// The parameter vector from --at: declaration order, a family's vector parameter as K slots. With --dims D, the D
    /// copies' vectors one after the other: a scalar is shared by every copy, a vector of length D gives each its own.
    /// </summary>
    private static double[] Theta(ParameterValues at, BoundDistribution declaration, int dims)
    {
        if (dims == 1)
        {
            at.Validate(declaration.Name, declaration.Parameters);
            return [.. declaration.Parameters.SelectMany(p => at.Find(p.Name)!.Vector is { } v ? v.AsEnumerable() : [at.Find(p.Name)!.Scalar])];
        }
        if (declaration.FamilySize is not null)
            throw CliException.Usage($"--dims: {declaration.Name} is a family with vector parameters; --dims needs a distribution with scalar parameters");
        at.CheckNames(declaration.Name, declaration.Parameters);

        var theta = new double[dims * declaration.Parameters.Length];
        // Each parameter's exact values as written, read once (a vector of D values is D entries; a scalar is one, shared).
        var exact = new (Rational Value, string Text)[declaration.Parameters.Length][];
        for (int i = 0; i < declaration.Parameters.Length; i++)
        {
            var p = declaration.Parameters[i];
            var given = at.Find(p.Name)!;
            if (given.Vector is { } vector && vector.Length != dims)
                throw CliException.Usage($"--at: '{p.Name}' has {vector.Length} values; with --dims {dims} give one value (shared) or {dims}");
            exact[i] = [.. given.ExactValues()];
            for (int c = 0; c < dims; c++)
            {
                string shown = given.Vector is null ? p.Name : $"{p.Name}[{c}]";
                var (value, written) = given.Vector is null ? exact[i][0] : exact[i][c];
                ParameterValues.CheckValue(p, shown, value, written);
                theta[c * declaration.Parameters.Length + i] = given.Vector is { } values ? values[c] : given.Scalar;
            }
        }
        // Each copy's point against the joint constraints, with the same exact check and message as without --dims.
        if (declaration.Parameters.Any(p => p.JointConstraints.Length > 0))
        {
            var point = new Dictionary<string, (Rational Value, string Text)>();
            for (int c = 0; c < dims; c++)
            {
                for (int i = 0; i < declaration.Parameters.Length; i++)
                    point[declaration.Parameters[i].Name] = exact[i].Length == 1 ? exact[i][0] : exact[i][c];
                ParameterValues.CheckJointConstraints(declaration.Parameters, point);
            }
        }
        return theta;
    }

    /// <summary>
    /// The values as the estimators will use them: doubles, judged by the rule's own <c>Validate</c>. The exact check of
    /// --at has passed, so this refuses only a point within a rounding of a boundary (docs/parameter-checks.md): a
    /// command-line error (exit code 2) naming the parameter and its bound, before any estimator runs, never an
    /// estimate listed with an error and exit code 0.
    /// </summary>
    private static void CheckDoubles(Rule rule, double[] theta, int perCopy)
    {
        for (int offset = 0; offset < theta.Length; offset += perCopy)
        {
            try
            {
                rule.Validate(theta.AsSpan(offset, perCopy));
            }
            catch (ArgumentException ex)
            {
                throw CliException.Usage($"--at: as doubles (what the estimators compute with), {Messages.Clean(ex)}");
            }
        }
    }
}
