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
        ["erlang"] = ["cf(w) = (1 - i*mu*w)^(-n)", "cgf(t) = n*log(1/(1 - mu*t))", "cf(w) = ((1 - i*mu*w)^(1/2))^(-2*n)"],
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
        ["uniform"] = ["cgf(t) = a*t + log((exp(w*t) - 1)/(w*t))", "cgf(t) = log(exp(a*t)*(exp(w*t) - 1)/(w*t))", "cf(v) = (exp(i*(a + w)*v) - exp(i*a*v))/(i*w*v)"],
        // (1 - b1 t)^-m (1 + b2 t)^-m: the quadratic factored (its discriminant (b1 + b2)^2 is a square), as two
        // factors, a product inside one log, a quotient, and its cf written in w (issue 16, item 3).
        ["variancegamma"] =
        [
            "cgf(t) = -m*log(1 - b1*t) - m*log(1 + b2*t)",
            "cf(w) = (1 - i*b1*w)^(-m)*(1 + i*b2*w)^(-m)",
            "cf(w) = (1 - i*(b1 - b2)*w + b1*b2*w^2)^(-m)",
            "logcf(w) = -m*log((1 - i*b1*w)*(1 + i*b2*w))",
            "cgf(t) = m*log(1/((1 - b1*t)*(1 + b2*t)))",
            "cgf(t) = -m*log(2 - 2*b1*t) - m*log(3 + 3*b2*t) + m*log(6)",
        ],
        // lambda (M_Y(t) - 1), M_Y = beta/(beta - t) = 1/(1 - t/beta): the jump MGF written three ways, and as a cf.
        ["compoundpoisson"] =
        [
            "cgf(t) = lambda*beta/(beta - t) - lambda",
            "cgf(t) = lambda*(1/(1 - t/beta) - 1)",
            "cf(w) = exp(lambda*beta/(beta - i*w))*exp(-lambda)",
            "logcf(w) = lambda*(beta/(beta - i*w) - 1)",
        ],
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
        // The language keeps i out of a cgf, so a cf or logcf is rewritten among cf and logcf (its cgf forms are the
        // written ones below), and a cgf into all three.
        string cfOm, logcfOm;
        switch (kind)
        {
            case "cf":
                cfOm = AtOm(j => fresh[j]);
                logcfOm = $"log({cfOm})";
                break;
            case "logcf":
                logcfOm = AtOm(j => fresh[j]);
                cfOm = $"exp({logcfOm})";
                break;
            default:
                var kTau = AtOm(j => taus[j]);
                logcfOm = AtOm(j => "i*" + fresh[j]);
                cfOm = $"exp({logcfOm})";
                // log(B/c) + log(c), and log(exp(K/2) exp(K/2)): a quotient and a product inside the log.
                yield return $"cgf({TauList}) = log(exp({kTau})/{c}) + log({c})";
                yield return $"cgf({TauList}) = log(exp(({kTau})/2)*exp(({kTau})/2))";
                break;
        }
        yield return $"cf({OmList}) = {cfOm}";
        yield return $"logcf({OmList}) = {logcfOm}";
        // log(c B) - log(c): a product inside the log and a constant outside.
        yield return $"logcf({OmList}) = log({c}*({cfOm})) - log({c})";
        // -log(1/B): the log of a quotient.
        yield return $"logcf({OmList}) = -log(1/({cfOm}))";
        // B^(1/c) B^(1 - 1/c): a product of powers.
        yield return $"cf({OmList}) = ({cfOm})^(1/{c})*({cfOm})^(1 - 1/{c})";
        // exp(L/2) exp(L/2) against exp(L).
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
    private static void AssertSameCoefficients(EquatableArray<CoefficientSpec> expected, EquatableArray<CoefficientSpec> actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Index.ToArray(), actual[i].Index.ToArray());
            Assert.True(expected[i].Value.Equals(actual[i].Value), $"{label}: c_{string.Join(",", expected[i].Index)} = {actual[i].Value}, expected {expected[i].Value}");
            for (int p = 0; p < expected[i].Derivatives.Length; p++)
                Assert.True(expected[i].Derivatives[p].Equals(actual[i].Derivatives[p]),
                    $"{label}: a_{string.Join(",", expected[i].Index)},{p} = {actual[i].Derivatives[p]}, expected {expected[i].Derivatives[p]}");
        }
    }

    // ---- scaled and shifted parameters --------------------------------------------------------------

    /// <summary>
    /// theta -> c theta (or theta + c for an unbounded parameter) written into the statement: the coefficients must be
    /// the bundled ones at the mapped point, c_n'(theta) = c_n(c theta), and the chain rule gives a'_{n,theta} =
    /// c a_{n,theta}(c theta); the resummed rules' coefficients and laws map the same way. Scales are drawn (seeded)
    /// inside the constraint: parameters with an upper bound are scaled down, so the mapped point stays valid.
    /// </summary>
    [Theory]
    [MemberData(nameof(Bundled))]
    public void Scaled_and_shifted_parameters_transform_the_coefficients_predictably(string file)
    {
        var reference = Bundle(file);
        if (!reference.Components.IsEmpty || reference.Parameters.Any(p => p.VectorSize is not null)) return; // no statement of its own
        var (text, m) = Source(file);
        var random = new Random(1600 + file.Length);
        int count = 0;
        foreach (var parameter in reference.Differentiable)
        {
            var maps = new List<(string Text, Expr Image, Expr Chain)>();
            var x = parameter.Symbol;
            if (parameter.Upper is null)
            {
                int c = random.Next(2, 6);
                maps.Add(($"({c}*{parameter.Name})", Ex.Mul(Ex.Num(c), x), Ex.Num(c)));
            }
            else
            {
                int c = random.Next(2, 5);
                maps.Add(($"({parameter.Name}/{c})", Ex.Div(x, Ex.Num(c)), Ex.Num(new Rational(1, c))));
            }
            if (parameter.Lower is null && parameter.Upper is null)
            {
                int c = random.Next(1, 7);
                maps.Add(($"({parameter.Name} + {c})", Ex.Add(x, Ex.Num(c)), Ex.One));
            }
            foreach (var (written, image, chain) in maps)
            {
                var body = Regex.Replace(m.Groups["body"].Value.TrimEnd(), $@"\b{Regex.Escape(parameter.Name)}\b", written);
                var statement = $"{m.Groups["kind"].Value}({m.Groups["vars"].Value}) = {body}";
                output.WriteLine(statement);
                var rewritten = Derive(text[..m.Index] + m.Groups["indent"].Value + statement + text[(m.Index + m.Length)..]);
                var map = new Dictionary<Symbol, Expr> { [x] = image };
                Expr Mapped(Expr e) => Substitution.Apply(e, map);
                int slot = reference.Differentiable.IndexOf(parameter);
                for (int i = 0; i < reference.Coefficients.Length; i++)
                {
                    var (e, a) = (reference.Coefficients[i], rewritten.Coefficients[i]);
                    AssertSame(Mapped(e.Value), a.Value, $"{statement}: c_{i + 1}");
                    for (int p = 0; p < e.Derivatives.Length; p++)
                        AssertSame(Ex.Mul(p == slot ? chain : Ex.One, Mapped(e.Derivatives[p])), a.Derivatives[p], $"{statement}: a_{i + 1},{p}");
                }
                for (int p = 0; p < reference.Resummation.Length; p++)
                {
                    var (e, a) = (reference.Resummation[p], rewritten.Resummation[p]);
                    Assert.True(e.IsResummed == a.IsResummed, $"{statement}: d/d{e.Parameter} is '{a.Rule?.ToString() ?? a.Reason}', expected '{e.Rule?.ToString() ?? e.Reason}'");
                    if (e.Rule is null) continue;
                    var expected = e.Rule.Terms.Select(term => term with
                    {
                        Coefficient = Ex.Mul(p == slot ? chain : Ex.One, Mapped(term.Coefficient)),
                        Law = MapLaw(term.Law, Mapped),
                    }).ToList();
                    Assert.Equal(expected.Count, a.Rule!.Terms.Length);
                    foreach (var term in expected)
                        Assert.True(a.Rule.Terms.Any(t => t.Derivative == term.Derivative && SameLaw(t.Law, term.Law) && Same(t.Coefficient, term.Coefficient)),
                            $"{statement}: d/d{e.Parameter} = {a.Rule} lacks the term {term}");
                }
                count++;
            }
        }
        Assert.True(count >= 1, $"{file}: no parameter map");
    }

    private static AuxiliaryLaw MapLaw(AuxiliaryLaw law, Func<Expr, Expr> f) => law switch
    {
        ShiftLaw s => new ShiftLaw(f(s.Shift)),
        GammaLaw g => new GammaLaw(f(g.Shape), f(g.Scale)),
        UniformExponentialLaw u => new UniformExponentialLaw(f(u.Scale)),
        LogarithmicLaw l => new LogarithmicLaw(f(l.Q)),
        GeometricLaw g => new GeometricLaw(f(g.Q)),
        SumLaw s => new SumLaw([.. s.Parts.Select(p => MapLaw(p, f))]),
        PoleMixtureLaw m => m with { Scale = f(m.Scale) },
        _ => law,
    };

    private static bool SameLaw(AuxiliaryLaw a, AuxiliaryLaw b) => (a, b) switch
    {
        (ZeroLaw, ZeroLaw) => true,
        (ShiftLaw x, ShiftLaw y) => Same(x.Shift, y.Shift),
        (GammaLaw x, GammaLaw y) => Same(x.Shape, y.Shape) && Same(x.Scale, y.Scale),
        (UniformExponentialLaw x, UniformExponentialLaw y) => Same(x.Scale, y.Scale),
        (LogarithmicLaw x, LogarithmicLaw y) => Same(x.Q, y.Q),
        (GeometricLaw x, GeometricLaw y) => Same(x.Q, y.Q),
        (SumLaw x, SumLaw y) => x.Parts.Length == y.Parts.Length && x.Parts.Zip(y.Parts).All(z => SameLaw(z.First, z.Second)),
        // The pole-expansion laws (Gumbel's and Logistic's scales): scale X / K with K from a zeta law.
        (PoleMixtureLaw x, PoleMixtureLaw y) => x.Kernel == y.Kernel && x.Shape == y.Shape && x.ZetaPower == y.ZetaPower
            && x.OddOnly == y.OddOnly && Same(x.Scale, y.Scale),
        // The Lévy generator rules' proposals (Cauchy, stable): fixed by the index alpha alone.
        (SeriesCompiler.Symbolic.Levy.LevyNearLaw x, SeriesCompiler.Symbolic.Levy.LevyNearLaw y) => x.Alpha == y.Alpha,
        (SeriesCompiler.Symbolic.Levy.LevyTailLaw x, SeriesCompiler.Symbolic.Levy.LevyTailLaw y) => x.Alpha == y.Alpha,
        _ => false,
    };

    /// <summary>Equal as exact expressions: the same canonical node, or a difference that is 0 in the series' coefficient ring.</summary>
    private static bool Same(Expr a, Expr b) =>
        a.Equals(b) || TruncatedSeries.Constant(Ex.Sub(a, b), 0).CancelDenominators().IsZeroAt(0);

    private static void AssertSame(Expr expected, Expr actual, string label) =>
        Assert.True(Same(expected, actual), $"{label} = {actual}, expected {expected}");

    // ---- K(0) = 0 through the canonical form ----------------------------------------------------------

    [Theory]
    // log of a ratio: K(0) = log(log(1-p)/log(1-p)); before, "log(1/log(-p + 1)) + log(log(-p + 1))" was refused.
    [InlineData("p in (0, 1)", "cgf(t) = log(log(1 - p*exp(t))/log(1 - p))")]
    [InlineData("p in (0, 1)", "cgf(t) = log(1/log(1 - p)) + log(log(1 - p*exp(t)))")]
    [InlineData("k > 0, mu > 0", "cgf(t) = log(mu^k) - k*log(mu - mu^2*t)")]
    [InlineData("a > 0", "cgf(t) = log((a + 1)/(a + exp(t)))")]
    [InlineData("a > 0", "cf(w) = 4^a * 2^(-2*a) * exp(i*a*w)")]
    public void K_at_zero_is_proven_zero_through_the_canonical_form(string parameters, string statement)
    {
        var rule = Derive($"distribution D({parameters}) {{\n    support real\n    {statement}\n}}\n");
        Assert.NotEmpty(rule.Coefficients);
    }

    [Theory]
    [InlineData("p in (0, 1)", "cgf(t) = log(2*log(1 - p*exp(t))/log(1 - p))", "K(0) must be 0")]
    [InlineData("a > 0", "cgf(t) = log(-exp(a*t))", "K(0) must be 0")]
    [InlineData("a > 0", "cf(w) = -exp(i*a*w)", "phi(0) must be 1")]
    [InlineData("a > 0", "cgf(t) = log((a + 2)/(a + exp(t)))", "K(0) must be 0")]
    public void A_K_at_zero_that_is_not_zero_is_still_refused(string parameters, string statement, string message)
    {
        var text = $"distribution D({parameters}) {{\n    support real\n    {statement}\n}}\n";
        lock (Gate)
        {
            var ws = Workspace.Create([new SourceText("k0.dist", text)], Library.Value);
            var (_, diagnostics) = ws.Derive(ws.Distributions[0], Order);
            var d = Assert.Single(diagnostics, x => x.IsError);
            Assert.Equal("SC1002", d.Descriptor.Id);
            Assert.Contains(message, d.Message);
        }
    }

    [Fact]
    public void The_negative_binomial_as_a_cf_power_gets_the_bundled_exact_rules()
    {
        var (text, m) = Source("negativebinomial");
        var cf = Derive(text[..m.Index] + m.Groups["indent"].Value + "cf(w) = ((1 - p)/(1 - p*exp(i*w)))^r" + text[(m.Index + m.Length)..]);
        Assert.Equal("-log(-p + 1) * E[f(z + Logarithmic(p)) - f(z)]", cf.Resummation[0].Rule?.ToString());
        Assert.Equal("-r/(p - 1) * E[f(z + 1 + Geometric(p)) - f(z)]", cf.Resummation[1].Rule?.ToString());
    }

    [Fact]
    public void The_canonical_form_is_one_expression_for_every_way_of_writing_the_logs()
    {
        var t = CumulantSeries.T;
        var p = Ex.Sym("p");
        var r = Ex.Sym("r");
        var e = Ex.Exp(t);
        Expr One(Expr k) => LogCanonicalForm.Normalize(k, t, new SeriesExpander(t)).K;
        // r log(1 - p) - r log(1 - p e^t), written four ways.
        var forms = new[]
        {
            Ex.Sub(Ex.Mul(r, Ex.Log(Ex.Sub(Ex.One, p))), Ex.Mul(r, Ex.Log(Ex.Sub(Ex.One, Ex.Mul(p, e))))),
            Ex.Log(Ex.Pow(Ex.Div(Ex.Sub(Ex.One, p), Ex.Sub(Ex.One, Ex.Mul(p, e))), r)),
            Ex.Mul(r, Ex.Log(Ex.Div(Ex.Sub(p, Ex.One), Ex.Sub(Ex.Mul(p, e), Ex.One)))),
            Ex.Neg(Ex.Mul(r, Ex.Log(Ex.Div(Ex.Sub(Ex.Num(3), Ex.Mul(Ex.Num(3), Ex.Mul(p, e))), Ex.Sub(Ex.Num(3), Ex.Mul(Ex.Num(3), p)))))),
        };
        var canonical = forms.Select(One).ToList();
        Assert.All(canonical, k => Assert.Equal(canonical[0], k));
        Assert.All(forms, k => Assert.True(LogCanonicalForm.Normalize(k, t, new SeriesExpander(t)).ConstantVanishes, k.ToString()));
        // log(1/x) and -log(x) are one form, and their sum vanishes.
        var x = Ex.Sub(Ex.One, Ex.Mul(p, e));
        Assert.Equal(One(Ex.Neg(Ex.Log(x))), One(Ex.Log(Ex.Div(Ex.One, x))));
        Assert.True(LogCanonicalForm.Normalize(Ex.Add(Ex.Log(Ex.Div(Ex.One, Ex.Log(Ex.Sub(Ex.One, p)))), Ex.Log(Ex.Log(Ex.Sub(Ex.One, p)))), t, new SeriesExpander(t)).ConstantVanishes);
    }
}
