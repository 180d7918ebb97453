using System.Text.Encodings.Web;
using System.Text.Json;
using SeriesCompiler.Cli.Infrastructure;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// The JSON document of <c>seriesc coefficients --format json</c> (docs/cli.md). Numbers are written by
/// <see cref="Utf8JsonWriter"/>: shortest round-trip, culture-invariant; a non-finite number is <c>null</c>, with its
/// reason in the entry's <c>reasons</c>.
/// </summary>
public static class JsonCoefficientsWriter
{
    public static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Keep expressions readable ("k + 1", not "k \u002B 1"); the output is not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(TextWriter output, CoefficientTable table)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, Options))
            Write(json, table);
        output.Write(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        output.WriteLine();
    }

    public static void Write(Utf8JsonWriter json, CoefficientTable table)
    {
        var rule = table.Rule;
        json.WriteStartObject();
        json.WriteString("distribution", rule.Name);
        json.WriteStartArray("parameters");
        foreach (var p in rule.Parameters) json.WriteStringValue(p.Name);
        json.WriteEndArray();
        json.WriteStartArray("variables");
        foreach (var v in rule.Variables) json.WriteStringValue(v);
        json.WriteEndArray();
        json.WriteNumber("order", rule.Order);
        if (table.At is { } at)
        {
            json.WriteStartObject("at");
            foreach (var p in rule.Parameters)
            {
                var v = at.Find(p.Name)!;
                json.WritePropertyName(p.Name);
                if (v.Vector is { } vector)
                {
                    json.WriteStartArray();
                    foreach (var x in vector) WriteNumber(json, x);
                    json.WriteEndArray();
                }
                else
                    WriteNumber(json, v.Scalar);
            }
            json.WriteEndObject();
        }
        json.WriteStartArray("coefficients");
        for (int r = 0; r < table.Rows.Length; r++)
        {
            var row = table.Rows[r];
            json.WriteStartObject();
            if (row.Component is not null) json.WriteString("component", row.Component);
            json.WriteStartArray("n");
            foreach (var k in row.Index) json.WriteNumberValue(k);
            json.WriteEndArray();
            if (row.CValue is { } c)
            {
                json.WritePropertyName("c");
                WriteNumber(json, c);
                json.WriteStartObject("d");
                for (int i = 0; i < row.Keys.Length; i++)
                {
                    json.WritePropertyName(row.Keys[i]);
                    WriteNumber(json, row.DValues[i]);
                }
                json.WriteEndObject();
                // An extension of cli.md, only where needed (so an entry whose numbers are all the exact values
                // correctly rounded keeps cli.md's keys): for each number that is not, why (a non-finite one is null above).
                if (!row.IsExact)
                {
                    json.WriteStartObject("reasons");
                    foreach (var (key, result) in row.Results().Where(r => !r.Result.IsCorrectlyRounded))
                        json.WriteString(key, result.Reason ?? "not correctly rounded");
                    json.WriteEndObject();
                }
            }
            if (table.Generated?.Entries[r] is { } g)
            {
                // --generated: the compiled rule's doubles, a's rounding-error bounds, and whether to trust them.
                json.WriteStartObject("generated");
                json.WritePropertyName("c");
                WriteNumber(json, g.C);
                json.WriteStartObject("d");
                for (int i = 0; i < row.Keys.Length; i++) { json.WritePropertyName(row.Keys[i]); WriteNumber(json, g.D[i]); }
                json.WriteEndObject();
                json.WriteStartObject("error_bound");
                for (int i = 0; i < row.Keys.Length; i++) { json.WritePropertyName(row.Keys[i]); WriteNumber(json, g.Bound[i]); }
                json.WriteEndObject();
                json.WriteBoolean("reliable", g.Reliable);
                if (g.Worst is not null) json.WriteString("reason", g.Worst);
                json.WriteEndObject();
            }
            json.WriteStartObject("symbolic");
            json.WriteString("c", row.C.ToString());
            for (int i = 0; i < row.Keys.Length; i++) json.WriteString(row.Keys[i], row.D[i].ToString());
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (table.Generated is { } check)
        {
            json.WriteStartObject("generated");
            json.WriteNumber("entries", check.Entries.Count(e => e is not null));
            json.WriteNumber("unreliable", check.Flagged);
            json.WriteNumber("tolerance", GeneratedCheck.Tolerance);
            json.WriteEndObject();
        }
        if (!rule.Resummation.IsEmpty)
        {
            // An extension of cli.md: the form each parameter's rule got.
            json.WriteStartObject("resummed");
            foreach (var o in rule.Resummation)
            {
                json.WriteStartObject(o.Parameter);
                json.WriteString("form", o.Rule is null ? "series" : o.Rule.Terms.All(t => t.Law is Symbolic.Resummation.ZeroLaw) ? "finite"
                    : o.Rule.Terms.Any(t => t.Law is Symbolic.Levy.LevyNearLaw or Symbolic.Levy.LevyTailLaw) ? "generator" : "resummed");
                if (o.Rule is { } r) json.WriteString("rule", r.ToString());
                if (o.Reason.Length > 0) json.WriteString("reason", o.Reason);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        if (rule.HasLevyPart)
        {
            // An extension of cli.md: the stable parts -c|w|^alpha, which have no series (the coefficients are the analytic part's).
            json.WriteStartArray("levy");
            foreach (var term in rule.Levy)
            {
                json.WriteStartObject();
                json.WriteString("scale", term.Scale.ToString());
                json.WriteNumber("alpha", (double)term.Alpha.Numerator / (double)term.Alpha.Denominator);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    public static void WriteNumber(Utf8JsonWriter json, double x)
    {
        if (double.IsFinite(x)) json.WriteNumberValue(x);
        else json.WriteNullValue();
    }
}
