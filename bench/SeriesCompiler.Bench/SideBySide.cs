using System.Diagnostics;

namespace SeriesCompiler.Bench;

/// <summary>What the side-by-side benches share: running a peer script, the load average that qualifies a timing, and the
/// variance that work-normalised variance multiplies.</summary>
internal static class SideBySide
{
    /// <summary>Runs <paramref name="file"/> and returns its exit code; standard output (and standard error on failure) in <paramref name="stdout"/>.</summary>
    public static int Exec(string file, IEnumerable<string> arguments, out string stdout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        // Read standard error concurrently, or a peer that fills its pipe would block.
        var error = process.StandardError.ReadToEndAsync();
        stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) stdout += error.Result;
        return process.ExitCode;
    }

    /// <summary>The 1, 5 and 15 minute load averages, or "unknown".</summary>
    public static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    /// <summary>Sum over the slots of the sample variance of the gradient over the repetitions (independent seeds).</summary>
    public static double VarianceTrace(double[][] gradients)
    {
        double trace = 0;
        for (int p = 0; p < gradients[0].Length; p++)
        {
            double mean = gradients.Average(g => g[p]);
            trace += gradients.Sum(g => (g[p] - mean) * (g[p] - mean)) / (gradients.Length - 1);
        }
        return trace;
    }
}
