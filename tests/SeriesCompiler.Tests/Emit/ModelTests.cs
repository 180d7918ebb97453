using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using SeriesCompiler.Emit;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Model;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// The model between derivation and emission: complete (the emitter renders it and takes no derivative), immutable and
/// value-equal (two compilations of the same declaration give equal models; any change to a declaration gives an unequal one).
/// </summary>
public class ModelTests
{
    private const int Order = 4;

    private static RuleModel Derive(string path, string text, string? name = null)
    {
        var workspace = Workspace.Create([new SourceText(path, text)]);
        var d = name is null ? workspace.Distributions[0] : workspace.Find(name)!;
        var (rule, diagnostics) = workspace.Derive(d, Order);
        Assert.True(rule is not null, string.Join("\n", diagnostics));
        var model = workspace.Model(d, Order)!;
        Assert.True(model.IsComplete && !rule!.IsComplete);
        return model;
    }

    private static RuleModel DeriveBundled(string file, string name)
    {
        // A fresh workspace per call, so the two models share no object built by one derivation.
        var sources = EmitFixture.BundledSources();
        var workspace = Workspace.Create(sources.Where(s => Path.GetFileName(s.Path) == file), sources.Where(s => Path.GetFileName(s.Path) != file));
        var (rule, diagnostics) = workspace.Derive(workspace.Find(name)!, Order);
        Assert.True(rule is not null, string.Join("\n", diagnostics));
        return workspace.Model(workspace.Find(name)!, Order)!;
    }

