using System.Diagnostics;

namespace Subvol.Linux.Tests;

public sealed class ResolvedPathTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-resolved-");

    [Fact]
    public void ALinkInTheMiddleIsResolvedAsRealpathResolvesIt()
    {
        var real = Directory.CreateDirectory(Path.Combine(_directory.FullName, "real", "pool")).FullName;
        var link = Path.Combine(_directory.FullName, "link");
        File.CreateSymbolicLink(link, Path.Combine(_directory.FullName, "real"));

        var resolved = ResolvedPath.Of(Path.Combine(link, "pool") + "/");

        Assert.Equal(RealpathTool(real), resolved);
        Assert.Equal(RealpathTool(Path.Combine(link, "pool")), resolved);
        Assert.Equal(resolved, ResolvedPath.Of(resolved));
    }

    [Fact]
    public void TheMissingPartOfAPathIsAppendedToItsResolvedParent()
    {
        Directory.CreateDirectory(Path.Combine(_directory.FullName, "real"));
        var link = Path.Combine(_directory.FullName, "link");
        File.CreateSymbolicLink(link, Path.Combine(_directory.FullName, "real"));
        var missing = Path.Combine(link, "not", "yet");

        var resolved = ResolvedPath.Of(missing);

        Assert.EndsWith("/real/not/yet", resolved, StringComparison.Ordinal);
        Assert.Equal(RealpathTool(missing), resolved);
    }

    [Fact]
    public void ALinkLoopIsASystemCallErrorNamingRealpathAndThePath()
    {
        var loop = Path.Combine(_directory.FullName, "loop");
        File.CreateSymbolicLink(loop, loop);

        var exception = Assert.Throws<SystemCallException>(() => ResolvedPath.Of(Path.Combine(loop, "pool")));

        Assert.Equal(Errno.ELOOP, exception.Errno);
        Assert.Contains("realpath", exception.Message, StringComparison.Ordinal);
        Assert.Contains(loop, exception.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>What coreutils' realpath says, missing parts allowed: the answer this layer must agree with.</summary>
    private static string RealpathTool(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("realpath", ["-m", "--", path]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd().TrimEnd('\n');
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
