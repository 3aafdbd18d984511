using System.Globalization;
using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.Replication;

/// <summary>What the replication tests do again and again: write data, send, receive, and prove the copy exact.</summary>
internal static class Replica
{
    public const long KiB = 1 << 10;
    public const long MiB = 1 << 20;

    /// <summary>
    /// The received snapshot is byte for byte the source snapshot (cmp), and its filesystem is
    /// clean: xfs_repair -n -f for XFS, e2fsck -fn for ext4 (both read-only, so the immutable image is fine).
    /// </summary>
    public static void AssertSameSnapshot(ReplicationPool source, ReplicationPool destination, string subvolume, string snapshot, string fileSystem = "xfs", string? destinationSubvolume = null)
    {
        var sent = source.SnapshotImage(subvolume, snapshot);
        var received = destination.SnapshotImage(destinationSubvolume ?? subvolume, snapshot);
        Assert.True(File.Exists(received), $"{received} should exist after the receive");
        Assert.Equal(new FileInfo(sent).Length, new FileInfo(received).Length);
        var cmp = Tools.RunWithTimeout(TimeSpan.FromSeconds(300), "cmp", sent, received);
        Assert.True(cmp.ExitCode == 0, $"{subvolume}@{snapshot}: the received image differs from the sent one: {cmp}");
        AssertCleanFileSystem(received, fileSystem, Path.Combine(Path.GetDirectoryName(destination.Path)!, "scratch", "fsck"));
    }

    /// <summary>After a receive moved it, the subvolume's image is byte for byte the snapshot's (cmp).</summary>
    public static void AssertSubvolumeHolds(ReplicationPool pool, string subvolume, string snapshot)
    {
        var cmp = Tools.Run("cmp", pool.SnapshotImage(subvolume, snapshot), pool.SubvolumeImage(subvolume));
        Assert.True(cmp.ExitCode == 0, $"subvolume {subvolume} should hold {subvolume}@{snapshot}: {cmp}");
    }

    /// <summary>
    /// A snapshot of a mounted subvolume is taken frozen, so its log or journal may still want
    /// replaying (DESIGN.md, "Freezing"); -n refuses to trust such a log. So the check runs on a
    /// sparse copy that was mounted once (nouuid: the original may be mounted) to replay the log:
    /// xfs_repair -n -f for XFS, e2fsck -fn for ext4.
    /// </summary>
    public static void AssertCleanFileSystem(string image, string fileSystem, string scratch)
    {
        Directory.CreateDirectory(scratch);
        var copy = Path.Combine(scratch, System.Guid.NewGuid().ToString("N") + ".img");
        var mountPoint = copy + ".mnt";
        Directory.CreateDirectory(mountPoint);
        try
        {
            CopySparse(image, copy);
            Tools.Run("mount", "-o", fileSystem == "ext4" ? "loop" : "loop,nouuid", copy, mountPoint).ShouldSucceed();
            Tools.Run("umount", mountPoint).ShouldSucceed();
            Assert.True(Waiting.Eventually(() => !Kernel.LoopDevices().Any(loop => loop.BackingFile == copy), TimeSpan.FromSeconds(10)), $"the loop device of {copy} should go away after umount");
            var check = fileSystem == "ext4"
                ? Tools.RunWithTimeout(TimeSpan.FromSeconds(300), "e2fsck", "-f", "-n", copy)
                : Tools.RunWithTimeout(TimeSpan.FromSeconds(300), "xfs_repair", "-n", "-f", copy);
            Assert.True(check.ExitCode == 0, $"{image}: the filesystem is not clean (checked on a copy after replaying its log): {check}");
        }
        finally
        {
            if (Kernel.MountAt(mountPoint) is not null)
            {
                Tools.Run("umount", "-l", mountPoint);
            }

            File.Delete(copy);
            Directory.Delete(mountPoint);
        }
    }

    /// <summary>subvol send into a file; asserts success and returns the file.</summary>
    public static string Send(ReplicationPool source, string directory, string target, string? from = null, string compression = "none")
    {
        var file = Path.Combine(directory, $"{target.Replace('@', '_')}{(from is null ? "" : "-from-" + from.Replace('@', '_'))}.{compression}.stream");
        List<string> arguments = ["send", target, "--compress", compression, "-o", file];
        if (from is not null)
        {
            arguments.AddRange(["--from", from]);
        }

        source.Run([.. arguments]).ShouldSucceed();
        Assert.True(File.Exists(file), $"send should write {file}");
        return file;
    }

    public static CliResult Receive(ReplicationPool destination, string subvolume, string file) =>
        destination.Run("receive", subvolume, "-f", file);

