namespace SeriesCompiler.Tests.Emit;

/// <summary>Where the checkout and this build's configuration are, found from the test binaries' folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the folder above net10.0 in bin/CONFIGURATION/net10.0/.</summary>
    public static string Configuration { get; } =
        Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!)!;

    public static string TaskAssembly => Path.Combine(Root, "src", "Build", "bin", Configuration, "net10.0", "SeriesCompiler.Build.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SeriesCompiler.sln"))) return dir.FullName;
        throw new InvalidOperationException("SeriesCompiler.sln not found above " + AppContext.BaseDirectory);
    }
}
