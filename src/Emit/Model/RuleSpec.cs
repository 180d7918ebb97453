namespace SeriesCompiler.Emit.Model;

/// <summary>A joint constraint as the template writes it: the code of each side, the check and the message.</summary>
public sealed record JointConstraintSpec(string Code, string Check, string Message);

/// <summary>One parameter as the template writes it: every field already C# text.</summary>
public sealed record ParameterSpec(string NameLiteral, string Local, int Index, string Lower, string LowerInclusive, string Upper, string UpperInclusive, string IsInteger, string ConstraintLiteral);

/// <summary>
/// Everything the rule template needs, every number, identifier and statement already formatted as C#
/// (the template only lays it out). Nothing compares specs: the emitted text is what tests compare.
/// </summary>
public sealed record RuleSpec(
    string Namespace,
    string ClassName,
    string NameLiteral,
    string SourceComment,
    string Summary,
    IReadOnlyList<ParameterSpec> Parameters,
    IReadOnlyList<JointConstraintSpec> JointConstraints,
    string DifferentiableList,
    int DifferentiableCount,
    int Dimension,
    int Order,
    string Support,
    string MultiIndices,
    string FiniteSupportCode,
    string CumulantsCode,
    string CoefficientsCode,
    string CoefficientErrorsCode,
    bool HasCgf,
    string CgfCode,
    string CgfGradientCode,
    bool HasCgfDomain,
    string CgfDomainCode,
    string CgfDomainComment,
    bool CanSample,
    string SampleCode,
    bool HasPathwise,
    string PathwiseCode,
    bool HasLogDensity,
    string LogDensityCode,
    string ScoreCode,
    string ResummedMembers,
    string LaneMembers,
    string CopyMembers);
