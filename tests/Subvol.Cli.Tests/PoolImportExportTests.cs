using Subvol.Cli.Tests.Infrastructure;
using Subvol.Testing;

namespace Subvol.Cli.Tests;

/// <summary>
/// A pool image is mounted once: importing it again under another path is refused before anything is attached or made;
/// and an export that another filesystem mounted inside the pool would stop says which one.
/// </summary>
public sealed class PoolImportExportTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    [RootFact]
    public void Importing_an_image_mounted_as_another_pool_is_refused_naming_where_it_is_mounted_and_nothing_is_made()
    {
        var first = Path.Combine(pool.Root, "import-first");
        var second = Path.Combine(pool.Root, "import-second");
        var image = Path.Combine(pool.Root, "import-first.img");
        pool.Run("pool", "create", first, "--image", image, "--size", "1G", "--sparse").ShouldSucceed();
        try
        {
            var result = pool.Run("pool", "import", second, "--image", image).ShouldFailWith(5);

            Assert.Contains($"pool image {image} is already attached to /dev/loop", result.Stderr);
            Assert.Contains($"and mounted at {first}; mounting it a second time would corrupt it", result.Stderr);
            Assert.Contains($"subvol pool export {first}", result.Stderr);
            Assert.False(Directory.Exists(second));
            Assert.Single(Kernel.LoopsUnder(pool.Root), loop => loop.BackingFile == image);
            Assert.DoesNotContain(File.ReadAllLines(Path.Combine(pool.ConfigurationDirectory, "pools")), line => line.StartsWith(second, StringComparison.Ordinal));
        }
        finally
        {
            pool.Run("pool", "export", first);
        }
    }

    [RootFact]
    public void Importing_a_pool_whose_image_no_longer_mounts_names_the_image_and_how_to_check_it_and_leaves_nothing_attached()
    {
        var directory = Path.Combine(pool.Root, "import-damaged");
        var image = Path.Combine(pool.Root, "import-damaged.img");
        pool.Run("pool", "create", directory, "--image", image, "--size", "1G", "--sparse").ShouldSucceed();
        pool.Run("pool", "export", directory).ShouldSucceed();
        using (var file = new FileStream(image, FileMode.Open, FileAccess.Write))
        {
            // The primary superblock's magic number: XFS refuses the filesystem without it.
            file.Write("DAMAGED!"u8);
        }

        var result = pool.Run("pool", "import", directory, "--image", image).ShouldFailWith(1);

        Assert.Contains($"cannot mount pool image {image} at {directory}", result.Stderr);
        Assert.Contains("'dmesg | tail' shows why the kernel refused it", result.Stderr);
        Assert.Contains($"'xfs_repair -n {image}' checks the image without changing it", result.Stderr);
        Assert.Null(Kernel.MountAt(directory));
        Assert.DoesNotContain(Kernel.LoopsUnder(pool.Root), loop => loop.BackingFile == image);
    }

    [RootFact]
    public void A_pool_whose_filesystem_shut_down_is_named_as_such_and_export_unmounts_it_so_that_it_can_be_checked_and_imported_again()
    {
        var directory = Path.Combine(pool.Root, "shut-down");
        var image = Path.Combine(pool.Root, "shut-down.img");
        pool.Run("pool", "create", directory, "--image", image, "--size", "1G", "--sparse").ShouldSucceed();
        pool.Run("create", "kept", "--size", "300M", "--pool", directory).ShouldSucceed();
        pool.Run("mount", "kept", "--pool", directory).ShouldSucceed();
        var subvolumeImage = Path.Combine(directory, "subvolumes", "kept.img");
        // What XFS does after an error it cannot recover from: every later access fails with EIO.
        Tools.Run("xfs_io", "-x", "-c", "shutdown", directory).ShouldSucceed();

        foreach (var command in new[] { new[] { "list", "--pool", directory }, ["pool", "import", directory] })
        {
            var refused = pool.Run(command).ShouldFailWith(1);

            Assert.Contains($"the filesystem of pool {directory} fails every access", refused.Stderr);
            Assert.Contains($"export the pool ('subvol pool export {directory}'), check its image with 'xfs_repair -n {image}'", refused.Stderr);
        }

        pool.Run("pool", "export", directory).ShouldSucceed();

        Assert.Null(Kernel.MountAt(directory));
        Assert.Null(Kernel.MountAt(Path.Combine(directory, "mounts", "kept")));
        Assert.DoesNotContain(Kernel.LoopsUnder(pool.Root), loop => loop.BackingFile == image || loop.BackingFile == subvolumeImage);
        pool.Run("pool", "import", directory).ShouldSucceed();
        Assert.Contains("kept", pool.Run("list", "--pool", directory).ShouldSucceed().Stdout);
        pool.Run("pool", "export", directory).ShouldSucceed();
    }

    [RootFact]
    public void A_guard_of_every_pool_still_guards_the_others_when_one_pool_has_failed_and_names_it()
    {
        var failed = Path.Combine(pool.Root, "guard-failed");
        var healthy = Path.Combine(pool.Root, "guard-healthy");
        pool.Run("pool", "create", failed, "--image", failed + ".img", "--size", "1G", "--sparse").ShouldSucceed();
        pool.Run("pool", "create", healthy, "--image", healthy + ".img", "--size", "1G", "--sparse").ShouldSucceed();
        try
        {
            pool.Run("create", "watched", "--size", "300M", "--provisioning", "thin", "--pool", healthy).ShouldSucceed();
            pool.Run("mount", "watched", "--pool", healthy).ShouldSucceed();
            Tools.Run("xfs_io", "-x", "-c", "shutdown", failed).ShouldSucceed();

            // A critical size no host has free: every mounted thin subvolume is to be stopped writing.
            var result = pool.Run("guard", "--all", "--once", "--critical", "100T", "--json");

            // As for auto, the report of what was done comes with the exit status that says not all of it could be.
            Assert.True(result.ExitCode == 1, $"a pool that could not be guarded makes the pass exit 1: {result}");

            using var document = System.Text.Json.JsonDocument.Parse(result.Stdout);
            var actions = document.RootElement.GetProperty("actions").EnumerateArray().ToList();
            Assert.Contains(actions, action => action.GetProperty("pool").GetString() == healthy && action.GetProperty("subvolume").GetString() == "watched");
            var failure = Assert.Single(document.RootElement.GetProperty("failures").EnumerateArray());
            Assert.Equal(failed, failure.GetProperty("pool").GetString());
            Assert.Contains($"the filesystem of pool {failed} fails every access", failure.GetProperty("error").GetString());
            Assert.Contains("\"failed\"", pool.Run("pool", "list", "--json").ShouldSucceed().Stdout);
        }
        finally
        {
            pool.Run("pool", "export", healthy);
            pool.Run("pool", "export", failed);
        }
    }

    [RootFact]
    public void A_pool_whose_image_was_deleted_while_mounted_is_warned_about_and_not_exported_until_the_image_is_copied_back()
    {
        var directory = Path.Combine(pool.Root, "image-deleted");
        var image = directory + ".img";
        pool.Run("pool", "create", directory, "--image", image, "--size", "1G", "--sparse").ShouldSucceed();
        try
        {
            pool.Run("create", "precious", "--size", "300M", "--pool", directory).ShouldSucceed();
            pool.Run("mount", "precious", "--pool", directory).ShouldSucceed();
            var data = Path.Combine(directory, "mounts", "precious", "only-copy.txt");
            File.WriteAllText(data, "the only copy");
            pool.Run("umount", "precious", "--pool", directory).ShouldSucceed();
            File.Delete(image);
            var device = Kernel.MountAt(directory)!.Source;

            var listed = pool.Run("list", "--pool", directory).ShouldSucceed();
            var refused = pool.Run("pool", "export", directory).ShouldFailWith(5);

            var deleted = $"the image {image} of pool {directory} was deleted while the pool is mounted: the pool lives on only in {device}";
            Assert.Contains(deleted, listed.Stderr);
            Assert.Contains(deleted, refused.Stderr);
            Assert.Contains($"cp --sparse=always {device} {image}", refused.Stderr);
            Assert.NotNull(Kernel.MountAt(directory));

            Tools.Bash($"fsfreeze -f '{directory}' && cp --sparse=always '{device}' '{image}'; fsfreeze -u '{directory}'").ShouldSucceed();
            pool.Run("pool", "export", directory).ShouldSucceed();
            pool.Run("pool", "import", directory).ShouldSucceed();
            pool.Run("mount", "precious", "--pool", directory).ShouldSucceed();
            Assert.Equal("the only copy", File.ReadAllText(data));
        }
        finally
        {
            pool.Run("pool", "export", directory);
        }
    }

    [RootFact]
    public void A_subvolume_image_deleted_while_mounted_is_neither_unmounted_nor_forgotten_until_it_is_copied_back()
    {
        const string name = "deleted-live";
        pool.Run("create", name, "--size", "300M").ShouldSucceed();
        var mountPoint = pool.Mount(name);
        var data = Path.Combine(mountPoint, "only-copy.txt");
        File.WriteAllText(data, "the only copy");
        var image = pool.SubvolumeImage(name);
        File.Delete(image);
        var device = Kernel.MountAt(mountPoint)!.Source;
        var deleted = $"was deleted while it is attached: it lives on only in {device}";

        var repair = pool.Run("check", "--repair");

        Assert.Contains($"the image {image} (subvolume ", repair.Stdout);
        Assert.Contains(deleted, repair.Stdout);
        Assert.Contains(name, pool.Run("list").ShouldSucceed().Stdout);
        Assert.Contains(deleted, pool.Run("umount", name).ShouldFailWith(5).Stderr);
        Assert.Contains(deleted, pool.Run("umount", mountPoint).ShouldFailWith(5).Stderr);
        Assert.Contains(deleted, pool.Run("pool", "export", pool.PoolPath).ShouldFailWith(5).Stderr);
        Assert.NotNull(Kernel.MountAt(mountPoint));

        Tools.Bash($"fsfreeze -f '{mountPoint}' && cp --sparse=always '{device}' '{image}'; fsfreeze -u '{mountPoint}'").ShouldSucceed();
        pool.Run("umount", mountPoint).ShouldSucceed();
        pool.Run("check", "--repair").ShouldSucceed();
        pool.Mount(name);
        Assert.Equal("the only copy", File.ReadAllText(data));
        pool.Run("umount", name).ShouldSucceed();
        pool.Run("delete", name).ShouldSucceed();
    }

    [RootFact]
    public void A_watching_guard_of_every_pool_takes_up_a_pool_imported_while_it_runs()
    {
        var later = Path.Combine(pool.Root, "guard-later");
        // A critical size no host has free: every mounted thin subvolume of a guarded pool is to be stopped writing.
        using var guard = pool.Track(pool.Cli.Start(null, "guard", "--all", "--interval", "1", "--critical", "100T"));
        try
        {
            pool.Run("pool", "create", later, "--image", later + ".img", "--size", "1G", "--sparse").ShouldSucceed();
            pool.Run("create", "watched-later", "--size", "300M", "--provisioning", "thin", "--pool", later).ShouldSucceed();
            pool.Run("mount", "watched-later", "--pool", later).ShouldSucceed();

            Assert.True(
                Waiting.Eventually(() => guard.Stderr.Contains($"pool {later}: ", StringComparison.Ordinal) && guard.Stderr.Contains("watched-later", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
                $"the guard should act in a pool imported after it started: {guard.Stderr}");
        }
        finally
        {
            guard.Signal("TERM");
            guard.WaitForExit(TimeSpan.FromSeconds(30));
            pool.Run("pool", "export", later);
        }
    }

    [RootFact]
    public void Export_of_a_pool_with_another_filesystem_mounted_inside_is_refused_naming_it_and_leaves_the_pool_imported()
    {
        var directory = Path.Combine(pool.Root, "export-inside");
        pool.Run("pool", "create", directory, "--image", Path.Combine(pool.Root, "export-inside.img"), "--size", "1G", "--sparse").ShouldSucceed();
        var foreign = Path.Combine(directory, "mounts", "foreign");
        try
        {
            Directory.CreateDirectory(foreign);
            Tools.Run("mount", "-t", "tmpfs", "subvol-test-foreign", foreign).ShouldSucceed();

            var result = pool.Run("pool", "export", directory).ShouldFailWith(5);

            Assert.Contains($"pool {directory} has other filesystems mounted inside it: {foreign} (tmpfs); unmount them, then export again", result.Stderr);
            Assert.NotNull(Kernel.MountAt(directory));
            pool.Run("list", "--pool", directory).ShouldSucceed();
            Tools.Run("umount", foreign).ShouldSucceed();
            pool.Run("pool", "export", directory).ShouldSucceed();
            Assert.Null(Kernel.MountAt(directory));
        }
        finally
        {
            if (Kernel.MountAt(foreign) is not null)
            {
                Tools.Run("umount", foreign);
            }

            if (Kernel.MountAt(directory) is not null)
            {
                pool.Run("pool", "export", directory);
            }
        }
    }
}
