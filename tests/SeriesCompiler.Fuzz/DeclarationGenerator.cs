using System.Globalization;
using System.Text;

namespace SeriesCompiler.Fuzz;

/// <summary>
/// Random declarations from the grammar of language.md. Most characteristic functions are built to be valid
/// (a cumulant generating function that vanishes at 0, written in <c>t</c> for a <c>cgf</c> and in <c>(i*w)</c> for a
/// <c>cf</c>/<c>logcf</c>, so its coefficients are real), so that derivation and emission run to the end; some are
/// arbitrary trees over <c>+ - * / ^ exp log sin cos tanh atan lgamma sqrt</c>, parameters, constants and the
/// frequency variable, which mostly end in derivation diagnostics. Some declarations are built from latents and a
/// value, some files hold several declarations naming each other.
/// </summary>
public sealed class DeclarationGenerator(Random random)
{
    private sealed record Parameter(string Name, string Constraint, bool Positive, bool Integer);

    private List<Parameter> _parameters = new();
    private readonly List<string> _declared = new();

    private static readonly string[] ParameterNames =
        ["mu", "sigma", "k", "p", "lambda", "a", "b", "c", "r", "s", "theta", "rho", "nu", "beta", "alpha", "scale", "rate", "m1", "m2", "q"];

    private static readonly string[] LibraryTargets = ["Gamma", "Normal", "Exponential", "Poisson", "Dirac", "Laplace", "Bernoulli", "Beta", "Uniform"];

    /// <summary>A whole file: one declaration, sometimes two or three (a later one may be built from an earlier one).</summary>
    public string File()
    {
        var sb = new StringBuilder();
        if (random.Next(4) == 0) sb.Append("# generated\n");
        int count = random.Next(8) == 0 ? random.Next(2, 4) : 1;
        for (int k = 0; k < count; k++)
        {
            sb.Append(Declaration());
            sb.Append(random.Next(3) == 0 ? "\n\n" : "\n");
        }
        return sb.ToString();
    }

    private string Declaration()
    {
        string name = DistributionName();
        _parameters = Parameters();
        var sb = new StringBuilder();
        sb.Append("distribution ").Append(name).Append('(')
          .Append(string.Join(", ", _parameters.Select(p => p.Name + p.Constraint))).Append(") {\n");

        bool derived = random.Next(8) == 0;
        int dimension = !derived && random.Next(10) == 0 ? random.Next(2, 4) : 1;
        sb.Append("    support ").Append(Support(dimension)).Append('\n');

        if (derived)
        {
            int latents = random.Next(1, 4);
            var names = new List<string>();
            for (int k = 0; k < latents; k++)
            {
                string latent = "z" + (k + 1);
                names.Add(latent);
                sb.Append("    latent ").Append(latent).Append(" ~ ").Append(LatentTarget()).Append('\n');
            }
            sb.Append("    value = ").Append(Value(names)).Append('\n');
        }
        else
        {
            sb.Append("    ").Append(Characteristic(dimension)).Append('\n');
            if (random.Next(3) == 0) sb.Append("    logpdf(z) = ").Append(LogDensity()).Append('\n');
            if (random.Next(2) == 0)
            {
                var lets = new List<string>();
                int n = random.Next(0, 3);
                for (int k = 0; k < n; k++)
                {
                    string let = "u" + k;
                    sb.Append("    let ").Append(let).Append(" = ").Append(Draw()).Append('\n');
                    lets.Add(let);
                }
                sb.Append("    sample = ").Append(Sample(lets, dimension)).Append('\n');
            }
        }
        sb.Append("}\n");
        _declared.Add(name);
        return sb.ToString();
    }

    private string DistributionName() => random.Next(12) switch
    {
        0 => Mutator.CSharpWords[random.Next(Mutator.CSharpWords.Length)],
        1 => Mutator.UnicodeNames[random.Next(Mutator.UnicodeNames.Length)],
        2 => LibraryTargets[random.Next(LibraryTargets.Length)], // shadows the bundled declaration
        3 => "D_" + random.Next(100),
        _ => "Gen" + random.Next(100000),
    };

