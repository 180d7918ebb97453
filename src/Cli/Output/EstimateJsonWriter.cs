using System.Text.Json;
using SeriesCompiler.Runtime.Estimation;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// <c>seriesc estimate --format json</c>: one object with the problem (<c>distribution, at, f, samples, seed, dims</c>) and
/// <c>estimates</c>, one entry per estimator, its gradient and standard error by parameter (docs/cli.md), or its error.
/// </summary>
public static class EstimateJsonWriter
{
    public static void Write(TextWriter output, EstimateReport report)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonCoefficientsWriter.Options))
        {
            json.WriteStartObject();
            json.WriteString("distribution", report.Distribution);
            json.WriteStartObject("at");
            foreach (var name in report.Parameters)
            {
                var v = report.At.Find(name)!;
                json.WritePropertyName(name);
                if (v.Vector is { } vector)
                {
                    json.WriteStartArray();
                    foreach (var x in vector) JsonCoefficientsWriter.WriteNumber(json, x);
                    json.WriteEndArray();
                }
                else JsonCoefficientsWriter.WriteNumber(json, v.Scalar);
            }
            json.WriteEndObject();
            json.WriteString("f", report.F);
            json.WriteNumber("samples", report.Samples);
            json.WriteNumber("seed", report.Seed);
            json.WriteNumber("dims", report.Dims);
            json.WriteStartArray("estimates");
            foreach (var outcome in report.Estimates) WriteEstimate(json, outcome);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.Write(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        output.WriteLine();
    }

    private static void WriteEstimate(Utf8JsonWriter json, EstimateOutcome outcome)
    {
        json.WriteStartObject();
        json.WriteString("estimator", outcome.Name);
        if (outcome.Result is not { } result)
        {
            json.WriteString("error", outcome.Error);
            json.WriteEndObject();
            return;
        }
        if (result.Order is { } order) json.WriteNumber("order", order);
        else json.WriteNull("order");
        var groups = EstimateReport.Groups(result);
        WriteByParameter(json, "gradient", groups, result.Gradient);
        WriteByParameter(json, "stderr", groups, result.StandardError);
        json.WriteNumber("seconds", result.Elapsed.TotalSeconds);
        json.WriteString("method", result.Method);
        json.WriteString("truncation", result.Truncation.ToString().ToLowerInvariant());
        if (!result.Orders.IsEmpty) WriteByParameter(json, "orders", groups, [.. result.Orders.Select(o => (double)o)]);
        if (!result.Terms.IsEmpty)
        {
            json.WriteStartArray("terms");
            foreach (var term in result.Terms)
            {
                json.WriteStartObject();
                json.WriteNumber("n", term.Order);
                json.WritePropertyName("magnitude");
                JsonCoefficientsWriter.WriteNumber(json, term.Magnitude);
                WriteByParameter(json, "value", groups, term.Values);
                WriteByParameter(json, "stderr", groups, term.StandardErrors);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (result.Note is { } note) json.WriteString("note", note);
        if (!result.RoundingError.IsEmpty) WriteByParameter(json, "rounding_error", groups, result.RoundingError);
        if (result.IsFlagged)
        {
            json.WriteStartArray("warnings");
            foreach (var warning in result.Warnings) json.WriteStringValue(warning);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    // One property per parameter: a number, or an array for a vector parameter or copies.
    private static void WriteByParameter(Utf8JsonWriter json, string property, List<(string Parameter, List<int> Slots, bool IsVector)> groups, IReadOnlyList<double> values)
    {
        json.WriteStartObject(property);
        foreach (var (parameter, slots, isVector) in groups)
        {
            json.WritePropertyName(parameter);
            if (isVector)
            {
                json.WriteStartArray();
                foreach (int i in slots) JsonCoefficientsWriter.WriteNumber(json, values[i]);
                json.WriteEndArray();
            }
            else JsonCoefficientsWriter.WriteNumber(json, values[slots[0]]);
        }
        json.WriteEndObject();
    }
}
