using System.Globalization;
using System.Numerics;
using System.Text.Json;
using SeriesCompiler.Tests.Hardening;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// Issue 18, item 3: <c>coefficients --at</c> prints the exact coefficients correctly rounded, for every bundled
/// declaration at orders 32 and 64. The oracle shares nothing with the compiler: cumulants from closed forms or from raw
/// moments by the moment-cumulant recurrence, in <see cref="BigInteger"/> rationals (<see cref="Exact"/>) with forward-mode
/// derivatives (<see cref="Dual"/>), at the decimals written (0.9 = 9/10), rounded to double by its own routine and
/// compared bit for bit with the printed round-trip numbers.
/// </summary>
public class ExactCoefficientsTests
{
    /// <summary>A value and its exact derivatives in the named parameters.</summary>
    private sealed record Dual(Exact V, Dictionary<string, Exact> G)
    {
        public static Dual Const(Exact v) => new(v, []);
        public static Dual Var(string name, Exact v) => new(v, new() { [name] = Exact.One });
        public Exact D(string name) => G.TryGetValue(name, out var g) ? g : Exact.Zero;

        private static Dictionary<string, Exact> Combine(Dual a, Exact ca, Dual b, Exact cb)
        {
            var g = new Dictionary<string, Exact>();
            foreach (var k in a.G.Keys.Union(b.G.Keys)) g[k] = ca * a.D(k) + cb * b.D(k);
            return g;
        }

        public static Dual operator +(Dual a, Dual b) => new(a.V + b.V, Combine(a, Exact.One, b, Exact.One));
        public static Dual operator -(Dual a, Dual b) => new(a.V - b.V, Combine(a, Exact.One, b, -Exact.One));
        public static Dual operator *(Dual a, Dual b) => new(a.V * b.V, Combine(a, b.V, b, a.V));
        public static Dual operator /(Dual a, Dual b) => a * b.Inverse();
        public static implicit operator Dual(long n) => Const(n);
        public Dual Inverse() => new(Exact.One / V, G.ToDictionary(p => p.Key, p => -p.Value / (V * V)));
        public Dual Pow(int n) { Dual r = 1; for (int i = 0; i < n; i++) r *= this; return r; }
    }

    private static Exact Dec(string text) => Exact.Ratio(
        BigInteger.Parse(text.Replace(".", ""), CultureInfo.InvariantCulture),
        BigInteger.Pow(10, text.Contains('.') ? text.Length - text.IndexOf('.') - 1 : 0));

    private static BigInteger Fact(int n) => ExactSeries.Factorial(n);

    private static BigInteger Binomial(int n, int k)
    {
        BigInteger c = 1;
        for (int i = 0; i < k; i++) c = c * (n - i) / (i + 1);
        return c;
    }

    /// <summary>Cumulants kappa_1..N from raw moments m_1..N: kappa_n = m_n - sum_{k<n} C(n-1, k-1) kappa_k m_{n-k}.</summary>
    private static Dual[] FromMoments(Func<int, Dual> m, int order)
    {
        var kappa = new Dual[order + 1];
        var moments = Enumerable.Range(0, order + 1).Select(k => k == 0 ? (Dual)1 : m(k)).ToArray();
        for (int n = 1; n <= order; n++)
        {
            var sum = moments[n];
            for (int k = 1; k < n; k++) sum -= Dual.Const(Exact.Ratio(Binomial(n - 1, k - 1), 1)) * kappa[k] * moments[n - k];
            kappa[n] = sum;
        }
        return kappa;
    }

    /// <summary>c_n = kappa_n / n! of a univariate law.</summary>
    private static Func<int, Dual> Coefficients(Func<int, Dual> kappa) => n => kappa(n) * Dual.Const(Exact.Ratio(1, Fact(n)));

