using System.Diagnostics;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Experiments;
using SeriesCompiler.Experiments.Output;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Experiments;

/// <summary>
/// Issue 14, item 6: <c>seriesc experiment</c> writes each finished seed job as it goes, a killed or stopped run
/// continues with <c>--resume</c> without redoing finished jobs, and the result is the same bytes as an uninterrupted
/// run; the same options give the same CSV whatever the thread count; the options are checked against their bounds.
/// </summary>
[Collection("experiments")]
public sealed class ExperimentResumeTests
{
    // A small gamma-quadratic: 2 settings x 5 estimators x 2 seeds = 20 jobs, a few seconds.
    private static readonly string[] Small = ["--quick", "--seeds", "2", "--steps", "150"];
    private const string Csv = "gamma-quadratic.csv";

    private static CliHarness.Result Cli(string folder, params string[] extra) =>
        CliHarness.Run(["experiment", "gamma-quadratic", .. Small, "--out", folder, .. extra]);

    private static string Uninterrupted()
    {
        string folder = Path.Combine(TempDirectory.Create(), "whole");
        var result = Cli(folder, "--threads", "2");
        Assert.True(result.ExitCode == 0, result.Err);
        return folder;
    }

    [Fact]
    public void Same_options_give_byte_identical_csv_whatever_the_thread_count()
    {
        string a = Uninterrupted();
        string b = Path.Combine(TempDirectory.Create(), "one-thread");
        var result = Cli(b, "--threads", "1");
        Assert.True(result.ExitCode == 0, result.Err);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, Csv)), File.ReadAllBytes(Path.Combine(b, Csv)));
        // And the run differs where it must: another seed count gives other rows (the comparison can fail).
        string c = Path.Combine(TempDirectory.Create(), "one-seed");
        Assert.Equal(0, CliHarness.Run("experiment", "gamma-quadratic", "--quick", "--seeds", "1", "--steps", "150", "--out", c).ExitCode);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, Csv)), File.ReadAllBytes(Path.Combine(c, Csv)));
    }

    [Fact]
    public void A_run_stopped_at_a_job_boundary_and_a_cut_short_job_file_resume_to_the_uninterrupted_csv()
    {
        string whole = Uninterrupted();
        string folder = Path.Combine(TempDirectory.Create(), "stopped");
        using var stop = new CancellationTokenSource();
        int finished = 0;
        var first = new StringWriter();
        var options = new ExperimentOptions(folder, Quick: true, new Progress(p => { if (p.Status != "starting" && ++finished == 7) stop.Cancel(); }), first)
        {
            Seeds = 2, Steps = 150, Threads = 2, Cancellation = stop.Token,
        };
        Assert.ThrowsAny<OperationCanceledException>(() => ExperimentCatalog.Find("gamma-quadratic")!.Run(options));
        Assert.False(File.Exists(Path.Combine(folder, Csv)));
        var jobs = Directory.GetFiles(Path.Combine(folder, JobRunner.JobsFolder), "*.csv").Order(StringComparer.Ordinal).ToArray();
        Assert.InRange(jobs.Length, 7, 8); // the jobs running when it stopped finish and are kept
        Assert.All(jobs, j => Assert.True(JobRunner.TryRead(j, out _), j));

        // A job file cut short (as a kill during a write would leave it, were it not renamed into place): it is redone.
        string cut = jobs[0];
        var bytes = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        Assert.False(JobRunner.TryRead(cut, out _));

        var log = new StringWriter();
        var resumed = ExperimentCatalog.Find("gamma-quadratic")!.Run(new ExperimentOptions(folder, Quick: true, null, log) { Seeds = 2, Steps = 150, Resume = true });
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, Csv)), File.ReadAllBytes(Path.Combine(folder, Csv)));
        string text = log.ToString();
        // Every whole job was read back, not redone; the cut one ran again; the rest ran once.
        Assert.Equal(jobs.Length - 1, text.Split('\n').Count(l => l.StartsWith("resume: ", StringComparison.Ordinal) && l.Contains("read back", StringComparison.Ordinal)));
        Assert.Contains("was cut short; running it again", text);
        Assert.Equal(20 - (jobs.Length - 1), text.Split('\n').Count(l => l.StartsWith("done ", StringComparison.Ordinal)));
        Assert.Contains(resumed.Files, f => f.EndsWith(Csv, StringComparison.Ordinal));
    }

    // The process test kills a run of laplace-logreg (6 estimators x 2 seeds = 12 jobs of about a second each): the
    // gamma toy's small jobs all finish within a fraction of a second of the first, too fast to be caught mid-way.
    private static readonly string[] Killed = ["laplace-logreg", "--quick", "--seeds", "2", "--steps", "4"];
    private const string KilledCsv = "laplace-logreg.csv";

    [Fact]
    public void A_killed_cli_process_resumes_to_the_uninterrupted_csv()
    {
        string seriesc = RepositoryCli();
        string whole = Path.Combine(TempDirectory.Create(), "whole");
        var uninterrupted = CliHarness.Run(["experiment", .. Killed, "--out", whole]);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Err);
        string folder = Path.Combine(TempDirectory.Create(), "killed");
        string jobsFolder = Path.Combine(folder, JobRunner.JobsFolder);
        using (var process = Process.Start(Start(seriesc, folder, "--threads", "1"))!)
        {
            var watch = Stopwatch.StartNew();
            // Kill it once three jobs are on disk, well before the twelfth.
            while (!(Directory.Exists(jobsFolder) && Directory.GetFiles(jobsFolder, "*.csv").Length >= 3))
            {
                if (process.HasExited) Assert.Fail("the run ended before it could be killed: " + process.StandardError.ReadToEnd());
                Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), "no job finished in 3 minutes");
                Thread.Sleep(10);
            }
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.NotEqual(0, process.ExitCode);
        }
        Assert.False(File.Exists(Path.Combine(folder, KilledCsv)));
        int kept = Directory.GetFiles(jobsFolder, "*.csv").Count(j => JobRunner.TryRead(j, out _));
        Assert.InRange(kept, 3, 11);

        // Without --resume the folder's jobs are not thrown away: the run refuses, saying how to continue.
        using (var again = Process.Start(Start(seriesc, folder))!)
        {
            string refused = again.StandardError.ReadToEnd();
            again.WaitForExit();
            Assert.Equal(ExitCodes.InputError, again.ExitCode);
            Assert.Contains("--resume", refused);
        }

        using (var resume = Process.Start(Start(seriesc, folder, "--resume"))!)
        {
            string err = resume.StandardError.ReadToEnd();
            resume.WaitForExit();
            Assert.True(resume.ExitCode == 0, err);
            Assert.Contains($"resume: {kept} of 12 jobs already done", err);
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, KilledCsv)), File.ReadAllBytes(Path.Combine(folder, KilledCsv)));
    }

    [Fact]
    public void A_resume_with_other_options_is_refused()
    {
        string folder = Path.Combine(TempDirectory.Create(), "run");
        string jobs = Path.Combine(folder, JobRunner.JobsFolder);
        Directory.CreateDirectory(jobs);
        File.WriteAllText(Path.Combine(jobs, "run.txt"), "gamma-quadratic quick=True dims=1 10 seeds=2 steps=999 every=9 lr=0.001\n");
        var result = Cli(folder, "--resume");
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("started with other options", result.Err);
        Assert.Contains("steps=999", result.Err);
    }

    [Theory]
    [InlineData("--seeds", "0", "--seeds must be between 1 and 1000; got 0")]
    [InlineData("--steps", "0", "--steps must be between 1 and 100000000; got 0")]
    [InlineData("--threads", "300", "--threads must be between 1 and 256; got 300")]
    [InlineData("--lr", "0", "--lr must be in (0, 1]; got 0")]
    [InlineData("--lr", "1.5", "--lr must be in (0, 1]; got 1.5")]
    [InlineData("--data", "omniglot", "--data must be full or shipped; got 'omniglot'")]
    public void An_option_out_of_bounds_is_a_usage_error_naming_it(string option, string value, string message)
    {
        var watch = Stopwatch.StartNew();
        var result = CliHarness.Run("experiment", "gamma-quadratic", option, value, "--out", Path.Combine(TempDirectory.Create(), "x"));
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(message, result.Err);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10)); // refused before any work
    }

    [Theory]
    [InlineData("gamma-exp", "--data", "shipped", "takes no --data")]
    [InlineData("laplace-logreg", "--epochs", "3", "not --epochs")]
    public void An_option_an_experiment_has_no_use_for_is_refused(string name, string option, string value, string message)
    {
        var result = CliHarness.Run("experiment", name, "--quick", option, value, "--out", Path.Combine(TempDirectory.Create(), "x"));
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains(message, result.Err);
        Assert.DoesNotContain("   at ", result.Err);
    }

    [Fact]
    public void A_full_discrete_run_without_mnist_fails_clearly_instead_of_falling_back_to_the_shipped_digits()
    {
        string seriesc = RepositoryCli();
        // The cache below a plain file: it cannot be created, so the 10,000 digits cannot be had (and npm is not run).
        string file = Path.Combine(TempDirectory.Create(), "plain");
        File.WriteAllText(file, "");
        string folder = Path.Combine(TempDirectory.Create(), "sbn");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { seriesc, "experiment", "sbn-bernoulli", "--seeds", "1", "--out", folder }) start.ArgumentList.Add(a);
        start.Environment["SERIESC_CACHE"] = Path.Combine(file, "cache");
        using var process = Process.Start(start)!;
        string err = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(ExitCodes.InputError, process.ExitCode);
        Assert.Contains("MNIST's 10,000 digits are not available", err);
        Assert.Contains("--data shipped", err);
        Assert.False(Directory.Exists(Path.Combine(folder, JobRunner.JobsFolder)), "no job ran");
    }

    private static ProcessStartInfo Start(string seriesc, string folder, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        string[] args = [seriesc, "experiment", .. Killed, "--out", folder, .. extra];
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>
    /// The repository's seriesc (src/Cli/bin/CONFIG/net10.0), which loads the experiments from experiments/ beside it; the
    /// test project's build builds it (a project reference). The seriesc.dll beside the tests has no experiments.
    /// </summary>
    private static string RepositoryCli()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/X/bin/CONFIG/TFM
        string framework = bin.Name, configuration = bin.Parent!.Name;
        for (var dir = bin; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SeriesCompiler.sln")))
            {
                string cli = Path.Combine(dir.FullName, "src", "Cli", "bin", configuration, framework, "seriesc.dll");
                Assert.True(File.Exists(cli) && Directory.Exists(Path.Combine(Path.GetDirectoryName(cli)!, "experiments")), $"build src/Cli ({configuration}) first: {cli}");
                return cli;
            }
        throw new InvalidOperationException("the repository root (SeriesCompiler.sln) is not above the test binaries");
    }

    /// <summary>Reports on the calling thread, at once.</summary>
    private sealed class Progress(Action<ExperimentProgress> report) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value) => report(value);
    }
}