    /// <summary>Asks the destination for the token of its interrupted receive into <paramref name="subvolume"/>, and sends the rest into a file.</summary>
    public static string SendRest(ReplicationPool source, ReplicationPool destination, string directory, string subvolume)
    {
        var token = destination.Run("receive", "--resume-token", subvolume).ShouldSucceed().Stdout.Trim();
        var rest = Path.Combine(directory, $"{subvolume}-rest.stream");
        source.Run("send", "--resume", token, "-o", rest).ShouldSucceed();
        return rest;
    }

    /// <summary>Sends (full or from a base) into a file, receives it, and proves the copy exact.</summary>
    public static string Replicate(ReplicationPool source, ReplicationPool destination, string directory, string subvolume, string snapshot, string? fromSnapshot = null, string fileSystem = "xfs", string compression = "none")
    {
        var file = Send(source, directory, $"{subvolume}@{snapshot}", fromSnapshot is null ? null : $"{subvolume}@{fromSnapshot}", compression);
        Receive(destination, subvolume, file).ShouldSucceed();
        AssertSameSnapshot(source, destination, subvolume, snapshot, fileSystem);
        return file;
    }

    /// <summary>Writes random bytes at random (unaligned) offsets of a file, some beyond its end, and fsyncs it; returns the bytes written.</summary>
    public static long WriteAtRandomOffsets(string path, Random random, int writes, long maxOffset, int maxLength)
    {
        long total = 0;
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        for (var i = 0; i < writes; i++)
        {
            var length = random.Next(1, maxLength + 1);
            var offset = random.NextInt64(0, maxOffset);
            var buffer = new byte[length];
            random.NextBytes(buffer);
            RandomAccess.Write(stream.SafeFileHandle, buffer, offset);
            total += length;
        }

        stream.Flush(flushToDisk: true);
        return total;
    }

    /// <summary>
    /// Rewrites distinct, aligned blocks of an existing file chosen at random, with an fsync after
    /// each write (the worst case for the inner filesystem's log); returns the bytes rewritten.
    /// </summary>
    public static long RewriteRandomBlocks(string path, Random random, int blocks, int blockSize)
    {
        var length = new FileInfo(path).Length;
        var slots = (int)(length / blockSize);
        Assert.True(slots >= blocks, $"{path} has only {slots} blocks of {blockSize} bytes");
        var chosen = new HashSet<int>();
        while (chosen.Count < blocks)
        {
            chosen.Add(random.Next(slots));
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
        var buffer = new byte[blockSize];
        foreach (var slot in chosen)
        {
            random.NextBytes(buffer);
            RandomAccess.Write(stream.SafeFileHandle, buffer, (long)slot * blockSize);
            stream.Flush(flushToDisk: true);
        }

        return (long)blocks * blockSize;
    }

    /// <summary>Makes a file of random data (seeded, so a failure can be replayed), fsynced.</summary>
    public static void WriteRandomFile(string path, Random random, long bytes)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var buffer = new byte[1 << 20];
        for (long written = 0; written < bytes; written += buffer.Length)
        {
            var count = (int)Math.Min(buffer.Length, bytes - written);
            random.NextBytes(buffer.AsSpan(0, count));
            stream.Write(buffer, 0, count);
        }

        stream.Flush(flushToDisk: true);
    }

    public static void PunchHole(string path, long offset, long length) =>
        Tools.Run("fallocate", "-p", "-o", offset.ToString(CultureInfo.InvariantCulture), "-l", length.ToString(CultureInfo.InvariantCulture), path).ShouldSucceed();

    public static CliResult Fstrim(string mountPoint) => Tools.Run("fstrim", "-v", mountPoint).ShouldSucceed();

    public static void SyncFileSystem(string mountPoint) => Tools.Run("sync", "-f", mountPoint).ShouldSucceed();

    public static JsonElement Begin(List<JsonElement> records) => records[0];

    public static JsonElement End(List<JsonElement> records) => records[^1];

    public static IEnumerable<JsonElement> OfKind(List<JsonElement> records, string kind) =>
        records.Where(record => record.GetProperty("record").GetString() == kind);

    /// <summary>Bytes the host actually allocated to a file (st_blocks × 512).</summary>
    public static long AllocatedBytes(string path) =>
        long.Parse(Tools.Run("stat", "-c", "%b", path).ShouldSucceed().Stdout.Trim(), CultureInfo.InvariantCulture) * 512;

    /// <summary>Copies a file with its holes (cp --sparse=always), so a scratch copy of an image costs little.</summary>
    public static void CopySparse(string from, string to) => Tools.Run("cp", "--sparse=always", from, to).ShouldSucceed();
}
