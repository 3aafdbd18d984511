namespace Subvol.Linux;

/// <summary>
/// The per-filesystem XFS error knobs in /sys/fs/xfs/DEVICE/error/ (Documentation/admin-guide/xfs.rst,
/// "Error handling"): how long metadata writeback retries on ENOSPC before the filesystem shuts
/// down, and whether unmount gives up on errors instead of hanging.
/// </summary>
public static class XfsErrorBehaviour
{
    /// <param name="devicePath">The block device the filesystem is mounted from, such as /dev/loop3.</param>
    /// <param name="noSpaceRetrySeconds">Seconds to keep retrying metadata writes that fail with ENOSPC; -1 retries forever.</param>
    public static void Configure(string devicePath, int noSpaceRetrySeconds, bool failAtUnmount)
    {
        var root = Path.Combine("/sys/fs/xfs", Path.GetFileName(devicePath), "error");
        Write(Path.Combine(root, "fail_at_unmount"), failAtUnmount ? "1" : "0");
        // Bound the retries by time, not by count: -1 retries lets the timeout alone decide.
        Write(Path.Combine(root, "metadata", "ENOSPC", "max_retries"), "-1");
        Write(Path.Combine(root, "metadata", "ENOSPC", "retry_timeout_seconds"), noSpaceRetrySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static string Read(string devicePath, string relativePath) =>
        File.ReadAllText(Path.Combine("/sys/fs/xfs", Path.GetFileName(devicePath), "error", relativePath)).Trim();

    private static void Write(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot set {path} to {value}: {exception.Message}", exception);
        }
    }
}
