using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.CommandInput;

/// <summary>Verbs take the paths people type: the pool's directory for pool status, a mount point for umount.</summary>
public sealed class PathArgumentTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    [RootFact]
    public void Pool_status_takes_the_pool_directory_on_a_machine_that_knows_no_pool()
    {
        var bare = new SubvolCli(pool.NewDirectory("status-config"), defaultPool: null);

        var result = bare.Run("pool", "status", pool.PoolPath + "/").ShouldSucceed();

        Assert.Contains(pool.PoolPath, result.Stdout);
    }

    [RootFact]
    public void Check_takes_the_pool_directory_on_a_machine_that_knows_no_pool()
    {
        var bare = new SubvolCli(pool.NewDirectory("check-config"), defaultPool: null);

        var result = bare.Run("check", pool.PoolPath).ShouldSucceed();

        Assert.Equal($"pool {pool.PoolPath} is consistent\n", result.Stdout);
    }

    [RootFact]
    public void Pool_status_refuses_a_path_and_another_pool_option()
    {
        var other = pool.NewDirectory("other-pool");
        var result = pool.Run("--pool", other, "pool", "status", pool.PoolPath).ShouldFailWith(2);

        Assert.Contains(other, result.Stderr);
        Assert.Contains(pool.PoolPath, result.Stderr);
    }

    [RootFact]
    public void Pool_export_refuses_a_path_and_another_pool_option_and_exports_nothing()
    {
        var other = pool.NewDirectory("other-export");
        pool.Run("--pool", other, "pool", "export", pool.PoolPath).ShouldFailWith(2);

        Assert.NotNull(Kernel.MountAt(pool.PoolPath));
    }

    [RootFact]
    public void Umount_of_the_directory_given_to_mount_at_unmounts_the_subvolume()
    {
        pool.Create("path-home", "320M");
        var at = pool.NewDirectory("path-home-at");
        pool.Run("mount", "path-home", "--at", at).ShouldSucceed();
        Assert.NotNull(Kernel.MountAt(at));

        pool.Run("umount", at + "/").ShouldSucceed();

        Assert.Null(Kernel.MountAt(at));
        pool.Run("delete", "path-home").ShouldSucceed();
    }

    [RootFact]
    public void Umount_json_of_a_directory_says_where_it_unmounted()
    {
        pool.Create("path-json", "320M");
        var at = pool.NewDirectory("path-json-at");
        pool.Run("mount", "path-json", "--at", at).ShouldSucceed();

        var result = pool.Run("umount", at + "/", "--json").ShouldSucceed();

        using var document = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.True(document.RootElement.GetProperty("changed").GetBoolean());
        Assert.Equal(at, document.RootElement.GetProperty("mountpoint").GetString());
        Assert.Null(Kernel.MountAt(at));
        pool.Run("delete", "path-json").ShouldSucceed();
    }

    [RootFact]
    public void Umount_of_a_snapshot_mount_point_unmounts_the_snapshot()
    {
        pool.Create("path-snap", "320M");
        pool.Run("snapshot", "path-snap@s").ShouldSucceed();
        var at = pool.NewDirectory("path-snap-at");
        pool.Run("mount", "path-snap@s", "--at", at).ShouldSucceed();

        var result = pool.Run("umount", at).ShouldSucceed();

        Assert.Equal($"unmounted {at}\n", result.Stdout);
        Assert.Null(Kernel.MountAt(at));
        pool.Run("delete", "--recursive", "path-snap").ShouldSucceed();
    }

    [RootFact]
    public void Umount_of_the_default_mount_point_by_its_path_removes_that_directory()
    {
        pool.Create("path-default", "320M");
        var mountPoint = pool.Mount("path-default");

        pool.Run("umount", mountPoint).ShouldSucceed();

        Assert.Null(Kernel.MountAt(mountPoint));
        Assert.False(Directory.Exists(mountPoint));
        pool.Run("delete", "path-default").ShouldSucceed();
    }

    [RootFact]
    public void A_mount_point_named_through_a_symbolic_link_is_the_directory_it_leads_to_for_mount_and_umount()
    {
        pool.Create("path-link", "320M");
        var real = pool.NewDirectory("path-link-real");
        var link = Path.Combine(pool.NewDirectory("path-link-links"), "to-real");
        File.CreateSymbolicLink(link, real);
        var at = Path.Combine(real, "at");
        var throughLink = Path.Combine(link, "at");
        try
        {
            Assert.Contains($"mounted path-link at {at}", pool.Run("mount", "path-link", "--at", throughLink).ShouldSucceed().Stdout);

            // Again through the link, and by its real name: the same mount point, already holding the subvolume.
            pool.Run("mount", "path-link", "--at", throughLink + "/").ShouldSucceed();
            pool.Run("mount", "path-link", "--at", at).ShouldSucceed();
            Assert.Single(Kernel.MountsUnder(real));
            Assert.Contains(at, pool.Run("list", "--json").ShouldSucceed().Stdout);

            pool.Run("umount", throughLink).ShouldSucceed();

            Assert.Empty(Kernel.MountsUnder(real));
        }
        finally
        {
            foreach (var mount in Kernel.MountsUnder(real).Reverse())
            {
                Tools.Run("umount", mount.Target);
            }

            pool.Run("delete", "path-link");
        }
    }

    [RootTheory]
    [InlineData("file")]
    [InlineData("loop")]
    public void Mount_at_a_path_that_leads_nowhere_exits_2_and_says_why(string kind)
    {
        var name = "path-nowhere-" + kind;
        pool.Create(name, "320M");
        var directory = pool.NewDirectory(name);
        var blocker = Path.Combine(directory, "blocker");
        if (kind == "file")
        {
            File.WriteAllText(blocker, "a file, not a directory");
        }
        else
        {
            File.CreateSymbolicLink(blocker, blocker);
        }

        var given = Path.Combine(blocker, "at");
        var before = Kernel.MountsUnder(pool.PoolPath);
        try
        {
            var result = pool.Run("mount", name, "--at", given).ShouldFailWith(2);

            Assert.Contains($"{given} cannot be a mount point", result.Stderr);
            Assert.Contains(kind == "file" ? "ENOTDIR" : "ELOOP", result.Stderr);
            Assert.Empty(Kernel.MountsUnder(directory));
            Assert.Equal(before, Kernel.MountsUnder(pool.PoolPath));
        }
        finally
        {
            pool.Run("delete", name);
        }
    }

    [RootFact]
    public void Umount_of_a_directory_with_nothing_mounted_exits_3()
    {
        var empty = pool.NewDirectory("path-empty");

        var result = pool.Run("umount", empty).ShouldFailWith(3);

        Assert.Contains($"nothing is mounted at {empty}", result.Stderr);
    }

    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mount_onto_a_directory_holding_another_filesystem_exits_5_and_mounts_nothing_over_it(bool defaultMountPoint)
    {
        var name = defaultMountPoint ? "over-default" : "over-at";
        pool.Create(name, "320M");
        var foreign = defaultMountPoint ? Path.Combine(pool.PoolPath, "mounts", name) : pool.NewDirectory("path-foreign-" + name);
        Directory.CreateDirectory(foreign);
        Tools.Run("mount", "-t", "tmpfs", "subvol-test-foreign", foreign).ShouldSucceed();
        try
        {
            string[] at = defaultMountPoint ? [] : ["--at", foreign];

            var result = pool.Run(["mount", name, .. at]).ShouldFailWith(5);

            Assert.Contains($"{foreign} already has subvol-test-foreign (tmpfs) mounted on it", result.Stderr);
            Assert.Equal("tmpfs", Assert.Single(Kernel.MountsUnder(foreign)).FileSystemType);
        }
        finally
        {
            foreach (var mount in Kernel.MountsUnder(foreign).Reverse())
            {
                Tools.Run("umount", mount.Target);
            }

            pool.Run("delete", name);
        }
    }

    [RootTheory]
    [InlineData("incoming", false)]
    [InlineData(".subvol/freezes", false)]
    [InlineData("mounts", false)]
    [InlineData("subvolumes", false)]
    [InlineData("snapshots", false)]
    [InlineData("", false)]
    [InlineData("incoming", true)]
    public void Mount_at_a_directory_of_the_pools_own_layout_exits_2_and_mounts_nothing(string inside, bool throughLink)
    {
        var name = "layout-" + (throughLink ? "link" : inside.Replace('/', '-').Replace('.', '-').TrimStart('-'));
        pool.Create(name, "320M");
        var target = Path.Combine(pool.PoolPath, inside).TrimEnd('/');
        Directory.CreateDirectory(target);
        var given = target;
        if (throughLink)
        {
            given = Path.Combine(pool.NewDirectory("layout-links"), "incoming");
            File.CreateSymbolicLink(given, target);
        }

        // The pool's root is the one of these with a mount of its own: the pool's.
        var before = Kernel.MountsUnder(pool.PoolPath);
        try
        {
            var result = pool.Run("mount", name, "--at", given).ShouldFailWith(2);

            Assert.Contains($"is part of pool {pool.PoolPath}'s own layout, where nothing is mounted", result.Stderr);
            Assert.Equal(before, Kernel.MountsUnder(pool.PoolPath));
        }
        finally
        {
            foreach (var added in Kernel.MountsUnder(pool.PoolPath).Except(before).Reverse())
            {
                Tools.Run("umount", added.Target);
            }

            pool.Run("delete", name);
        }
    }

    [RootFact]
    public void Umount_of_a_directory_holding_another_filesystem_exits_2_and_leaves_it_mounted()
    {
        var foreign = pool.NewDirectory("path-foreign");
        Tools.Run("mount", "-t", "tmpfs", "subvol-test-foreign", foreign).ShouldSucceed();
        try
        {
            var result = pool.Run("umount", foreign).ShouldFailWith(2);

            Assert.Contains("leaving it alone", result.Stderr);
            Assert.NotNull(Kernel.MountAt(foreign));
        }
        finally
        {
            Tools.Run("umount", foreign);
        }
    }
}
