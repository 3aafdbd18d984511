using System.Globalization;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>Runs the field's own tools (blkid, xfs_repair, df, fsfreeze, …) and small shell snippets.</summary>
public static class Tools
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    public static CliResult Run(string program, params string[] arguments) => RunWithTimeout(DefaultTimeout, program, arguments);

    public static CliResult RunWithTimeout(TimeSpan timeout, string program, params string[] arguments)
    {
        using var child = ChildProcess.Start(program, arguments);
        return child.Finish(timeout);
    }

    public static CliResult Bash(string script) => Run("/bin/bash", "-c", script);

    /// <summary>The filesystem UUID in an image or device, read from the superblock (no cache).</summary>
    public static string FileSystemUuid(string imageOrDevice)
    {
        var result = Run("blkid", "-p", "-s", "UUID", "-o", "value", imageOrDevice).ShouldSucceed();
        var uuid = result.Stdout.Trim();
        Assert.False(string.IsNullOrEmpty(uuid), $"no UUID found: {result}");
        return uuid;
    }

    /// <summary>The size in bytes that df reports for the filesystem mounted at a directory.</summary>
    public static long DfSize(string mountPoint)
    {
        var result = Run("df", "-B1", "--output=size", mountPoint).ShouldSucceed();
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(lines[^1].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Whether the filesystem at a mount point is frozen, asked without blocking: FIFREEZE on a
    /// frozen filesystem fails with EBUSY at once; on a live one it succeeds and is undone at once.
    /// </summary>
    public static bool IsFrozen(string mountPoint)
    {
        var freeze = Run("fsfreeze", "-f", mountPoint);
        if (freeze.ExitCode == 0)
        {
            Run("fsfreeze", "-u", mountPoint);
            return false;
        }

        Assert.True(freeze.Stderr.Contains("busy", StringComparison.OrdinalIgnoreCase), $"fsfreeze failed for another reason than 'frozen already': {freeze}");
        return true;
    }
}