    private List<Parameter> Parameters()
    {
        int count = random.Next(10) == 0 ? 0 : random.Next(1, 5);
        var result = new List<Parameter>();
        var used = new HashSet<string>();
        for (int k = 0; k < count; k++)
        {
            string name = random.Next(10) switch
            {
                0 => Mutator.CSharpWords[random.Next(Mutator.CSharpWords.Length)],
                1 => Mutator.UnicodeNames[random.Next(Mutator.UnicodeNames.Length)],
                _ => ParameterNames[random.Next(ParameterNames.Length)],
            };
            if (!used.Add(name) || name is "t" or "w" or "z" or "_" && random.Next(4) != 0) continue;
            result.Add(random.Next(8) switch
            {
                0 or 1 => new Parameter(name, "", false, false),
                2 or 3 => new Parameter(name, " > 0", true, false),
                4 => new Parameter(name, " >= 0", true, false),
                5 => new Parameter(name, " in (0, 1)", true, false),
                6 => new Parameter(name, " in (-1, 1)", false, false),
                _ => new Parameter(name, " : integer >= 1", true, true),
            });
        }
        return result;
    }

    private string Support(int dimension)
    {
        if (dimension > 1) return "real^" + dimension;
        return random.Next(8) switch
        {
            0 => "real",
            1 => "positive",
            2 => "naturals",
            3 => "{0, 1}",
            4 => "(0, 1)",
            5 => "integers",
            6 => _parameters.Count > 0 ? $"({_parameters[0].Name}, {_parameters[0].Name} + 1)" : "{0 .. 3}",
            _ => "real",
        };
    }

    // ---- characteristic functions ----

    private string Characteristic(int dimension)
    {
        if (dimension > 1)
        {
            var ts = Enumerable.Range(1, dimension).Select(j => "t" + j).ToArray();
            string body = random.Next(4) == 0 ? Arbitrary(3, ts[random.Next(ts.Length)]) : MultiVanishing(ts);
            if (random.Next(3) == 0)
            {
                var ws = Enumerable.Range(1, dimension).Select(j => "w" + j).ToArray();
                string cfBody = MultiVanishing(ws.Select(w => "(i*" + w + ")").ToArray());
                return $"logcf({string.Join(", ", ws)}) = {cfBody}";
            }
            return $"cgf({string.Join(", ", ts)}) = {body}";
        }

        bool arbitrary = random.Next(5) == 0;
        string variable = random.Next(6) switch { 0 => "omega", 1 => "x", _ => "w" };
        switch (random.Next(6))
        {
            case 0:
            case 1:
            {
                string t = random.Next(5) == 0 ? "u" : "t";
                return $"cgf({t}) = {(arbitrary ? Arbitrary(4, t) : Vanishing(3, t))}";
            }
            case 2:
                return $"logcf({variable}) = {(arbitrary ? Arbitrary(4, variable) : Vanishing(3, "(i*" + variable + ")"))}";
            case 3:
                return $"cf({variable}) = exp({Vanishing(3, "(i*" + variable + ")")})";
            case 4:
                return $"cf({variable}) = {(arbitrary ? Arbitrary(4, variable) : "1 + " + Vanishing(2, "(i*" + variable + ")"))}";
            default:
            {
                // A location factor times a cf, or a quotient with a removable singularity at 0.
                string x = "(i*" + variable + ")";
                return random.Next(3) switch
                {
                    0 => $"cf({variable}) = exp(i*{Analytic(1)}*{variable}) / (1 + {Analytic(1)}^2*{variable}^2)",
                    1 => $"cf({variable}) = sinh({Analytic(1)}*{variable})/({Analytic(1)}*{variable})",
                    _ => $"cf({variable}) = (exp({x}) - 1)/{x}",
                };
            }
        }
    }

    /// <summary>An expression of the parameters and constants only.</summary>
    private string Analytic(int depth)
    {
        if (depth <= 0 || random.Next(3) == 0) return Leaf(positive: random.Next(2) == 0);
        return random.Next(9) switch
        {
            0 => $"{Analytic(depth - 1)} + {Analytic(depth - 1)}",
            1 => $"{Analytic(depth - 1)}*{Analytic(depth - 1)}",
            2 => $"({Analytic(depth - 1)})^2",
            3 => $"exp({Analytic(depth - 1)})",
            4 => $"sqrt({Leaf(positive: true)})",
            5 => $"log({Leaf(positive: true)})",
            6 => $"lgamma({Leaf(positive: true)})",
            7 => $"{Analytic(depth - 1)}/{Leaf(positive: true)}",
            _ => $"({Analytic(depth - 1)} - {Analytic(depth - 1)})",
        };
    }

