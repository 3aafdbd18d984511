using System.Runtime.Versioning;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>
/// Nothing in a pool is readable by anyone but root, from the moment it is made; check finds
/// modes that let others in, and repair takes them away again.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PrivacyTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;
    private const UnixFileMode Passable = PrivateDirectory | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    [RootFact]
    public void An_unprivileged_user_reads_nothing_of_a_pool_with_data_a_snapshot_and_a_partial_receive()
    {
        pool.Create("secret", "300M");
        var mountPoint = pool.Mount("secret");
        File.WriteAllText(Path.Combine(mountPoint, "diary"), "the secret word is marmalade\n");
        pool.Unmount("secret");
        pool.Run("snapshot", "secret@one").ShouldSucceed();
        var streams = pool.NewDirectory("privacy-streams");
        var stream = Path.Combine(streams, "one.stream");
        pool.Run("send", "secret@one", "-o", stream).ShouldSucceed();
        var truncated = Path.Combine(streams, "truncated.stream");
        using (var from = File.OpenRead(stream))
        using (var to = File.Create(truncated))
        {
            var buffer = new byte[from.Length / 2];
            from.ReadExactly(buffer);
            to.Write(buffer);
        }

        // The pool must not hold the snapshot it receives: the sent one goes, and another stays.
        pool.Run("destroy", "secret@one").ShouldSucceed();
        pool.Run("snapshot", "secret@two").ShouldSucceed();
        pool.Run("receive", "copy", "-f", truncated).ShouldFailWith(8);

        // Everything above the pool lets the user pass, so that only the pool's own modes stand in the way.
        File.SetUnixFileMode(pool.Root, Passable);
        var entries = Tools.Run("find", pool.PoolPath, "-xdev").ShouldSucceed().Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(path => path != pool.PoolPath).ToList();
        Assert.Contains(pool.SubvolumeImage("secret"), entries);
        Assert.Contains(pool.SnapshotImage("secret", "two"), entries);
        Assert.Contains(Path.Combine(pool.PoolPath, "incoming", "copy.receiving"), entries);
        Assert.Contains(Path.Combine(pool.PoolPath, ".subvol", "pool.db"), entries);

        foreach (var entry in entries.Append(pool.PoolPath))
        {
            var expected = Directory.Exists(entry)
                ? entry == pool.PoolPath || entry == Path.Combine(pool.PoolPath, "mounts") ? Passable : PrivateDirectory
                : Private;
            Assert.True(File.GetUnixFileMode(entry) == expected, $"{entry} has mode {File.GetUnixFileMode(entry)}, not {expected}");
        }

        // Each entry is tried by the unprivileged user: a directory listed, a file read; every one must fail.
        var readable = Tools.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c",
            "for entry; do if [ -d \"$entry\" ]; then ls \"$entry\" >/dev/null 2>&1 && echo \"$entry\"; else head -c 1 \"$entry\" >/dev/null 2>&1 && echo \"$entry\"; fi; done; exit 0",
            "sh", pool.PoolPath, .. entries]).ShouldSucceed();
        Assert.True(readable.Stdout.Length == 0, $"an unprivileged user could read these: {readable.Stdout}");
        var grep = Tools.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "grep", "-a", "-c", "marmalade", pool.SubvolumeImage("secret"));
        Assert.NotEqual(0, grep.ExitCode);
        Assert.Contains("Permission denied", grep.Stderr);

        pool.Run("receive", "--abort", "copy").ShouldSucceed();
    }

    [RootFact]
    public void Check_reports_modes_that_let_others_in_and_repair_makes_them_private_again()
    {
        pool.Create("loose", "300M");
        pool.Run("snapshot", "loose@before").ShouldSucceed();
        var subvolumes = Path.Combine(pool.PoolPath, "subvolumes");
        var image = pool.SubvolumeImage("loose");
        var snapshot = pool.SnapshotImage("loose", "before");
        var database = Path.Combine(pool.PoolPath, ".subvol", "pool.db");
        var readable = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(subvolumes, PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(image, readable);
        File.SetUnixFileMode(database, readable);
        // An immutable snapshot cannot have its mode changed, not even by root, until the mark is taken off.
        Tools.Run("chattr", "-i", snapshot).ShouldSucceed();
        File.SetUnixFileMode(snapshot, readable);
        Tools.Run("chattr", "+i", snapshot).ShouldSucceed();

        var check = pool.Run("check");
        Assert.Equal(10, check.ExitCode);
        foreach (var path in new[] { subvolumes, image, snapshot, database })
        {
            Assert.Contains($"repairable: {path} has mode", check.Stdout);
        }

        pool.Run("check", "--repair").ShouldSucceed();
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(subvolumes));
        Assert.Equal(Private, File.GetUnixFileMode(image));
        Assert.Equal(Private, File.GetUnixFileMode(database));
        Assert.Equal(Private, File.GetUnixFileMode(snapshot));
        Assert.Contains("i", Tools.Run("lsattr", "-d", snapshot).ShouldSucceed().Stdout.Split(' ')[0]);
        pool.Run("check").ShouldSucceed();
    }
}
