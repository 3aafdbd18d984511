using Subvol.Cli.Tests.Infrastructure;
using Subvol.Testing;

namespace Subvol.Cli.Tests;

/// <summary>
/// An older subvol registered pools at a symbolic link, and mounted their images where the link leads; such a pool
/// still exports, from where it is mounted, though no pool is made or imported at a link any more.
/// </summary>
public sealed class LinkedPoolExportTests(PoolFixture pool) : IClassFixture<PoolFixture>
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
}
