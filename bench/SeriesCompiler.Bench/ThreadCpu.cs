using System.Runtime.InteropServices;

namespace SeriesCompiler.Bench;

/// <summary>
/// The calling thread's CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID) on Linux): on a shared, loaded machine the
/// time a thread actually ran is a steadier measure than the wall clock, which also counts the time others held the
/// cores. NaN where the call is not available.
/// </summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    public static double Nanoseconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        return ClockGetTime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds * 1e9 + t.Nanoseconds : double.NaN;
    }
}
