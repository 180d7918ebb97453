using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SeriesCompiler.Cli.Native;

/// <summary>
/// The AVX-512 twin of the native front: the same program compiled for x86-64-v4, shipped beside it as
/// <c>NAME-avx512</c>. Native AOT fixes the instruction set at compile time (a v3 executable folds
/// <c>Vector512.IsHardwareAccelerated</c> to false, and code past the baseline cannot sit behind a run-time check, since
/// the compiler may use VEX/EVEX encodings anywhere), so estimate's eight-lane samplers and kernels run as two halves
/// in this executable. Where the processor and the kernel have AVX-512, estimate execs the twin instead: the same
/// numbers, bit for bit (the eight-lane code and its four-lane halves give the same draws: LaneSampler8Tests), in about
/// half the time. Only estimate goes there; check and coefficients do no vector work, and a second exec would cost them
/// their start-up. <c>SERIESC_AVX512=0</c> keeps everything in this executable.
/// </summary>
public static unsafe class Avx512Twin
{
    /// <summary>The twin to exec for this command line, or null to run it here.</summary>
    public static string? For(string[] args)
    {
        // The twin itself (and a plain managed build on an AVX-512 machine) has the wide code already.
        if (Vector512.IsHardwareAccelerated) return null;
        if (args is not ["estimate", ..]) return null;
        if (Environment.GetEnvironmentVariable("SERIESC_AVX512") == "0") return null;
        // The runtime's own switches off (DOTNET_EnableAVX512F=0, DOTNET_EnableHWIntrinsic=0, ...) are honoured too.
        foreach (string variable in (string[])["DOTNET_EnableHWIntrinsic", "DOTNET_EnableAVX512", "DOTNET_EnableAVX512F"])
            if (Environment.GetEnvironmentVariable(variable) == "0") return null;
        if (Environment.ProcessPath is not { } self) return null;
        string twin = self + "-avx512";
        return Supported() && File.Exists(twin) ? twin : null;
    }

    /// <summary>
    /// x86-64-v4's instruction sets (AVX-512 F, CD, BW, DQ, VL: CPUID leaf 7, EBX) and the kernel's support for their
    /// register state: XSAVE enabled by the OS (leaf 1, ECX bit 27) and, where the kernel can say (Linux 5.16 and later,
    /// arch_prctl ARCH_GET_XCOMP_SUPP), the opmask and ZMM states among the features it manages. A twin that started
    /// without them would stop at once with the runtime's message that the processor lacks required instruction sets.
    /// </summary>
    public static bool Supported()
    {
        if (!X86Base.IsSupported) return false;
        if (X86Base.CpuId(0, 0).Eax < 7) return false;
        if ((X86Base.CpuId(1, 0).Ecx & (1 << 27)) == 0) return false;
        const uint F = 1u << 16, Dq = 1u << 17, Cd = 1u << 28, Bw = 1u << 30, Vl = 1u << 31;
        uint ebx = (uint)X86Base.CpuId(7, 0).Ebx;
        if ((ebx & (F | Dq | Cd | Bw | Vl)) != (F | Dq | Cd | Bw | Vl)) return false;
        // XSAVE state components: 1 SSE, 2 AVX, 5 opmask, 6 ZMM_Hi256, 7 Hi16_ZMM.
        const ulong Avx512State = 0b1110_0110;
        ulong features = 0;
        if (arch_prctl(ArchGetXcompSupp, &features) == 0) return (features & Avx512State) == Avx512State;
        // An older kernel cannot say through arch_prctl; it lists in /proc/cpuinfo only the features whose register
        // state it manages (a flag is cleared when XSAVE lacks the state), so all five flags there mean the twin can run.
        return CpuinfoLists("avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl");
    }

    private static bool CpuinfoLists(params string[] flags)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
                var listed = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return flags.All(listed.Contains);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        return false;   // no way to tell: stay in the front
    }

    private const int ArchGetXcompSupp = 0x1021;

    [DllImport("libc")]
    private static extern int arch_prctl(int code, ulong* address);
}
