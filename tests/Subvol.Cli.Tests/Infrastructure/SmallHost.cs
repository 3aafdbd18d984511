using System.Globalization;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>
/// A small XFS host filesystem of a test's own, loop-mounted under its test directory, so that the
/// test can fill it from outside Subvol without touching anyone else's space. Dispose exports the
/// pools made on or from it and unmounts it; the test area's clean-up then checks for leftovers.
/// </summary>
public sealed class SmallHost : IDisposable
{
    private readonly List<string> _pools = [];

    public SmallHost(string directory, string configurationDirectory, string size)
    {
        Image = directory + ".img";
        MountPoint = directory;
        ConfigurationDirectory = configurationDirectory;
        using (var file = new FileStream(Image, FileMode.CreateNew, FileAccess.Write))
        {
            file.SetLength(long.Parse(size, CultureInfo.InvariantCulture));
        }

        Tools.Run("mkfs.xfs", "-q", "-m", "reflink=1", Image).ShouldSucceed();
        Directory.CreateDirectory(MountPoint);
        Tools.Run("mount", "-o", "loop", Image, MountPoint).ShouldSucceed();
        Device = Path.GetFileName(Kernel.MountAt(MountPoint)!.Source);
    }

    public string Image { get; }

    public string MountPoint { get; }

    /// <summary>The loop device the host filesystem is on, as the kernel log names it (loopN).</summary>
    public string Device { get; }

    public string ConfigurationDirectory { get; }

    public string Filler => Path.Combine(MountPoint, "filler");

    public long Available => new DriveInfo(MountPoint).AvailableFreeSpace;

    /// <summary>A command line for a pool this test makes; Dispose exports the pool.</summary>
    public SubvolCli PoolCli(string poolPath)
    {
        _pools.Add(poolPath);
        return new SubvolCli(ConfigurationDirectory, poolPath);
    }

    /// <summary>Fills the host from outside Subvol, leaving about <paramref name="leave"/> bytes, or none at all.</summary>
    public void Fill(long leave = 0)
    {
        var size = Math.Max(0, Available - leave).ToString(CultureInfo.InvariantCulture);
        if (leave > 0)
        {
            Tools.Run("fallocate", "-l", size, Filler).ShouldSucceed();
            return;
        }

        // fallocate stops short of the last blocks; dd takes what is left.
        Tools.Run("fallocate", "-l", size, Filler);
        Tools.Bash($"dd if=/dev/zero of='{Filler}' bs=64k oflag=append conv=notrunc status=none 2>/dev/null; sync -f '{MountPoint}'");
    }

    public void Empty() => File.Delete(Filler);

    public void Dispose()
    {
        File.Delete(Filler);
        foreach (var pool in _pools)
        {
            if (Kernel.MountAt(pool) is not null || Pool.Exists(pool))
            {
                new SubvolCli(ConfigurationDirectory, null).Run("pool", "export", pool);
            }
        }

        if (Tools.Run("umount", MountPoint).ExitCode != 0)
        {
            Tools.Run("umount", "-l", MountPoint);
        }
    }
}
