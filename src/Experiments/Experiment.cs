namespace SeriesCompiler.Experiments;

/// <summary>
/// How a run was asked for: where to write, how large, and where progress and logs go. The optional sizes replace the
/// experiment's defaults for its mode (null: the default); an experiment refuses one it has no use for.
/// </summary>
public sealed record ExperimentOptions(string OutputDirectory, bool Quick, IProgress<ExperimentProgress>? Progress = null, TextWriter? Log = null)
{
    /// <summary>Seeds (independent training runs) per setting and estimator.</summary>
    public int? Seeds { get; init; }

    /// <summary>Optimiser steps per training run.</summary>
    public int? Steps { get; init; }

    /// <summary>Epochs per training run (discrete experiments).</summary>
    public int? Epochs { get; init; }

    /// <summary>Adam's learning rate.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Jobs run at once. The numbers do not depend on it: each job has its own random streams.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>The data set, where there is a choice (discrete experiments: "full" MNIST or the "shipped" 600 digits).</summary>
    public string? Data { get; init; }

    /// <summary>Continue the run in the output folder: finished jobs are read back, not redone.</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Run nothing: draw the figures and the summary's tables again from the CSVs already in the output folder (see
    /// <see cref="Output.Replot"/>).
    /// </summary>
    public bool Replot { get; init; }

    /// <summary>Checked before each job starts: a cancelled run stops at a job boundary, every finished job kept.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>A request an experiment cannot honour (an option it has no use for, data that is not there): the user's to fix.</summary>
public sealed class ExperimentInputException(string message) : ArgumentException(message);

/// <summary>A fraction done and what is running, for a progress bar.</summary>
public readonly record struct ExperimentProgress(double Fraction, string Status);

/// <summary>What a run wrote.</summary>
public sealed record ExperimentResult(string Name, IReadOnlyList<string> Files, TimeSpan Elapsed, string Summary);

/// <summary>One of the paper's experiments, reproduced: writes CSV, PNG plots and summary.md into its folder.</summary>
public interface IExperiment
{
    string Name { get; }
    string Description { get; }
    ExperimentResult Run(ExperimentOptions options);
}

public static class ExperimentCatalog
{
    public static IReadOnlyList<IExperiment> All { get; } =
    [
        new GammaToyExperiment(GammaToyExperiment.Objective.Quadratic),
        new GammaToyExperiment(GammaToyExperiment.Objective.Exponential),
        new LaplaceLogisticRegressionExperiment(),
        new LaplaceTruncationExperiment(),
        new Discrete.DiscreteLatentExperiment(Discrete.DiscreteLatentExperiment.Kind.SigmoidBeliefNetwork),
        new Discrete.DiscreteLatentExperiment(Discrete.DiscreteLatentExperiment.Kind.Categorical),
    ];

    public static IExperiment? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