    public static TheoryData<string, string> Bundled()
    {
        var data = new TheoryData<string, string>();
        foreach (var source in EmitFixture.BundledSources())
            foreach (var d in Workspace.Create([source]).Distributions)
                data.Add(Path.GetFileName(source.Path), d.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Bundled))]
    public void Two_compilations_of_a_bundled_declaration_give_equal_models(string file, string name)
    {
        var first = DeriveBundled(file, name);
        var second = DeriveBundled(file, name);
        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        // Equal all the way down, not only at the top: the parts the emitter reads compare by value too.
        Assert.Equal(first.Coefficients, second.Coefficients);
        Assert.Equal(first.Parameters, second.Parameters);
        Assert.Equal(first.Sampler, second.Sampler);
        Assert.Equal(first.Density, second.Density);
        Assert.Equal(first.Derived, second.Derived);
        Assert.Equal(first.CgfDomain, second.CgfDomain);
        Assert.Equal(first.Resummation, second.Resummation);
    }

    [Fact]
    public void Different_bundled_declarations_give_unequal_models()
    {
        var models = Bundled().Select(row => DeriveBundled((string)row[0], (string)row[1])).ToList();
        for (int i = 0; i < models.Count; i++)
            for (int j = i + 1; j < models.Count; j++)
                Assert.False(models[i].Equals(models[j]), $"{models[i].Name} and {models[j].Name} compare equal");
    }

    private const string Gamma = """
        distribution Gamma(k > 0, mu > 0) {
            support positive
            logcf(w) = -k * log(1 - i*mu*w)
            logpdf(z) = (k - 1)*log(z) - z/mu - lgamma(k) - k*log(mu)
            sample = mu * gamma(k)
        }
        """;

    [Fact]
    public void A_model_is_equal_to_a_separately_compiled_copy_and_unequal_after_any_change()
    {
        var model = Derive("gamma.dist", Gamma);
        Assert.Equal(model, Derive("gamma.dist", Gamma));
        // Spacing and comments do not change the law.
        Assert.Equal(model, Derive("gamma.dist", "# a comment\n" + Gamma.Replace("k * log", "k*log")));

        // Each of these changes one part of the model, and only that part.
        var constraint = Derive("gamma.dist", Gamma.Replace("mu > 0", "mu >= 0"));
        Assert.NotEqual(model, constraint);
        Assert.NotEqual(model.Parameters, constraint.Parameters);
        Assert.Equal(model.Coefficients, constraint.Coefficients);

        var density = Derive("gamma.dist", Gamma.Replace("- z/mu", "- 2*z/mu"));
        Assert.NotEqual(model, density);
        Assert.NotEqual(model.Density, density.Density);
        Assert.Equal(model.Coefficients, density.Coefficients);

        var sampler = Derive("gamma.dist", Gamma.Replace("mu * gamma(k)", "mu * gamma(k) + 0*normal()"));
        Assert.NotEqual(model.Sampler, sampler.Sampler);

        var law = Derive("gamma.dist", Gamma.Replace("-k * log", "-2*k * log"));
        Assert.NotEqual(model.Coefficients, law.Coefficients);
        Assert.NotEqual(model.ClosedFormCgfGradient, law.ClosedFormCgfGradient);

        Assert.NotEqual(model, Derive("other.dist", Gamma)); // the file name is part of the generated header
        Assert.NotEqual(model, Derive("gamma.dist", Gamma.Replace("Gamma(", "Gamma2(")));
    }

    [Fact]
    public void The_model_holds_the_derivatives_the_emitter_renders()
    {
        var model = Derive("gamma.dist", Gamma);
        var k = model.Parameters[0].Symbol;
        var mu = model.Parameters[1].Symbol;
        // K(tau) = -k log(1 - mu tau): dK/dk = -log(1 - mu tau), dK/dmu = k tau / (1 - mu tau).
        var gradient = model.ClosedFormCgfGradient!.Value;
        var at = new Dictionary<SeriesCompiler.Symbolic.Expressions.Symbol, double> { [k] = 2.5, [mu] = 0.5, [SeriesCompiler.Symbolic.Series.ClosedFormCgf.Tau] = 0.75 };
        Assert.Equal(-Math.Log(1 - 0.5 * 0.75), Evaluate(gradient[0], at), 12);
        Assert.Equal(2.5 * 0.75 / (1 - 0.5 * 0.75), Evaluate(gradient[1], at), 12);
        // Score of log p = (k - 1) log z - z/mu - lgamma(k) - k log mu: d/dk = log z - digamma(k) - log mu, d/dmu = z/mu^2 - k/mu.
        var density = model.Density!;
        at[density.Variable] = 1.3;
        Assert.Equal(Math.Log(1.3) - Digamma(2.5) - Math.Log(0.5), Evaluate(density.Score[0], at), 10);
        Assert.Equal(1.3 / 0.25 - 2.5 / 0.5, Evaluate(density.Score[1], at), 12);
        // Pathwise: z = mu g with g = gamma(k): dz/dk = mu dg/dk, dz/dmu = g.
        var sampler = model.Sampler!;
        var shape = Assert.Single(sampler.Pathwise!.ShapeDerivatives);
        at[sampler.Draws[0].Symbol] = 1.7;
        at[shape.Symbol] = 0.9;
        Assert.Equal(0.5 * 0.9, Evaluate(sampler.Pathwise.Dz[0], at), 14);
        Assert.Equal(1.7, Evaluate(sampler.Pathwise.Dz[1], at), 14);
    }

    private static double Evaluate(SeriesCompiler.Symbolic.Expressions.Expr e, Dictionary<SeriesCompiler.Symbolic.Expressions.Symbol, double> at) =>
        SeriesCompiler.Symbolic.Expressions.ExprEvaluator.Evaluate(e, at);

    // digamma(2.5) = digamma(1/2) + 1/(1/2) + 1/(3/2) = -gamma - 2 ln 2 + 2 + 2/3 (the recurrence psi(x + 1) = psi(x) + 1/x).
    private static double Digamma(double x) => x == 2.5 ? -0.5772156649015329 - 2 * Math.Log(2) + 2 + 2.0 / 3 : throw new ArgumentOutOfRangeException(nameof(x));

    /// <summary>
    /// The emitter renders; it takes no derivative, expands no series and resums nothing. Every call the Emit assembly makes
    /// into another assembly is a member reference in its metadata: none may name a type of the derivation.
    /// </summary>
    [Fact]
    public void The_emitter_calls_no_derivative_series_or_resummation_function()
    {
        string[] forbiddenNamespaces = ["SeriesCompiler.Symbolic.Calculus"];
        string[] forbiddenTypes =
        [
            "SeriesCompiler.Symbolic.Series.CumulantSeries", "SeriesCompiler.Symbolic.Series.SeriesExpander",
            "SeriesCompiler.Symbolic.Series.TruncatedSeries", "SeriesCompiler.Symbolic.Series.Poly",
            "SeriesCompiler.Symbolic.Series.LogCanonicalForm", "SeriesCompiler.Symbolic.Series.ClosedFormCgf",
            "SeriesCompiler.Symbolic.Series.CgfDomainAnalysis", "SeriesCompiler.Symbolic.Resummation.Resummer",
            "SeriesCompiler.Symbolic.Resummation.PoleResummer", "SeriesCompiler.Symbolic.Model.RuleModelBuilder",
            "SeriesCompiler.Symbolic.Functions.PoleExpansions",
        ];
        var called = MemberReferences(typeof(RuleEmitter).Assembly.Location);
        Assert.NotEmpty(called);
        // The scan sees calls into Symbolic: the emitter builds expressions through Ex and formats numbers.
        Assert.Contains(called, c => c.Type == "SeriesCompiler.Symbolic.Expressions.Ex");
        var offending = called.Where(c => forbiddenNamespaces.Any(n => c.Type.StartsWith(n + ".", StringComparison.Ordinal))
            // ClosedFormCgf.Tau names K's variable (a symbol); only building K is the derivation's.
            || (forbiddenTypes.Contains(c.Type) && !(c.Type.EndsWith(".ClosedFormCgf", StringComparison.Ordinal) && c.Member == "get_Tau"))).ToList();
        Assert.True(offending.Count == 0, "Emit calls " + string.Join(", ", offending.Select(c => c.Type + "." + c.Member)));
    }

    [Fact]
    public void The_reference_scan_finds_a_derivative_call_where_there_is_one()
    {
        // A control: the test assembly does call Derivative.Of (the series property tests), and the scan must see it.
        var tests = MemberReferences(typeof(ModelTests).Assembly.Location);
        Assert.Contains(tests, c => c.Type == "SeriesCompiler.Symbolic.Calculus.Derivative" && c.Member == "Of");
    }

    private static List<(string Type, string Member)> MemberReferences(string assembly)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var result = new List<(string, string)>();
        foreach (var handle in md.MemberReferences)
        {
            var reference = md.GetMemberReference(handle);
            if (TypeName(md, reference.Parent) is { } type) result.Add((type, md.GetString(reference.Name)));
        }
        return result;
    }

    private static string? TypeName(MetadataReader md, EntityHandle parent)
    {
        switch (parent.Kind)
        {
            case HandleKind.TypeReference:
                var t = md.GetTypeReference((TypeReferenceHandle)parent);
                return md.GetString(t.Namespace) is { Length: > 0 } ns ? ns + "." + md.GetString(t.Name) : md.GetString(t.Name);
            case HandleKind.TypeSpecification:
                // A generic instantiation: its blob starts with GENERICINST and the generic type's handle.
                var blob = md.GetBlobReader(md.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
                if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance) return null;
                blob.ReadSignatureTypeCode();
                return TypeName(md, blob.ReadTypeHandle());
            default:
                return null;
        }
    }
}
