using System.Globalization;
using Consumer.Rules;

// Loads the rules generated at build time from distributions/*.dist and prints a coefficient of each.
var thinned = RuleRegistry.Find("thinned") ?? throw new InvalidOperationException("Thinned was not generated");
double[] theta = [2.0, 0.25];
thinned.Validate(theta);
var a = new double[thinned.MultiIndices.Count * thinned.Differentiable.Count];
thinned.Coefficients(theta, a);
// c_1 = lambda*q, so a_{1,lambda} = q and a_{1,q} = lambda.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Thinned order {thinned.Order}: a_1,lambda = {a[0]:R}, a_1,q = {a[1]:R}"));
if (a[0] != 0.25 || a[1] != 2.0) { Console.Error.WriteLine("unexpected coefficients"); return 1; }

var sum = RuleRegistry.FindDerived("gammasum") ?? throw new InvalidOperationException("GammaSum was not generated");
Console.WriteLine($"GammaSum latents: {string.Join(", ", sum.Latents.Select(l => l.Name + " ~ " + l.Distribution))}");
if (sum.Latents.Count != 2) return 1;
Console.WriteLine("consumer: ok");
return 0;