    // pi to 63 digits, below and above: Logistic's values are computed at both ends and must round alike.
    private static readonly Exact PiLow = Exact.Ratio(BigInteger.Parse("314159265358979323846264338327950288419716939937510582097494459", CultureInfo.InvariantCulture), BigInteger.Pow(10, 62));
    private static readonly Exact PiHigh = PiLow + Exact.Ratio(1, BigInteger.Pow(10, 62));

    /// <summary>The oracle of one bundled univariate declaration at the given decimals: c_n with its derivatives, n = 1..order.</summary>
    private static Func<int, Dual> Oracle(string name, Dictionary<string, string> at, int order, Exact pi)
    {
        Dual P(string p) => Dual.Var(p, Dec(at[p]));
        Dual C(string p) => Dual.Const(Dec(at[p]));
        Dual F(int n) => Dual.Const(Exact.Ratio(Fact(n), 1));
        switch (name)
        {
            case "bernoulli": { var k = FromMoments(_ => P("p"), order); return Coefficients(n => k[n]); }
            case "binomial": { var k = FromMoments(_ => P("p"), order); return Coefficients(n => C("n") * k[n]); }
            case "categorical":
            {
                // Raw moments of {0, 1, 2}: E z^k = p1 + 2^k p2.
                var k = FromMoments(j => P("p1") + Dual.Const(Exact.Ratio(BigInteger.Pow(2, j), 1)) * P("p2"), order);
                return Coefficients(n => k[n]);
            }
            case "poisson": return Coefficients(_ => P("lambda"));
            case "gamma": return Coefficients(n => P("k") * P("mu").Pow(n) * F(n - 1));
            case "exponential": return Coefficients(n => P("mu").Pow(n) * F(n - 1));
            case "erlang": return Coefficients(n => C("n") * P("mu").Pow(n) * F(n - 1));
            // Gamma(nu/2, scale 2).
            case "chisquared": return Coefficients(n => P("nu") * Dual.Const(Exact.Ratio(1, 2)) * Dual.Const(Exact.Ratio(BigInteger.Pow(2, n), 1)) * F(n - 1));
            case "normal": return Coefficients(n => n == 1 ? P("mu") : n == 2 ? P("sigma").Pow(2) : 0);
            case "dirac": return Coefficients(n => n == 1 ? P("a") : 0);
            // mu + b (E1 - E2): kappa_n = b^n (n-1)! (1 + (-1)^n), plus mu at n = 1.
            case "laplace": return Coefficients(n => (n == 1 ? P("mu") : 0) + (n % 2 == 0 ? 2 * P("b").Pow(n) * F(n - 1) : 0));
            case "uniform":
            {
                // K = a t + log((e^(wt) - 1)/(wt)): kappa_1 = a + w/2, kappa_n = B_n w^n / n for n >= 2.
                var b = ExactSeries.Bernoulli(order);
                return Coefficients(n => n == 1 ? P("a") + Dual.Const(Exact.Ratio(1, 2)) * P("w")
                    : Dual.Const(b[n] / Exact.Ratio(n, 1)) * P("w").Pow(n));
            }
            case "logistic":
            {
                // log(x / sin x) = sum_m |B_2m| 2^(2m) x^(2m) / (2m (2m)!), x = pi s t.
                var b = ExactSeries.Bernoulli(order);
                return n => n == 1 ? P("mu") : n % 2 == 1 ? 0
                    : Dual.Const((b[n].Numerator.Sign < 0 ? -b[n] : b[n]) * Exact.Ratio(BigInteger.Pow(2, n), n) * pi.Pow(n) / Exact.Ratio(Fact(n), 1)) * P("s").Pow(n);
            }
            case "negativebinomial":
            {
                // kappa_n = r Li_{1-n}(p); Li_0 = p/(1-p), Li_{-m} = p A_m(p) / (1-p)^(m+1) with Eulerian numbers A(m, k).
                var one = (Dual)1;
                var q = (one - P("p")).Inverse();
                var pPow = new List<Dual> { 1 };
                var qPow = new List<Dual> { 1 };
                for (int k = 1; k <= order + 1; k++) { pPow.Add(pPow[^1] * P("p")); qPow.Add(qPow[^1] * q); }
                return Coefficients(n =>
                {
                    int m = n - 1;
                    if (m == 0) return P("r") * P("p") * q;
                    var eulerian = new BigInteger[m];
                    eulerian[0] = 1;
                    for (int row = 2; row <= m; row++)
                        for (int k = row - 1; k >= 0; k--)
                            eulerian[k] = (k + 1) * eulerian[k] + (k > 0 ? (row - k) * eulerian[k - 1] : 0);
                    Dual a = 0;
                    for (int k = 0; k < m; k++) a += Dual.Const(Exact.Ratio(eulerian[k], 1)) * pPow[k];
                    return P("r") * P("p") * a * qPow[m + 1];
                });
            }
            default: throw new ArgumentException(name);
        }
    }