    private string Leaf(bool positive)
    {
        var candidates = positive ? _parameters.Where(p => p.Positive).ToList() : _parameters;
        if (candidates.Count > 0 && random.Next(3) != 0) return candidates[random.Next(candidates.Count)].Name;
        return Constant(positive);
    }

    private string Constant(bool positive) => random.Next(12) switch
    {
        0 => "pi",
        1 => "0.49",
        2 => "1e-3",
        3 => "2.5E+2",
        4 => "1/3",
        5 => random.Next(20) == 0 ? "1e300" : "7",
        6 => random.Next(20) == 0 ? "123456789012345678901234567890" : "3",
        _ => random.Next(1, 10).ToString(CultureInfo.InvariantCulture) + (positive || random.Next(2) == 0 ? "" : ".5"),
    };

    /// <summary>An expression in <paramref name="x"/> that vanishes at x = 0 and is analytic there.</summary>
    private string Vanishing(int depth, string x)
    {
        if (depth <= 0 || random.Next(4) == 0)
        {
            return random.Next(4) switch
            {
                0 => x,
                1 => $"{Analytic(1)}*{x}",
                2 => $"{x}^{random.Next(2, 5)}",
                _ => $"{Analytic(1)}*{x}^2/2",
            };
        }
        int d = depth - 1;
        return random.Next(16) switch
        {
            0 => $"(exp({Vanishing(d, x)}) - 1)",
            1 => $"sin({Vanishing(d, x)})",
            2 => $"tanh({Vanishing(d, x)})",
            3 => $"atan({Vanishing(d, x)})",
            4 => $"log(1 + {Vanishing(d, x)})",
            5 => $"(sqrt(1 + {Vanishing(d, x)}) - 1)",
            6 => $"{Vanishing(d, x)} + {Vanishing(d, x)}",
            7 => $"{Vanishing(d, x)} - {Vanishing(d, x)}",
            8 => $"{Analytic(1)}*({Vanishing(d, x)})",
            9 => $"({Vanishing(d, x)})*({Vanishing(d, x)})",
            10 => $"({Vanishing(d, x)})/{Leaf(positive: true)}",
            11 => $"(lgamma({Leaf(positive: true)} + {Vanishing(d, x)}) - lgamma({Leaf(positive: true)}))",
            12 => $"((1 + {Vanishing(d, x)})^{Exponent()} - 1)",
            13 => $"(cos({Vanishing(d, x)}) - 1)",
            14 => $"{Leaf(false)}*(exp({x}) - 1)",
            _ => $"-{Analytic(1)}*log(1 - {Leaf(positive: true)}*{x})",
        };
    }

    private string MultiVanishing(string[] xs)
    {
        var terms = new List<string>();
        foreach (var x in xs) terms.Add($"{Analytic(1)}*{x}");
        int quadratic = random.Next(0, 4);
        for (int k = 0; k < quadratic; k++)
            terms.Add($"{Analytic(1)}*{xs[random.Next(xs.Length)]}*{xs[random.Next(xs.Length)]}/2");
        if (random.Next(3) == 0) terms.Add($"(exp({xs[random.Next(xs.Length)]}) - 1)");
        if (random.Next(4) == 0) terms.Add($"log(1 + {xs[0]}*{xs[^1]})");
        return string.Join(" + ", terms);
    }

