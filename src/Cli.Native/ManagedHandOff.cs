using System.Runtime.InteropServices;

namespace SeriesCompiler.Cli.Native;

/// <summary>
/// Runs the managed seriesc (seriesc.dll beside this executable) in place of this process: <c>execv(dotnet, [dotnet,
/// exec, seriesc.dll, args...])</c>. exec keeps the process, so its standard streams, its signals (Ctrl-C reaches
/// estimate as before) and its exit code are the managed program's own, with nothing copied through.
/// The muxer is looked for as the .NET host itself looks for it: DOTNET_HOST_PATH (set by the SDK for the
/// processes it starts), DOTNET_ROOT_X64 and DOTNET_ROOT, the PATH, /etc/dotnet/install_location, then the usual
/// install folders.
/// </summary>
public static unsafe class ManagedHandOff
{
    public static int Exec(string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "seriesc.dll");
        if (!File.Exists(dll))
            return Fail($"the managed seriesc ({dll}) is missing beside this executable; reinstall the tool");
        var tried = new List<string>();
        foreach (string dotnet in Candidates())
        {
            if (tried.Contains(dotnet) || !File.Exists(dotnet)) continue;
            tried.Add(dotnet);
            string[] argv = ["dotnet", "exec", dll, .. args];
            Execv(dotnet, argv);
            // Only a failed exec returns; try the next candidate.
        }
        return Fail("this command needs the .NET 10 runtime, and no 'dotnet' was found (looked at DOTNET_HOST_PATH, " +
            "DOTNET_ROOT, the PATH and the usual install folders): set DOTNET_ROOT to the folder that holds 'dotnet'");
    }

    /// <summary>
    /// Runs another native executable (the AVX-512 twin) in place of this process with the same arguments; returns
    /// only if it could not be started (nothing has been written then, so the caller can do the work itself).
    /// </summary>
    public static void ExecNative(string path, string[] args) => Execv(path, [path, .. args]);

    /// <summary>Places the muxer may be, in the host's order; each is checked for existence by the caller.</summary>
    public static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host) yield return host;
        foreach (string variable in (string[])["DOTNET_ROOT_X64", "DOTNET_ROOT"])
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } root) yield return Path.Combine(root, "dotnet");
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            yield return Path.Combine(folder, "dotnet");
        string? registered = null;
        try
        {
            if (File.Exists("/etc/dotnet/install_location")) registered = File.ReadLines("/etc/dotnet/install_location").FirstOrDefault()?.Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        if (registered is { Length: > 0 }) yield return Path.Combine(registered, "dotnet");
        yield return "/usr/share/dotnet/dotnet";
        yield return "/usr/lib/dotnet/dotnet";
        yield return "/usr/local/share/dotnet/dotnet";
    }

    private static void Execv(string path, string[] argv)
    {
        // argv as C strings (UTF-8), NULL-terminated; freed only if exec fails (on success the process image is gone).
        var pointers = new IntPtr[argv.Length + 1];
        IntPtr file = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            for (int i = 0; i < argv.Length; i++) pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            Console.Out.Flush();
            Console.Error.Flush();
            fixed (IntPtr* p = pointers) execv((byte*)file, (byte**)p);
        }
        finally
        {
            Marshal.FreeCoTaskMem(file);
            foreach (var pointer in pointers) if (pointer != IntPtr.Zero) Marshal.FreeCoTaskMem(pointer);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("seriesc: error: " + message);
        return 1;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int execv(byte* path, byte** argv);
}
