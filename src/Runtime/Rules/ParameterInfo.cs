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
    /// Whether <paramref name="value"/> lies within the declared bounds (open or closed at each end), as the runtime
    /// sees them: bounds rounded to doubles. <see cref="Check"/> uses it.
    /// </summary>
    public bool Satisfies(double value) => WithinBounds(value, Lower, LowerInclusive, Upper, UpperInclusive);

    /// <summary>
    /// The bounds test itself, for any ordered number type: the runtime's doubles and the command line's exact rationals
    /// (<c>--at</c> values as written, against the declaration's exact bounds) go through this one comparison. For
    /// finite values only: <see cref="Check"/> refuses NaN and infinities before it asks.
    /// </summary>
    public static bool WithinBounds<T>(T value, T? lower, bool lowerInclusive, T? upper, bool upperInclusive)
        where T : struct, IComparable<T>
    {
        // Open end: the value must lie strictly beyond it; closed end: it may equal it.
        if (lower is { } lo && (lowerInclusive ? value.CompareTo(lo) < 0 : value.CompareTo(lo) <= 0)) return false;
        if (upper is { } hi && (upperInclusive ? value.CompareTo(hi) > 0 : value.CompareTo(hi) >= 0)) return false;
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
