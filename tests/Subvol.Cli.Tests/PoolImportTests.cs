using Subvol.Cli.Tests.Infrastructure;
using Subvol.Testing;

namespace Subvol.Cli.Tests;

/// <summary>A pool image is mounted once: importing it again under another path is refused before anything is attached or made.</summary>
public sealed class PoolImportTests(PoolFixture pool) : IClassFixture<PoolFixture>
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
}
