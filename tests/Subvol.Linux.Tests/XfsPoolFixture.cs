namespace Subvol.Linux.Tests;

/// <summary>
/// A 512 MiB sparse XFS with reflink, on a loop device, mounted in a temporary directory on the host;
/// the host's own filesystem cannot reflink, so the tests that need it work here.
/// </summary>
public sealed class XfsPoolFixture : IDisposable
{
    private const long ImageSize = 512L << 20;

    public XfsPoolFixture()
    {
        Root = Directory.CreateTempSubdirectory("subvol-linux-tests-").FullName;
        MountPoint = Path.Combine(Root, "pool");
        Image = Path.Combine(Root, "pool.img");
        if (!Capabilities.CanUseLoopDevices)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(MountPoint);
            Scratch.NewSparseFile(Root, "pool.img", ImageSize);
            Tools.MakeXfs(Image, "subvoltest", reflink: true);
            using var loop = LoopDevice.Attach(Image, readOnly: false, directIo: true, autoClear: true);
            Mounts.Mount(loop.DevicePath, MountPoint, "xfs", MountFlags.None, null);
            DevicePath = loop.DevicePath;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>A directory on the host filesystem holding the image, the mount point and host-side files.</summary>
    public string Root { get; }

    public string Image { get; }

    public string MountPoint { get; }

    public string DevicePath { get; } = string.Empty;

    /// <summary>A new empty directory inside the XFS for one test.</summary>
    public string NewDirectory()
    {
        var directory = Path.Combine(MountPoint, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>A new empty directory on the host filesystem (not reflink-capable) for one test.</summary>
    public string NewHostDirectory()
    {
        var directory = Path.Combine(Root, "host-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    public void Dispose()
    {
        var cleanUp = new DirectoryCleanUp(Root);
        cleanUp.ReleaseLeftovers();
        cleanUp.DeleteDirectory();
        cleanUp.AssertNothingLeft();
    }
}
