using System.Globalization;

namespace SeriesCompiler.Runtime.Rules;

/// <summary>A parameter of a distribution and its constraint, checked whenever a rule is used.</summary>
public sealed record ParameterInfo(
    string Name,
    double? Lower,
    bool LowerInclusive,
    double? Upper,
    bool UpperInclusive,
    bool IsInteger,
    string Constraint)
{
    public bool IsDifferentiable => !IsInteger;

    /// <summary>
    /// Whether <paramref name="value"/> lies within the declared bounds (open or closed at each end). The one bounds
    /// check: <see cref="Check"/> uses it, and so does the command line's <c>--at</c>.
    /// </summary>
    public bool Satisfies(double value)
    {
        if (Lower is { } lo && (LowerInclusive ? value < lo : value <= lo)) return false;
        if (Upper is { } hi && (UpperInclusive ? value > hi : value >= hi)) return false;
        return true;
    }

    /// <summary>Throws a clear exception naming the parameter and its bound when <paramref name="value"/> violates the constraint.</summary>
    public void Check(double value)
    {
        string? problem = null;
        // A real parameter without bounds still has one: it must be a finite number.
        if (!double.IsFinite(value)) problem = Lower is null && Upper is null ? "is not finite (it must be a finite real number)" : $"is not finite (it must satisfy {Constraint})";
        else if (!Satisfies(value)) problem = $"violates {Constraint}";
        else if (IsInteger && value != Math.Floor(value)) problem = "must be an integer";
        if (problem is not null)
            throw new ArgumentOutOfRangeException(Name, value,
                $"parameter '{Name}' = {value.ToString("R", CultureInfo.InvariantCulture)} {problem}");
    }
}

public enum SupportKind { Real, Positive, Interval, FiniteSet, IntegerRange, Naturals, Integers, Simplex }
