using System.Collections.Immutable;
using System.Text.RegularExpressions;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Symbolic.Series;
using Xunit;
using Xunit.Abstractions;

namespace SeriesCompiler.Tests.FormInvariance;

/// <summary>
/// Form invariance (issue 16, item 1): every bundled declaration, rewritten in mathematically equivalent ways
/// (cf, logcf and cgf into each other; logs of products, quotients and powers; exp(a) exp(b) against exp(a + b);
/// scaled and shifted parameters), must give the same exact coefficients c_n and a_{n,p} and the same resummed rules.
/// The rewritings are built from the declaration's own text: generic ones by its statement kind (a seeded random
/// choice of constants and of which rewritings apply), and per-declaration forms written from the mathematics below.
/// </summary>
public sealed class FormInvarianceTests(ITestOutputHelper output)
{
    private const int Order = 8;

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "distributions");

    private static readonly Lazy<ImmutableArray<SourceText>> Library = new(() =>
        Directory.GetFiles(Folder, "*.dist").Order(StringComparer.Ordinal).Select(f => SourceText.FromFile(f)).ToImmutableArray());

    private static readonly object Gate = new();

    public static TheoryData<string> Bundled()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Folder, "*.dist").Order(StringComparer.Ordinal)) data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    private static readonly Regex Statement = new(@"^(?<indent>\s*)(?<kind>cf|logcf|cgf)\((?<vars>[^)]*)\)\s*=\s*(?<body>.+)$", RegexOptions.Multiline);

    /// <summary>Equivalent forms written by hand, one line each (the characteristic statement that replaces the bundled one).</summary>
    private static readonly Dictionary<string, string[]> Written = new(StringComparer.OrdinalIgnoreCase)
    {
        // (1 - p)^r (1 - p e^{iw})^-r, its quotient, its power, and the same logs with both signs flipped.
        ["negativebinomial"] =
        [
            "cf(w) = ((1 - p)/(1 - p*exp(i*w)))^r",
            "cf(w) = (1 - p)^r * (1 - p*exp(i*w))^(-r)",
            "cgf(t) = r*log((1 - p)/(1 - p*exp(t)))",
            "logcf(w) = -r*log((1 - p*exp(i*w))/(1 - p))",
            "cgf(t) = r*log(p - 1) - r*log(p*exp(t) - 1)",
            "cf(w) = exp(r*log(1 - p))/(1 - p*exp(i*w))^r",
        ],
        ["gamma"] = ["cf(w) = (1 - i*mu*w)^(-k)", "cgf(t) = k*log(1/(1 - mu*t))", "cgf(t) = k*log(2) - k*log(2 - 2*mu*t)", "cf(w) = 1/(1 - i*mu*w)^k"],
        ["exponential"] = ["cf(w) = 1/(1 - i*mu*w)", "cgf(t) = -log(1 - mu*t)", "cgf(t) = log(-1/(mu*t - 1))", "cgf(t) = log(3/(3 - 3*mu*t))"],
        ["erlang"] = ["cf(w) = (1 - i*mu*w)^(-n)", "cgf(t) = n*log(1/(1 - mu*t))", "cf(w) = ((1 - i*mu*w)^2)^(-n/2)"],
        ["chisquared"] = ["cf(w) = (1 - 2*i*w)^(-nu/2)", "cgf(t) = nu*log(1/sqrt(1 - 2*t))", "cgf(t) = -nu/2*log(1 - 2*t)"],
        ["laplace"] =
        [
            "logcf(w) = i*mu*w - log(1 + b^2*w^2)",
            "cgf(t) = mu*t - log(1 - b^2*t^2)",
            "cf(w) = exp(i*mu*w)/((1 - i*b*w)*(1 + i*b*w))",
            "cgf(t) = log(exp(mu*t)/(1 - b^2*t^2))",
        ],
        ["logistic"] = ["cgf(t) = mu*t + log(pi*s*t/sin(pi*s*t))", "logcf(w) = i*mu*w + log(pi*s*w/sinh(pi*s*w))", "cgf(t) = log(exp(mu*t)*pi*s*t) - log(sin(pi*s*t))"],
        ["poisson"] = ["cf(w) = exp(lambda*(exp(i*w) - 1))", "cf(w) = exp(lambda*exp(i*w))*exp(-lambda)", "logcf(w) = lambda*exp(i*w) - lambda"],
        ["normal"] = ["cf(w) = exp(i*mu*w)*exp(-sigma^2*w^2/2)", "logcf(w) = i*mu*w - sigma^2*w^2/2", "cgf(t) = log(exp(mu*t)*exp(sigma^2*t^2/2))"],
        ["bernoulli"] = ["cgf(t) = log(1 - p + p*exp(t))", "cf(w) = 1 + p*(exp(i*w) - 1)", "cgf(t) = log(2 - 2*p + 2*p*exp(t)) - log(2)"],
        ["binomial"] = ["cgf(t) = n*log(1 - p + p*exp(t))", "logcf(w) = n*log(1 - p + p*exp(i*w))", "cf(w) = exp(n*log(1 + p*(exp(i*w) - 1)))"],
        ["categorical"] = ["cgf(t) = log(1 - p1 - p2 + p1*exp(t) + p2*exp(2*t))", "cgf(t) = log(1 - p1*(1 - exp(t)) - p2*(1 - exp(t)^2))"],
        ["dirac"] = ["cf(w) = exp(i*a*w)", "logcf(w) = i*a*w", "cgf(t) = log(exp(a*t))"],
        // e^{at} (e^{wt} - 1)/(wt): the exp of the sum a t + w t factored.
        ["uniform"] = ["cgf(t) = a*t + log((exp(w*t) - 1)/(w*t))", "cgf(t) = log(exp(a*t)*(exp(w*t) - 1)/(w*t))", "cgf(t) = log(exp(w*t) - 1) - log(w*t) + a*t"],
        ["bivariatenormal"] =
        [
            "cf(w1, w2) = exp(i*(m1*w1 + m2*w2))*exp(-(s1^2*w1^2 + 2*rho*s1*s2*w1*w2 + s2^2*w2^2)/2)",
            "logcf(w1, w2) = i*m1*w1 + i*m2*w2 - (s1^2*w1^2 + 2*rho*s1*s2*w1*w2 + s2^2*w2^2)/2",
        ],
    };

    /// <summary>Generic rewritings of a statement, by its kind: the same function through other logs, exps and quotients.</summary>
    private static IEnumerable<string> Generic(string kind, string[] vars, string body, Random random)
    {
        int c = random.Next(2, 9); // a constant multiplied in and divided out again
        string Sub(string text, string from, string to) => Regex.Replace(text, $@"\b{Regex.Escape(from)}\b", to);
        var fresh = vars.Select((_, j) => vars.Length == 1 ? "om" : "om" + (j + 1)).ToArray();
        var taus = vars.Select((_, j) => vars.Length == 1 ? "tau" : "tau" + (j + 1)).ToArray();
        string OmList = string.Join(", ", fresh), TauList = string.Join(", ", taus);
        string AtOm(Func<int, string> arg) { var text = body; for (int j = 0; j < vars.Length; j++) text = Sub(text, vars[j], "(" + arg(j) + ")"); return text; }
        // B as a cf in om, and K as a cgf in tau.
        string cfOm, kTau, logcfOm;
        switch (kind)
        {
            case "cf":
                cfOm = AtOm(j => fresh[j]);
                kTau = $"log({AtOm(j => "-i*" + taus[j])})";
                logcfOm = $"log({cfOm})";
                break;
            case "logcf":
                logcfOm = AtOm(j => fresh[j]);
                cfOm = $"exp({logcfOm})";
                kTau = AtOm(j => "-i*" + taus[j]);
                break;
            default:
                kTau = AtOm(j => taus[j]);
                logcfOm = AtOm(j => "i*" + fresh[j]);
                cfOm = $"exp({logcfOm})";
                break;
        }
        yield return $"cf({OmList}) = {cfOm}";
        yield return $"logcf({OmList}) = {logcfOm}";
        yield return $"cgf({TauList}) = {kTau}";
        // log(c B) - log(c): a product inside the log and a constant outside.
        yield return $"logcf({OmList}) = log({c}*({cfOm})) - log({c})";
        // -log(1/B): the log of a quotient.
        yield return $"cgf({TauList}) = -log(1/exp({kTau}))";
        // log(B/c) + log(c) as a cgf, and exp(K/2) exp(K/2) against exp(K).
        yield return $"cgf({TauList}) = log(exp({kTau})/{c}) + log({c})";
        yield return $"cf({OmList}) = exp(({logcfOm})/2)*exp(({logcfOm})/2)";
    }

    private static (string Text, Match Statement) Source(string file)
    {
        var text = File.ReadAllText(Path.Combine(Folder, file + ".dist"));
        return (text, Statement.Match(text));
    }

    private static IEnumerable<(string Label, string Text)> Rewritings(string file)
    {
        var (text, m) = Source(file);
        if (!m.Success) yield break;
        var random = new Random(16_000 + file.Length * 31 + file[0]);
        var vars = m.Groups["vars"].Value.Split(',', StringSplitOptions.TrimEntries);
        string Replace(string statement) => text[..m.Index] + m.Groups["indent"].Value + statement + text[(m.Index + m.Length)..];
        foreach (var s in Generic(m.Groups["kind"].Value, vars, m.Groups["body"].Value.TrimEnd(), random)) yield return (s, Replace(s));
        foreach (var s in Written.GetValueOrDefault(file, [])) yield return (s, Replace(s));
    }

    /// <summary>Derives the declaration of <paramref name="text"/> (which shadows the bundled one of that name); it must be clean.</summary>
    private static RuleModel Derive(string text, string? extra = null)
    {
        lock (Gate)
        {
            var primary = new List<SourceText> { new("rewritten.dist", text) };
            if (extra is not null) primary.Add(new SourceText("extra.dist", extra));
            var ws = Workspace.Create(primary, Library.Value);
            Assert.True(ws.Diagnostics.All(d => !d.IsError), string.Join("\n", ws.Diagnostics));
            var (rule, diagnostics) = ws.Derive(ws.Distributions[0], Order);
            Assert.True(diagnostics.All(d => !d.IsError), string.Join("\n", diagnostics) + "\n" + text);
            return Assert.IsType<RuleModel>(rule);
        }
    }

    private static RuleModel Bundle(string file) => Derive(File.ReadAllText(Path.Combine(Folder, file + ".dist")));

    [Theory]
    [MemberData(nameof(Bundled))]
    public void Equivalent_forms_give_identical_coefficients_and_resummed_rules(string file)
    {
        var reference = Bundle(file);
        int count = 0;
        if (reference.Components.IsEmpty)
        {
            foreach (var (label, text) in Rewritings(file))
            {
                output.WriteLine(label);
                AssertSameRule(reference, Derive(text), label);
                count++;
            }
        }
        else
        {
            // A derived declaration has no cf of its own: its latents' law (Gamma) is rewritten instead, and the
            // components it builds from it must not change.
            foreach (var (label, gamma) in Rewritings("gamma"))
            {
                output.WriteLine("Gamma as " + label);
                var rewritten = Derive(File.ReadAllText(Path.Combine(Folder, file + ".dist")), gamma);
                Assert.Equal(reference.Components.Length, rewritten.Components.Length);
                for (int i = 0; i < reference.Components.Length; i++)
                    AssertSameCoefficients(reference.Components[i].Coefficients, rewritten.Components[i].Coefficients, label);
                count++;
            }
        }
        Assert.True(count >= 5, $"{file}: only {count} rewritings");
    }

    private static void AssertSameRule(RuleModel expected, RuleModel actual, string label)
    {
        AssertSameCoefficients(expected.Coefficients, actual.Coefficients, label);
        Assert.Equal(expected.Resummation.Length, actual.Resummation.Length);
        for (int p = 0; p < expected.Resummation.Length; p++)
        {
            var (e, a) = (expected.Resummation[p], actual.Resummation[p]);
            Assert.True(e.IsResummed == a.IsResummed, $"{label}: d/d{e.Parameter} is '{a.Rule?.ToString() ?? a.Reason}', expected '{e.Rule?.ToString() ?? e.Reason}'");
            if (e.Rule is not null) Assert.True(e.Rule.Equals(a.Rule), $"{label}: d/d{e.Parameter} is {a.Rule}, expected {e.Rule}");
        }
    }

    /// <summary>c_n and every a_{n,p}: the same canonical expressions (exact rationals over the same atoms).</summary>
    private static void AssertSameCoefficients(ImmutableArray<CoefficientSpec> expected, ImmutableArray<CoefficientSpec> actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Index, actual[i].Index);
            Assert.True(expected[i].Value.Equals(actual[i].Value), $"{label}: c_{string.Join(",", expected[i].Index)} = {actual[i].Value}, expected {expected[i].Value}");
            for (int p = 0; p < expected[i].Derivatives.Length; p++)
                Assert.True(expected[i].Derivatives[p].Equals(actual[i].Derivatives[p]),
                    $"{label}: a_{string.Join(",", expected[i].Index)},{p} = {actual[i].Derivatives[p]}, expected {expected[i].Derivatives[p]}");
        }
    }
}