    private string Exponent() => random.Next(14) switch
    {
        0 => "1/2",
        1 => "-1",
        2 => "-2",
        3 => "3/2",
        4 => "0.5",
        5 => random.Next(10) == 0 ? "1000000" : "100",
        6 => random.Next(2) == 0 ? "64" : "65",
        7 => Leaf(positive: true),
        _ => random.Next(2, 6).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Anything over the operators, functions, parameters, constants and the variable: many are refused.</summary>
    private string Arbitrary(int depth, string x)
    {
        if (depth <= 0 || random.Next(4) == 0)
        {
            return random.Next(6) switch
            {
                0 or 1 => x,
                2 => Constant(false),
                3 => random.Next(6) == 0 ? "i" : Leaf(false),
                _ => Leaf(random.Next(2) == 0),
            };
        }
        int d = depth - 1;
        string[] functions = ["exp", "log", "sin", "cos", "tanh", "atan", "lgamma", "sqrt", "exp", "log", "sin", "tan", "sinh", "cosh", "digamma"];
        return random.Next(8) switch
        {
            0 => $"{Arbitrary(d, x)} + {Arbitrary(d, x)}",
            1 => $"{Arbitrary(d, x)} - {Arbitrary(d, x)}",
            2 => $"{Arbitrary(d, x)}*{Arbitrary(d, x)}",
            3 => $"{Arbitrary(d, x)}/({Arbitrary(d, x)})",
            4 => $"({Arbitrary(d, x)})^{(random.Next(2) == 0 ? Exponent() : "(" + Arbitrary(d, x) + ")")}",
            5 => $"-{Arbitrary(d, x)}",
            _ => $"{functions[random.Next(functions.Length)]}({Arbitrary(d, x)})",
        };
    }

    // ---- other statements ----

    private string LogDensity()
    {
        string z = "z";
        var terms = new List<string> { random.Next(3) switch { 0 => $"-abs({z} - {Leaf(false)})", 1 => $"-({z} - {Leaf(false)})^2/2", _ => $"{Leaf(false)}*log({z})" } };
        if (random.Next(2) == 0) terms.Add($"log({Leaf(positive: true)})");
        if (random.Next(3) == 0) terms.Add($"lgamma({z} + 1)");
        return string.Join(" - ", terms);
    }

    private string Draw() => random.Next(8) switch
    {
        0 => "uniform()",
        1 => "normal()",
        2 => "exponential()",
        3 => $"gamma({Leaf(positive: true)})",
        4 => $"beta({Leaf(positive: true)}, {Leaf(positive: true)})",
        5 => $"poisson({Leaf(positive: true)})",
        6 => "bernoulli(0.5)",
        _ => "categorical(0.2, 0.3, 0.5)",
    };

    private string Sample(List<string> lets, int dimension)
    {
        string One() => random.Next(3) switch
        {
            0 => $"{Leaf(false)} + {Leaf(true)}*{Draw()}",
            1 when lets.Count > 0 => $"{Leaf(false)} + {lets[random.Next(lets.Count)]}*{Leaf(true)}",
            _ => Draw(),
        };
        return dimension > 1 ? "(" + string.Join(", ", Enumerable.Range(0, dimension).Select(_ => One())) + ")" : One();
    }

    private string LatentTarget()
    {
        string target = _declared.Count > 0 && random.Next(3) == 0
            ? _declared[random.Next(_declared.Count)]
            : random.Next(15) == 0 ? "Missing" + random.Next(10) : LibraryTargets[random.Next(LibraryTargets.Length)];
        int arguments = target switch
        {
            "Gamma" or "Normal" or "Laplace" or "Beta" or "Uniform" => 2,
            "Exponential" or "Poisson" or "Dirac" or "Bernoulli" => 1,
            _ => random.Next(0, 3),
        };
        if (random.Next(10) == 0) arguments = random.Next(0, 4);
        return target + "(" + string.Join(", ", Enumerable.Range(0, arguments).Select(_ => random.Next(3) == 0 ? "1" : Analytic(1))) + ")";
    }

    private string Value(List<string> latents)
    {
        string L() => latents[random.Next(latents.Count)];
        return random.Next(9) switch
        {
            0 => L(),
            1 => $"{L()} + {L()}",
            2 => $"{L()}*{L()}",
            3 => $"{L()}/({L()} + {L()})",
            4 => $"{Leaf(false)}*{L()} - {L()}",
            5 => $"{L()}^2",
            6 => $"exp({L()})",
            7 => $"{L()}^{Exponent()}",
            _ => $"({L()} - {L()})/{Leaf(true)}",
        };
    }
}
