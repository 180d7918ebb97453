using System.Diagnostics;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Issue 18, items 6 and 8: declaration files are read by bytes read with a bound, special files (FIFOs, devices)
/// are refused before a blocking open, and "\r", "\r\n" and "\n" all end a line.
/// </summary>
public class InputFileTests
{
    private const string Body = "distribution A(a > 0) {{{0}    support real{0}    cgf(t) = a*t^2{0}}}{0}";

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Every_line_ending_separates_statements(string eol)
    {
        var workspace = Workspace.Create([new SourceText("a.dist", string.Format(Body, eol))]);
        Assert.Empty(workspace.Diagnostics);
        var declaration = Assert.Single(workspace.Distributions);
        var (rule, diagnostics) = workspace.Derive(declaration, 2);
        Assert.NotNull(rule);
        Assert.DoesNotContain(diagnostics, d => d.IsError);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Diagnostics_name_the_right_line_and_column_with_every_line_ending(string eol)
    {
        // The dangling '+' is on line 3; the expression is missing at the end of that line (column 19).
        string text = $"distribution A(a) {{{eol}    support real{eol}    cgf(t) = a*t +{eol}}}{eol}";
        var workspace = Workspace.Create([new SourceText("a.dist", text)]);
        var error = Assert.Single(workspace.Diagnostics, d => d.IsError);
        Assert.Equal((3, 19), (error.Line, error.Column));
    }

    [Fact]
    public void A_comment_ends_at_a_lone_carriage_return()
    {
        var workspace = Workspace.Create([new SourceText("a.dist", "# a comment\rdistribution A(a > 0) {\r    support real # here too\r    cgf(t) = a*t^2\r}\r")]);
        Assert.Empty(workspace.Diagnostics);
        Assert.Single(workspace.Distributions);
    }

    [Fact]
    public void The_line_map_counts_each_ending_once()
    {
        var text = new SourceText("a.dist", "a\r\nb\rc\nd");
        Assert.Equal((1, 1), text.GetLineColumn(0));
        Assert.Equal((2, 1), text.GetLineColumn(3));
        Assert.Equal((3, 1), text.GetLineColumn(5));
        Assert.Equal((4, 1), text.GetLineColumn(7));
        Assert.Equal((1, 2), text.GetLineColumn(1)); // the '\r' of "\r\n" is the end of line 1
    }

    [Fact]
    public void A_device_is_refused_without_reading_it()
    {
        if (OperatingSystem.IsWindows()) return;
        var watch = Stopwatch.StartNew();
        var ex = Assert.Throws<IOException>(() => SourceText.FromFile("/dev/zero"));
        Assert.Contains("character device", ex.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        var cli = CliHarness.Run("check", "/dev/zero");
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("'/dev/zero'", cli.Err);
        Assert.Contains("not a regular file", cli.Err);
    }

    [Fact]
    public async Task A_fifo_is_refused_instead_of_blocking()
    {
        if (OperatingSystem.IsWindows()) return;
        string fifo = Path.Combine(TempDirectory.Create(), "pipe.dist");
        MakeFifo(fifo);
        // Opening a FIFO with no writer would block for ever; the test runs on a task so that a regression fails it.
        foreach (var args in new[] { new[] { "check", fifo }, ["coefficients", fifo], ["estimate", fifo, "--at", "a=1", "--f", "z"], ["compile", fifo, "--out", TempDirectory.Create()] })
        {
            var run = Task.Run(() => CliHarness.Run(args));
            var result = await run.WaitAsync(TimeSpan.FromSeconds(30)); // throws TimeoutException if it hung
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("FIFO", result.Err);
            Assert.Contains("pipe.dist", result.Err);
        }
    }

    [Fact]
    public void The_bound_counts_bytes_read_not_the_reported_length()
    {
        // An endless stream that claims length 0, as /dev/zero does: refused after the limit, not read for ever.
        var ex = Assert.Throws<IOException>(() => SourceText.ReadBounded(new EndlessZeros(), 1 << 20));
        Assert.Contains("limited to 1 MiB", ex.Message);
        Assert.Equal(new string('\0', 1 << 20), SourceText.ReadBounded(new EndlessZeros(1 << 20), 1 << 20)); // the limit itself is fine

        // Longer than any first buffer, with and without a length to size it from: read whole, decoded as UTF-8
        // (or as the byte-order mark says).
        var text = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"# line {i} \u00e9\u4e2d\n"));
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        Assert.Equal(text, SourceText.ReadBounded(new MemoryStream(utf8), 1 << 23));
        Assert.Equal(text, SourceText.ReadBounded(new BufferedStream(new UnseekableStream(utf8)), 1 << 23));
        var utf16 = System.Text.Encoding.Unicode.GetPreamble().Concat(System.Text.Encoding.Unicode.GetBytes(text)).ToArray();
        Assert.Equal(text, SourceText.ReadBounded(new UnseekableStream(utf16), 1 << 23));
        Assert.Throws<IOException>(() => SourceText.ReadBounded(new UnseekableStream(utf8), utf8.Length - 1));
        Assert.Equal(text, SourceText.ReadBounded(new UnseekableStream(utf8), utf8.Length));

        string path = Path.Combine(TempDirectory.Create(), "big.dist");
        using (var stream = File.Create(path)) stream.SetLength(SourceText.MaxFileBytes + 1);
        Assert.Contains("64 MiB", Assert.Throws<IOException>(() => SourceText.FromFile(path)).Message);
    }

    /// <summary>These bytes, no length to size a buffer from, and at most 1,000 of them per read (short reads).</summary>
    private sealed class UnseekableStream(byte[] bytes) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 1000), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class EndlessZeros(long length = long.MaxValue) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => 0;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Encodings_read_as_before()
    {
        string dir = TempDirectory.Create();
        string bom = Path.Combine(dir, "bom.dist");
        File.WriteAllBytes(bom, [0xEF, 0xBB, 0xBF, (byte)'#', (byte)'\u00e9']);
        Assert.Equal("#\uFFFD", SourceText.FromFile(bom).Text); // BOM dropped; an invalid byte becomes U+FFFD
        string utf16 = Path.Combine(dir, "utf16.dist");
        File.WriteAllText(utf16, "# é\n", new System.Text.UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        Assert.Equal("# é\n", SourceText.FromFile(utf16).Text);
    }

    internal static void MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