    /// <summary>The nearest double to an exact rational, ties to even (subnormals rounded at their own precision).</summary>
    private static double Round(Exact x)
    {
        if (x.IsZero) return 0;
        var num = BigInteger.Abs(x.Numerator);
        // Find e with 2^e <= |x| < 2^(e+1).
        long e = (long)num.GetBitLength() - (long)x.Denominator.GetBitLength();
        if (Compare(num, x.Denominator, e) < 0) e--;
        long ulp = Math.Max(e - 52, -1074);
        // |x| / 2^ulp = q + f, 0 <= f < 1.
        BigInteger n = num, d = x.Denominator;
        if (ulp >= 0) d <<= (int)ulp; else n <<= (int)-ulp;
        var q = BigInteger.DivRem(n, d, out var rem);
        int half = (2 * rem).CompareTo(d);
        if (half > 0 || (half == 0 && !q.IsEven)) q += 1;
        double value = (double)q * Math.Pow(2, Math.Max(ulp, -1022)) * Math.Pow(2, ulp - Math.Max(ulp, -1022));
        return x.Numerator.Sign < 0 ? -value : value;
    }

    /// <summary>Compares num/den with 2^e.</summary>
    private static int Compare(BigInteger num, BigInteger den, long e) =>
        e >= 0 ? num.CompareTo(den << (int)e) : (num << (int)-e).CompareTo(den);

