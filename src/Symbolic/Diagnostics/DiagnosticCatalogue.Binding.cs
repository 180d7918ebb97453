namespace SeriesCompiler.Symbolic.Diagnostics;

// SC01xx: binding. Names, statements a declaration must or must not have, where each construct may appear.
public static partial class DiagnosticCatalogue
{
    public static readonly DiagnosticDescriptor UnknownName = Define("SC0101", "unknown name",
        "Declare the name as a parameter in the header, define it with 'let', or use the frequency variable named in the statement's parentheses.");
    public static readonly DiagnosticDescriptor UnknownFunction = Define("SC0102", "unknown function",
        "Use one of exp log sqrt sin cos tan sinh cosh tanh atan lgamma digamma abs, or a primitive draw in 'sample'/'let'.");
    public static readonly DiagnosticDescriptor WrongArgumentCount = Define("SC0103", "wrong number of arguments",
        "Call the function with the number of arguments its definition takes.");
    public static readonly DiagnosticDescriptor MissingSupport = Define("SC0104", "missing support",
        "Add a 'support' statement (real, positive, (LO, HI), {0, 1}, {LO .. HI}, naturals, integers, simplex).");
    public static readonly DiagnosticDescriptor MissingCharacteristic = Define("SC0105", "missing cf, logcf or cgf",
        "Give exactly one of 'cf(w) = ...', 'logcf(w) = ...', 'cgf(t) = ...', or build the distribution from 'latent' components and 'value'.");
    public static readonly DiagnosticDescriptor DuplicateStatement = Define("SC0106", "statement given twice",
        "Keep one of the two statements: a declaration has one characteristic function, one support, one sample, one logpdf.");
    public static readonly DiagnosticDescriptor DuplicateName = Define("SC0107", "name declared twice",
        "Rename one of the two: parameters, lets, latents and frequency variables share one namespace.");
    public static readonly DiagnosticDescriptor MisplacedImaginaryUnit = Define("SC0108", "'i' outside cf/logcf",
        "The imaginary unit may appear only in 'cf' and 'logcf'; a 'cgf' is written in the real variable t.");
    public static readonly DiagnosticDescriptor MisplacedAbs = Define("SC0109", "'abs' outside logpdf",
        "abs is not analytic; it may appear in 'logpdf'/'logpmf', and in a cf/logcf of one variable only as abs(w) or abs(w)^alpha with a constant 0 < alpha < 2 (a Lévy exponent: Cauchy, symmetric stable laws), not inside another function.");
    public static readonly DiagnosticDescriptor MisplacedDraw = Define("SC0110", "primitive draw outside sample",
        "Primitive draws (uniform(), normal(), gamma(k), ...) may appear only in 'sample' and 'let'.");
    public static readonly DiagnosticDescriptor VariableCountMismatch = Define("SC0111", "frequency variables do not match the support",
        "Name one frequency variable per dimension of the support: 'support real^2' goes with 'cf(w1, w2)'.");
    public static readonly DiagnosticDescriptor NumberOutOfRange = Define("SC0112", "number out of range",
        "Write the number with a decimal exponent between -1000 and 1000.");
    public static readonly DiagnosticDescriptor UnknownLatentDistribution = Define("SC0113", "latent names an unknown distribution",
        "Declare the distribution in the same file or in the distributions/ folder, or correct its name.");
    public static readonly DiagnosticDescriptor LatentCycle = Define("SC0114", "cycle of latent distributions",
        "A distribution cannot be built, directly or through others, from itself; break the cycle.");
    public static readonly DiagnosticDescriptor LatentWithoutValue = Define("SC0115", "latent components without value, or value without latents",
        "A derived distribution declares its components with 'latent NAME ~ DIST(ARGS)' and its transform with 'value = ...'; give both.");
    public static readonly DiagnosticDescriptor CharacteristicWithLatents = Define("SC0116", "a derived distribution has a cf",
        "A distribution built from latents has no cf of its own: remove the cf/logcf/cgf or the latent/value statements.");
    public static readonly DiagnosticDescriptor NonConstantBound = Define("SC0117", "constraint bound is not a constant",
        "Bounds of parameter constraints must be constant numbers such as 0, 1 or -1.");
    public static readonly DiagnosticDescriptor InvalidArithmetic = Define("SC0118", "invalid constant arithmetic",
        "The expression divides by zero or builds a number too large to hold exactly; rewrite it.");
    public static readonly DiagnosticDescriptor WrongLatentArguments = Define("SC0119", "wrong number of latent arguments",
        "Pass one argument per parameter of the latent's distribution.");
    public static readonly DiagnosticDescriptor MisplacedTuple = Define("SC0120", "tuple where a single value is expected",
        "Tuples '(a, b)' are allowed only as the whole right-hand side of 'sample'.");
    public static readonly DiagnosticDescriptor MisplacedIndex = Define("SC0121", "indexing outside an indexed family",
        "Index only vector parameters and latents of a family 'distribution NAME[K](alpha[K] ...)', with its index variable.");
    public static readonly DiagnosticDescriptor DuplicateDistribution = Define("SC0123", "distribution declared twice",
        "Each distribution name (compared case-insensitively) may be declared once in the files checked together.");
    public static readonly DiagnosticDescriptor InvalidConstraint = Define("SC0124", "invalid constraint",
        "Use a lower bound below the upper bound, and 'integer' only for fixed hyper-parameters.");
    public static readonly DiagnosticDescriptor InvalidJointConstraint = Define("SC0125", "invalid joint constraint",
        "A 'constraint LEFT < RIGHT' statement compares real expressions of two or more scalar parameters and constants (no frequency variables, lets with draws, vector parameters or i).");
}
