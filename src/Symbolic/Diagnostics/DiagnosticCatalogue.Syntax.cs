namespace SeriesCompiler.Symbolic.Diagnostics;

// SC0001..SC0099: lexing and parsing (src/Symbolic/Syntax). Ids are never reused; add new ones at the end.
public static partial class DiagnosticCatalogue
{
    public static readonly DiagnosticDescriptor InvalidCharacter = Define("SC0001", "invalid character",
        "Remove the character. A declaration uses letters, digits, '_', the operators + - * / ^, brackets ( ) [ ] { }, "
        + "the punctuation , = ~ < > <= >= : .. and '#' for a comment.");

    public static readonly DiagnosticDescriptor InvalidNumber = Define("SC0002", "malformed number",
        "Write numbers as digits with an optional fraction and exponent: 2, 0.49, 1e-3, 2.5E+2. "
        + "Put an operator between a number and a name: 2*pi, not 2pi.");

    public static readonly DiagnosticDescriptor NoDistribution = Define("SC0003", "no distribution declared",
        "A .dist file declares at least one distribution: 'distribution NAME(PARAMETERS) { ... }'.");

    public static readonly DiagnosticDescriptor ExpectedDistribution = Define("SC0004", "expected a declaration",
        "Only declarations ('distribution NAME(PARAMETERS) { ... }') and '#' comments may appear outside a body.");

    public static readonly DiagnosticDescriptor ExpectedName = Define("SC0005", "expected a name",
        "Write a name here: letters, digits and '_', not starting with a digit.");

    public static readonly DiagnosticDescriptor ReservedWordAsName = Define("SC0006", "reserved word used as a name",
        "Rename it: the reserved words (distribution support cf logcf cgf logpdf logpmf sample latent value let in "
        + "integer real positive naturals integers simplex i pi) cannot name parameters, variables or helpers.");

    public static readonly DiagnosticDescriptor ExpectedExpression = Define("SC0007", "expected an expression",
        "Write an expression here: a number, a name, a call such as exp(t), or a parenthesised expression. "
        + "A statement that goes on to the next line must end its line with an operator or leave a parenthesis open.");

    public static readonly DiagnosticDescriptor ExpectedToken = Define("SC0008", "expected a token",
        "Insert the token the message names, or remove what stands in its place.");

    public static readonly DiagnosticDescriptor UnclosedBracket = Define("SC0009", "unclosed bracket",
        "Close the bracket before the end of the statement; check that every '(' has its ')' and every '[' its ']'.");

    public static readonly DiagnosticDescriptor ExpectedEquals = Define("SC0010", "expected '='",
        "Write the statement as 'cf(w) = E', 'let NAME = E', 'sample = E' or 'value = E'.");

    public static readonly DiagnosticDescriptor ExpectedOpenBrace = Define("SC0011", "expected '{'",
        "Open the body with '{' after the parameter list: 'distribution NAME(PARAMETERS) {'.");

    public static readonly DiagnosticDescriptor UnclosedDistribution = Define("SC0012", "unclosed distribution body",
        "Close the body of each declaration with '}' on a line of its own before the next declaration or the end of the file.");

    public static readonly DiagnosticDescriptor UnknownStatement = Define("SC0013", "unknown statement",
        "Start each line of a body with one of: support, cf, logcf, cgf, logpdf, logpmf, let, sample, latent, value.");

    public static readonly DiagnosticDescriptor UnexpectedAfterStatement = Define("SC0014", "unexpected text after a statement",
        "Write one statement per line; remove the extra text or move it to a line of its own.");

    public static readonly DiagnosticDescriptor ExpectedSupport = Define("SC0015", "expected a support domain",
        "Write one of: real, positive, naturals, integers, simplex, real^2, (LO, HI), {0, 1}, {LO .. HI}.");

    public static readonly DiagnosticDescriptor ExpectedConstraint = Define("SC0016", "expected a parameter constraint",
        "Constrain a parameter with '> E', '>= E', '< E', '<= E', 'in (LO, HI)' or ': integer >= E', "
        + "and separate parameters with ','.");

    public static readonly DiagnosticDescriptor NestedTooDeeply = Define("SC0017", "expression nested too deeply",
        "Reduce the nesting of parentheses, calls, powers and signs; the limit keeps the later stages within their stack.");

    public static readonly DiagnosticDescriptor ExpressionTooLong = Define("SC0018", "expression too long",
        "Shorten the chain of operators or group it with parentheses; the limit keeps the later stages within their stack.");

    public static readonly DiagnosticDescriptor ExpectedEndOfExpression = Define("SC0019", "unexpected text after an expression",
        "A lone expression (such as the function given to 'seriesc estimate --f') must be a single expression; "
        + "remove the extra text or join it with an operator.");

    public static readonly DiagnosticDescriptor NameTooLong = Define("SC0020", "name too long",
        "Shorten the name to at most 200 characters; the limit keeps the generated C# names within .NET's metadata limit "
        + "(1023 UTF-8 bytes) whatever the characters.");
}