    private static JsonElement Json(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Err}");
        using var doc = JsonDocument.Parse(result.Out);
        return doc.RootElement.Clone();
    }

    /// <summary>Checks one printed number against the oracle's exact value (at both ends of pi where pi enters).</summary>
    private static void Check(string what, JsonElement printed, Exact low, Exact high)
    {
        double expected = Round(low);
        Assert.True(expected.Equals(Round(high)), $"{what}: the oracle's pi bracket is too wide to round");
        Assert.True(double.IsFinite(expected), $"{what}: the test point should keep the value finite");
        Assert.Equal(JsonValueKind.Number, printed.ValueKind);
        double got = double.Parse(printed.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(got) || (expected == 0 && got == 0),
            $"{what}: printed {got:R}, exact {expected:R}");
    }

    public static TheoryData<string, string, int> Univariate()
    {
        var data = new TheoryData<string, string, int>();
        // Points where the monomial forms cancel (p = 0.9, Categorical at 0.5/0.3) and scales away from 1.
        (string, string)[] points =
        [
            ("bernoulli", "p=0.9"), ("binomial", "n=7,p=0.9"), ("categorical", "p1=0.5,p2=0.3"), ("poisson", "lambda=3.7"),
            ("gamma", "k=2.5,mu=0.7"), ("exponential", "mu=1.3"), ("erlang", "n=3,mu=0.45"), ("chisquared", "nu=3.3"),
            ("normal", "mu=-0.3,sigma=1.7"), ("dirac", "a=0.1"), ("laplace", "mu=0.2,b=0.35"), ("uniform", "a=-0.4,w=2.2"),
            ("logistic", "mu=0.5,s=0.3"), ("negativebinomial", "r=2.5,p=0.9"),
        ];
        foreach (var (name, at) in points)
            foreach (int order in new[] { 32, 64 }) data.Add(name, at, order);
        return data;
    }

    [Theory]
    [MemberData(nameof(Univariate))]
    public void Coefficients_at_a_point_are_the_exact_values_correctly_rounded(string name, string at, int order)
    {
        var values = at.Split(',').Select(s => s.Split('=')).ToDictionary(s => s[0], s => s[1]);
        var doc = Json("coefficients", name, "--order", order.ToString(CultureInfo.InvariantCulture), "--at", at, "--format", "json");
        var low = Oracle(name, values, order, PiLow);
        var high = name == "logistic" ? Oracle(name, values, order, PiHigh) : low;
        var entries = doc.GetProperty("coefficients").EnumerateArray().ToList();
        Assert.Equal(order, entries.Count);
        foreach (var entry in entries)
        {
            int n = entry.GetProperty("n")[0].GetInt32();
            Dual lo = low(n), hi = high(n);
            Check($"{name} c_{n}", entry.GetProperty("c"), lo.V, hi.V);
            foreach (var d in entry.GetProperty("d").EnumerateObject())
                Check($"{name} a_{{{n},{d.Name}}}", d.Value, lo.D(d.Name), hi.D(d.Name));
            // Every number is correctly rounded, so the entry keeps cli.md's keys only.
            Assert.False(entry.TryGetProperty("reasons", out _), $"{name} c_{n} has reasons");
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    public void Bivariate_normal_is_exact_at_every_multi_index(int order)
    {
        var doc = Json("coefficients", "bivariatenormal", "--order", order.ToString(CultureInfo.InvariantCulture),
            "--at", "m1=0.1,m2=-2.5,s1=1.1,s2=0.3,rho=-0.7", "--format", "json");
        Dual m1 = Dual.Var("m1", Dec("0.1")), m2 = Dual.Var("m2", -Dec("2.5")), s1 = Dual.Var("s1", Dec("1.1")), s2 = Dual.Var("s2", Dec("0.3")), rho = Dual.Var("rho", -Dec("0.7"));
        var half = Dual.Const(Exact.Ratio(1, 2));
        int count = 0;
        foreach (var entry in doc.GetProperty("coefficients").EnumerateArray())
        {
            var n = entry.GetProperty("n").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Dual c = (n[0], n[1]) switch
            {
                (1, 0) => m1, (0, 1) => m2, (2, 0) => half * s1 * s1, (0, 2) => half * s2 * s2, (1, 1) => rho * s1 * s2, _ => 0,
            };
            Check($"c_({n[0]},{n[1]})", entry.GetProperty("c"), c.V, c.V);
            foreach (var d in entry.GetProperty("d").EnumerateObject()) Check($"a_({n[0]},{n[1]}),{d.Name}", d.Value, c.D(d.Name), c.D(d.Name));
            count++;
        }
        Assert.Equal((order + 1) * (order + 2) / 2 - 1, count);
    }

    [Theory]
    [InlineData("beta", "alpha=0.3,beta=2.7", 64)]
    [InlineData("dirichlet", "alpha=[0.3,1.7,4.1]", 64)]
    [InlineData("beta", "alpha=0.3,beta=2.7", 32)]
    [InlineData("dirichlet", "alpha=[0.3,1.7,4.1]", 32)]
    public void Derived_declarations_are_exact_in_their_latent_gamma_components(string name, string at, int order)
    {
        var doc = Json("coefficients", name, "--order", order.ToString(CultureInfo.InvariantCulture), "--at", at, "--format", "json");
        // Latent Gamma(x, 1): c_n = x (n-1)!/n! = x/n, with derivative 1/n in x and 0 in the others.
        var shapes = name == "beta"
            ? new Dictionary<string, (string Key, string Value)> { ["z1"] = ("alpha", "0.3"), ["z2"] = ("beta", "2.7") }
            : new Dictionary<string, (string, string)> { ["g[0]"] = ("alpha[0]", "0.3"), ["g[1]"] = ("alpha[1]", "1.7"), ["g[2]"] = ("alpha[2]", "4.1") };
        int count = 0;
        foreach (var entry in doc.GetProperty("coefficients").EnumerateArray())
        {
            var (key, value) = shapes[entry.GetProperty("component").GetString()!];
            int n = entry.GetProperty("n")[0].GetInt32();
            var x = Dual.Var(key, Dec(value)) * Dual.Const(Exact.Ratio(1, n));
            Check($"{key} c_{n}", entry.GetProperty("c"), x.V, x.V);
            foreach (var d in entry.GetProperty("d").EnumerateObject()) Check($"{key} a_{n},{d.Name}", d.Value, x.D(d.Name), x.D(d.Name));
            count++;
        }
        Assert.Equal(shapes.Count * order, count);
    }

    [Fact]
    public void The_issue_probe_prints_the_exact_c32_of_bernoulli_at_0_9()
    {
        // c_32 at p = 9/10 is -1.0245e-20 (the double interpreter printed -6.28e-15).
        var doc = Json("coefficients", "bernoulli", "--order", "32", "--at", "p=0.9", "--format", "json");
        var c32 = doc.GetProperty("coefficients")[31].GetProperty("c").GetDouble();
        Assert.InRange(c32, -1.0246e-20, -1.0244e-20);
    }

    [Fact]
    public void A_coefficient_beyond_the_double_range_is_null_with_its_reason()
    {
        var doc = Json("coefficients", "gamma", "--order", "40", "--at", "k=2.5,mu=1e10", "--format", "json");
        var entries = doc.GetProperty("coefficients").EnumerateArray().ToList();
        Assert.False(entries[29].TryGetProperty("reasons", out _)); // c_30 ~ 1e300 still fits
        var last = entries[39];
        Assert.Equal(JsonValueKind.Null, last.GetProperty("c").ValueKind);
        Assert.Equal(JsonValueKind.Null, last.GetProperty("d").GetProperty("k").ValueKind);
        var reasons = last.GetProperty("reasons");
        Assert.Contains("beyond the largest double", reasons.GetProperty("c").GetString());
        Assert.Contains("10^", reasons.GetProperty("mu").GetString());
    }

    [Fact]
    public void The_table_and_latex_mark_values_that_are_not_finite()
    {
        var table = CliHarness.Run("coefficients", "gamma", "--order", "40", "--at", "k=2.5,mu=1e10");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("not finite (*)", table.Out);
        Assert.Contains("values: the exact coefficients correctly rounded, except", table.Out);
        Assert.Contains(" c: the exact value is about 10^", table.Out);
        var latex = CliHarness.Run("coefficients", "gamma", "--order", "40", "--at", "k=2.5,mu=1e10", "--format", "latex");
        Assert.Contains("\\text{(not finite)}", latex.Out);
        Assert.Contains("% n=40 c: the exact value is about 10^", latex.Out);
        var exact = CliHarness.Run("coefficients", "bernoulli", "--order", "32", "--at", "p=0.9");
        Assert.DoesNotContain("values:", exact.Out);
        Assert.DoesNotContain("~", exact.Out);
    }

    [Fact]
    public void An_exact_value_that_breaks_a_constraint_is_refused_although_its_double_does_not()
    {
        // 0.99999999999999999999 rounds to the double 1, an integer >= 1; the value written is neither.
        var result = CliHarness.Run("coefficients", "binomial", "--at", "n=0.99999999999999999999,p=0.5");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'n' is an integer parameter, got 0.99999999999999999999", result.Err);
    }

    [Fact]
    public void The_values_are_the_decimals_written_not_their_doubles()
    {
        // c_2 of Normal is sigma^2/2: at sigma = 0.1 exactly that is 1/200 = 0.005, while the double 0.1 squared and
        // halved is 0.005000000000000001.
        var doc = Json("coefficients", "normal", "--order", "2", "--at", "mu=0,sigma=0.1", "--format", "json");
        Assert.Equal("0.005", doc.GetProperty("coefficients")[1].GetProperty("c").GetRawText());
    }
}

/// <summary><c>coefficients --generated</c>: the compiled rule's doubles beside the exact values, flagged where unreliable.</summary>
public class GeneratedCoefficientsTests
{
    private static JsonElement Json(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Err}");
        using var doc = JsonDocument.Parse(result.Out);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Bernoulli_at_order_32_flags_the_generated_coefficients_that_cancel_and_each_error_is_within_its_bound()
    {
        // docs/numerical-robustness.md: Bernoulli's a_n lose up to 3e-10 at order 32 between two centers (p = 0.9).
        var doc = Json("coefficients", "bernoulli", "--order", "32", "--at", "p=0.9", "--generated", "--format", "json");
        int flagged = 0;
        foreach (var entry in doc.GetProperty("coefficients").EnumerateArray())
        {
            var g = entry.GetProperty("generated");
            double exact = entry.GetProperty("d").GetProperty("p").GetDouble();
            double generated = g.GetProperty("d").GetProperty("p").GetDouble();
            double bound = g.GetProperty("error_bound").GetProperty("p").GetDouble();
            // The bound holds (first order in u, so with 1 % slack plus the exact value's own rounding).
            Assert.True(Math.Abs(generated - exact) <= 1.01 * bound + Math.Abs(exact) * 1.2e-16, $"n={entry.GetProperty("n")[0]}: |{generated} - {exact}| > {bound}");
            bool reliable = g.GetProperty("reliable").GetBoolean();
            double c = entry.GetProperty("c").GetDouble(), gc = g.GetProperty("c").GetDouble();
            Assert.Equal(reliable, !(Math.Abs(generated - exact) > 1e-10 * Math.Abs(exact) || bound > 1e-10 * Math.Abs(generated)
                || Math.Abs(gc - c) > 1e-10 * Math.Abs(c)));
            if (!reliable) { flagged++; Assert.Contains("exact", g.GetProperty("reason").GetString()); }
        }
        Assert.True(flagged > 0);
        Assert.Equal(flagged, doc.GetProperty("generated").GetProperty("unreliable").GetInt32());
        var table = CliHarness.Run("coefficients", "bernoulli", "--order", "32", "--at", "p=0.9", "--generated");
        Assert.Contains($"generated code: {flagged} of 32 entries are NOT reliable at this point", table.Out);
    }

    [Theory]
    [InlineData("gamma", "k=2.5,mu=0.7")]
    [InlineData("beta", "alpha=0.3,beta=2.7")]
    [InlineData("dirichlet", "alpha=[0.3,1.7,4.1]")]
    public void Closed_form_rules_agree_with_the_exact_values(string name, string at)
    {
        var doc = Json("coefficients", name, "--order", "8", "--at", at, "--generated", "--format", "json");
        foreach (var entry in doc.GetProperty("coefficients").EnumerateArray())
        {
            var g = entry.GetProperty("generated");
            Assert.True(g.GetProperty("reliable").GetBoolean(), entry.ToString());
            Assert.Equal(entry.GetProperty("c").GetDouble(), g.GetProperty("c").GetDouble(), 1e-14);
            foreach (var d in entry.GetProperty("d").EnumerateObject())
            {
                double exact = d.Value.GetDouble(), generated = g.GetProperty("d").GetProperty(d.Name).GetDouble();
                Assert.True(Math.Abs(generated - exact) <= 1e-14 * Math.Max(1, Math.Abs(exact)), $"{name} {d.Name}: {generated} vs {exact}");
            }
        }
        Assert.Equal(0, doc.GetProperty("generated").GetProperty("unreliable").GetInt32());
    }

    [Fact]
    public void Generated_needs_a_point()
    {
        var result = CliHarness.Run("coefficients", "gamma", "--generated");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("give --at", result.Err);
    }
}
