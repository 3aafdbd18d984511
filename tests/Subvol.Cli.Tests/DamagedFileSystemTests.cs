using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>
/// A subvolume whose filesystem the kernel will not mount is refused with where to read why and how to check the image
/// without changing it, and nothing of the attempt stays attached or mounted.
/// </summary>
public sealed class DamagedFileSystemTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    [RootTheory]
    [InlineData("xfs", 0, "xfs_repair -n")]
    [InlineData("ext4", 1080, "e2fsck -fn")]
    public void A_subvolume_whose_superblock_is_damaged_is_refused_with_how_to_check_its_image(string fileSystem, long magicOffset, string check)
    {
        var name = $"damaged-{fileSystem}";
        pool.Create(name, fileSystem == "xfs" ? "300M" : "48M", fileSystem);
        var image = pool.SubvolumeImage(name);
        using (var file = new FileStream(image, FileMode.Open, FileAccess.Write))
        {
            // The primary superblock's magic number: neither filesystem mounts without it.
            file.Position = magicOffset;
            file.Write("DAMAGED!"u8);
        }

        var result = pool.Run("mount", name).ShouldFailWith(1);

        Assert.Contains($"cannot mount {name} at ", result.Stderr);
        Assert.Contains("'dmesg | tail' shows why the kernel refused it", result.Stderr);
        Assert.Contains($"'{check} {image}' checks the image without changing it", result.Stderr);
        Assert.Null(Kernel.MountAt(Path.Combine(pool.PoolPath, "mounts", name)));
        Assert.DoesNotContain(Kernel.LoopsUnder(pool.Root), loop => loop.BackingFile == image);
    }
}
