namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>
/// Raised by the expression factory for an operation with no exact result (division by zero, a number
/// too large to hold). Stages catch it at their boundary and turn it into a positioned diagnostic.
/// </summary>
public sealed class SymbolicException(string message) : Exception(message);
