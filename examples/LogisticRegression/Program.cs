using System.Globalization;
using SeriesCompiler.Examples;

// dotnet run --project examples/LogisticRegression [-- STEPS]
int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
var result = LaplaceLogisticRegression.Train(steps);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{steps} steps: loss {result.Losses[0]:F1} -> {result.Losses[^1]:F1}, accuracy of the posterior mean {result.Accuracy:F3} (majority class 0.627)"));
