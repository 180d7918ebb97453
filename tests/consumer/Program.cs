using System.Globalization;
using SeriesCompiler.Runtime.Rules;

// Lists every rule class generated at build time from distributions/*.dist as "rule NAMESPACE.CLASS order N" (N is
// "-" for a derived rule, which has no series of its own), so that run.sh can check that a changed property or a
// deleted declaration leaves no stale class behind; and checks a coefficient of Thinned when it is there.
var types = typeof(Program).Assembly.GetTypes()
    .Where(t => typeof(IDistributionRule).IsAssignableFrom(t) || typeof(IDerivedRule).IsAssignableFrom(t))
    .OrderBy(t => t.FullName, StringComparer.Ordinal)
    .ToArray();
foreach (var type in types)
{
    object rule = type.GetField("Instance")?.GetValue(null) ?? throw new InvalidOperationException($"{type} has no Instance");
    string order = rule is IDistributionRule d ? d.Order.ToString(CultureInfo.InvariantCulture) : "-";
    Console.WriteLine($"rule {type.FullName} order {order}");
    if (rule is IDistributionRule { Name: "Thinned" } thinned)
    {
        double[] theta = [2.0, 0.25];
        thinned.Validate(theta);
        var a = new double[thinned.MultiIndices.Count * thinned.Differentiable.Count];
        thinned.Coefficients(theta, a);
        // c_1 = lambda*q, so a_{1,lambda} = q and a_{1,q} = lambda.
        if (a[0] != 0.25 || a[1] != 2.0)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Thinned: a_1,lambda = {a[0]:R}, a_1,q = {a[1]:R}; expected 0.25 and 2"));
            return 1;
        }
    }
}
var registry = typeof(Program).Assembly.GetTypes().Where(t => t.Name == "RuleRegistry").Select(t => t.FullName).ToArray();
Console.WriteLine($"registry {string.Join(" ", registry)}");
return 0;
