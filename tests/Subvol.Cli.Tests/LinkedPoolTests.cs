using Subvol.Cli.Tests.Infrastructure;
using Subvol.Testing;

namespace Subvol.Cli.Tests;

/// <summary>
/// An older subvol registered pools at or beneath a symbolic link, and the kernel mounted their images where the link
/// leads; such a pool still knows what is mounted and still exports, though no pool is made or imported there any more.
/// </summary>
public sealed class LinkedPoolTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    [RootFact]
    public void A_pool_registered_at_a_symbolic_link_exports_and_is_unmounted_where_the_link_leads()
    {
        var directory = Path.Combine(pool.Root, "linked-real");
        var image = Path.Combine(pool.Root, "linked-real.img");
        var link = Path.Combine(pool.Root, "linked");
        pool.Run("pool", "create", directory, "--image", image, "--size", "1G", "--sparse").ShouldSucceed();
        try
        {
            File.CreateSymbolicLink(link, directory);
            // As the older subvol wrote it: the pool under the link's name.
            var registry = Path.Combine(pool.ConfigurationDirectory, "pools");
            File.WriteAllLines(registry, File.ReadAllLines(registry).Select(line => line.StartsWith(directory + "\t", StringComparison.Ordinal) ? link + line[directory.Length..] : line));
            Assert.NotNull(Kernel.MountAt(directory));

            pool.Run("pool", "export", link).ShouldSucceed();

            Assert.Null(Kernel.MountAt(directory));
            Assert.Contains(File.ReadAllLines(registry), line => line == $"{link}\t{image}\texported");
        }
        finally
        {
            if (Kernel.MountAt(directory) is not null)
            {
                pool.Run("pool", "export", directory);
                Tools.Run("umount", directory);
            }

            File.Delete(link);
        }
    }

    [RootFact]
    public void A_pool_registered_beneath_a_symbolic_link_finds_its_subvolumes_mounts_and_never_mounts_one_twice()
    {
        var real = Path.Combine(pool.Root, "beneath-real");
        var directory = Path.Combine(real, "pool");
        var image = Path.Combine(pool.Root, "beneath-real.img");
        var link = Path.Combine(pool.Root, "beneath");
        var linked = Path.Combine(link, "pool");
        pool.Run("pool", "create", directory, "--image", image, "--size", "1G", "--sparse").ShouldSucceed();
        try
        {
            File.CreateSymbolicLink(link, real);
            var registry = Path.Combine(pool.ConfigurationDirectory, "pools");
            File.WriteAllLines(registry, File.ReadAllLines(registry).Select(line => line.StartsWith(directory + "\t", StringComparison.Ordinal) ? linked + line[directory.Length..] : line));
            pool.Run("create", "a", "--size", "320M", "--pool", linked).ShouldSucceed();

            pool.Run("mount", "a", "--pool", linked).ShouldSucceed();
            pool.Run("mount", "a", "--pool", linked).ShouldSucceed();

            Assert.Single(Kernel.MountsUnder(directory), mount => mount.Target == Path.Combine(directory, "mounts", "a"));
            Assert.Contains(Path.Combine(directory, "mounts", "a"), pool.Run("list", "--json", "--pool", linked).ShouldSucceed().Stdout);
            pool.Run("delete", "a", "--pool", linked).ShouldFailWith(5);
            pool.Run("unmount", "a", "--pool", linked).ShouldSucceed();
            Assert.Empty(Kernel.MountsUnder(Path.Combine(directory, "mounts")));
            pool.Run("pool", "export", linked).ShouldSucceed();
            Assert.Null(Kernel.MountAt(directory));
        }
        finally
        {
            foreach (var mount in Kernel.MountsUnder(directory).OrderByDescending(mount => mount.Target.Length))
            {
                Tools.Run("umount", mount.Target);
            }

            if (Kernel.MountAt(directory) is not null)
            {
                Tools.Run("umount", directory);
            }

            File.Delete(link);
        }
    }
}
