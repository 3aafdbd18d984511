using System.Runtime.Versioning;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>
/// A symbolic link planted anywhere in a pool's layout is refused by every verb that would reach it,
/// reported by check, and left alone by repair; the file or directory it points to, outside the
/// pool, keeps its content, mode and attributes.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PlantedLinkTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const string Content = "a file outside the pool\n";
    private const UnixFileMode OutsideMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [RootFact]
    public void A_link_in_place_of_a_subvolume_image_is_refused_and_reported_and_its_target_is_untouched()
    {
        pool.Create("linked", "300M");
        var image = pool.SubvolumeImage("linked");
        var outside = OutsideFile("subvolume-image");
        File.Move(image, image + ".kept");
        File.CreateSymbolicLink(image, outside);
        try
        {
            foreach (var verb in new[] { new[] { "list" }, ["df"], ["snapshot", "linked@s"], ["mount", "linked"], ["resize", "linked", "400M"], ["delete", "linked"] })
            {
                AssertRefused(pool.Run(verb), image);
            }

            AssertReportedAndLeftByRepair(image);
            AssertUntouched(outside);
        }
        finally
        {
            File.Delete(image);
            File.Move(image + ".kept", image);
        }

        pool.Run("delete", "linked").ShouldSucceed();
    }

    [RootFact]
    public void A_link_in_place_of_a_snapshot_directory_is_refused_and_reported_and_what_it_points_to_is_untouched()
    {
        pool.Create("dirlinked", "300M");
        pool.Run("snapshot", "dirlinked@s1").ShouldSucceed();
        var directory = Path.GetDirectoryName(pool.SnapshotImage("dirlinked", "s1"))!;
        var outsideDirectory = pool.NewDirectory("outside-snapshots");
        var outside = Path.Combine(outsideDirectory, "s1.img");
        WriteOutside(outside);
        // Kept beside the layout, where check looks for nothing, so that repair has no orphan to remove.
        var kept = Path.Combine(pool.PoolPath, "dirlinked.kept");
        Directory.Move(directory, kept);
        Directory.CreateSymbolicLink(directory, outsideDirectory);
        try
        {
            foreach (var verb in new[] { new[] { "destroy", "dirlinked@s1" }, ["mount", "dirlinked@s1"], ["snapshot", "dirlinked@s2"], ["delete", "--recursive", "dirlinked"], ["list", "-t", "snapshot"], ["send", "dirlinked@s1", "-o", Path.Combine(outsideDirectory, "stream")] })
            {
                AssertRefused(pool.Run(verb), directory);
            }

            AssertReportedAndLeftByRepair(directory);
            AssertUntouched(outside);
        }
        finally
        {
            File.Delete(directory);
            Directory.Move(kept, directory);
        }

        pool.Run("delete", "--recursive", "dirlinked").ShouldSucceed();
    }

    [RootFact]
    public void A_link_in_place_of_a_snapshot_image_is_never_deleted_through_nor_marked_immutable()
    {
        pool.Create("imagelinked", "300M");
        pool.Run("snapshot", "imagelinked@s1").ShouldSucceed();
        var image = pool.SnapshotImage("imagelinked", "s1");
        var outside = OutsideFile("snapshot-image");
        Tools.Run("chattr", "-i", image).ShouldSucceed();
        File.Move(image, image + ".kept");
        File.CreateSymbolicLink(image, outside);
        try
        {
            foreach (var verb in new[] { new[] { "destroy", "imagelinked@s1" }, ["mount", "imagelinked@s1"], ["rollback", "imagelinked@s1"], ["clone", "imagelinked@s1", "fromlink"], ["delete", "--recursive", "imagelinked"] })
            {
                AssertRefused(pool.Run(verb), image);
            }

            AssertReportedAndLeftByRepair(image);
            AssertUntouched(outside);
        }
        finally
        {
            File.Delete(image);
            File.Move(image + ".kept", image);
        }

        pool.Run("delete", "--recursive", "imagelinked").ShouldSucceed();
    }

    [RootFact]
    public void Links_in_incoming_and_the_metadata_directory_are_reported_and_left_for_a_person_to_remove()
    {
        var outside = OutsideFile("incoming");
        var partial = Path.Combine(pool.PoolPath, "incoming", "0123456789abcdef0123456789abcdef.partial");
        var reserve = Path.Combine(pool.PoolPath, ".subvol", "freezes", "planted");
        File.CreateSymbolicLink(partial, outside);
        File.CreateSymbolicLink(reserve, outside);
        try
        {
            var check = pool.Run("check");
            Assert.Contains($"{partial} is a symbolic link", check.Stdout);
            Assert.Contains($"{reserve} is a symbolic link", check.Stdout);
            pool.Run("check", "--repair");
            Assert.NotNull(new FileInfo(partial).LinkTarget);
            Assert.NotNull(new FileInfo(reserve).LinkTarget);
            AssertUntouched(outside);

            // Discarding a receive removes the link in place of its stream, never the file it points to.
            var receiving = Path.Combine(pool.PoolPath, "incoming", "planted.receiving");
            File.CreateSymbolicLink(receiving, outside);
            Assert.Contains($"{receiving} is a symbolic link", pool.Run("check").Stdout);
            pool.Run("receive", "--abort", "planted").ShouldSucceed();
            Assert.False(File.Exists(receiving) || new FileInfo(receiving).LinkTarget is not null, $"{receiving} should be gone");
            AssertUntouched(outside);
        }
        finally
        {
            File.Delete(partial);
            File.Delete(reserve);
        }
    }

    [RootFact]
    public void Links_in_place_of_the_lock_and_the_freeze_directory_are_refused_and_what_they_point_to_is_untouched()
    {
        pool.Create("frozenlink", "300M");
        pool.Mount("frozenlink");
        var freezes = Path.Combine(pool.PoolPath, ".subvol", "freezes");
        var outsideDirectory = pool.NewDirectory("outside-freezes");
        var outside = Path.Combine(outsideDirectory, "kept");
        WriteOutside(outside);
        Directory.Delete(freezes);
        Directory.CreateSymbolicLink(freezes, outsideDirectory);
        try
        {
            // A snapshot of a mounted subvolume writes a freeze record before it freezes anything.
            AssertRefused(pool.Run("snapshot", "frozenlink@s"), freezes);
            Assert.Equal([outside], Directory.GetFileSystemEntries(outsideDirectory));
            Assert.False(Tools.IsFrozen(pool.DefaultMountPoint("frozenlink")));
            AssertReportedAndLeftByRepair(freezes);
            AssertUntouched(outside);
        }
        finally
        {
            File.Delete(freezes);
            Directory.CreateDirectory(freezes, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var lockFile = Path.Combine(pool.PoolPath, ".subvol", "lock");
        var outsideLock = OutsideFile("lock");
        File.Delete(lockFile);
        File.CreateSymbolicLink(lockFile, outsideLock);
        try
        {
            AssertRefused(pool.Run("create", "another", "--size", "300M"), lockFile);
            AssertRefused(pool.Run("umount", "frozenlink"), lockFile);
            AssertUntouched(outsideLock);
        }
        finally
        {
            File.Delete(lockFile);
        }

        pool.Unmount("frozenlink");
        pool.Run("delete", "frozenlink").ShouldSucceed();
    }

    [RootFact]
    public void A_link_in_place_of_a_mount_point_is_never_mounted_onto()
    {
        pool.Create("mountlinked", "300M");
        var mountPoint = pool.DefaultMountPoint("mountlinked");
        var outsideDirectory = pool.NewDirectory("outside-mount");
        var outside = Path.Combine(outsideDirectory, "kept");
        WriteOutside(outside);
        Directory.CreateSymbolicLink(mountPoint, outsideDirectory);
        try
        {
            AssertRefused(pool.Run("mount", "mountlinked"), mountPoint);
            Assert.Null(Kernel.MountAt(outsideDirectory));
            AssertReportedAndLeftByRepair(mountPoint);
            AssertUntouched(outside);
        }
        finally
        {
            File.Delete(mountPoint);
        }

        pool.Run("delete", "mountlinked").ShouldSucceed();
    }

    private static void AssertRefused(CliResult result, string link)
    {
        Assert.True(result.ExitCode != 0, $"a verb that meets the link {link} must not succeed: {result}");
        Assert.True(result.Stderr.Contains(link, StringComparison.Ordinal) && result.Stderr.Contains("subvol check", StringComparison.Ordinal),
            $"the error should name {link} and tell to run 'subvol check': {result}");
    }

    private void AssertReportedAndLeftByRepair(string link)
    {
        var check = pool.Run("check");
        Assert.Equal(10, check.ExitCode);
        Assert.Contains($"needs you: {link} is a symbolic link", check.Stdout);
        var repair = pool.Run("check", "--repair");
        Assert.Contains($"needs you: {link} is a symbolic link", repair.Stdout);
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    private string OutsideFile(string name)
    {
        var path = Path.Combine(pool.NewDirectory("outside-" + name), "victim");
        WriteOutside(path);
        return path;
    }

    private static void WriteOutside(string path)
    {
        File.WriteAllText(path, Content);
        File.SetUnixFileMode(path, OutsideMode);
    }

    private static void AssertUntouched(string path)
    {
        Assert.True(File.Exists(path), $"{path} outside the pool was deleted");
        Assert.Equal(Content, File.ReadAllText(path));
        Assert.Equal(OutsideMode, File.GetUnixFileMode(path));
        var attributes = Tools.Run("lsattr", "-d", path).ShouldSucceed().Stdout.Split(' ')[0];
        Assert.DoesNotContain("i", attributes);
    }
}
