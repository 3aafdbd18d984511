using System.Runtime.Versioning;

namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class ReflinkTests(XfsPoolFixture pool)
{
    [RootFact]
    public void CloneFileSharesEveryPhysicalExtentWithItsSource()
    {
        var directory = pool.NewDirectory();
        var source = Path.Combine(directory, "source");
        var clone = Path.Combine(directory, "clone");
        var data = new byte[3 << 20];
        Random.Shared.NextBytes(data);
        File.WriteAllBytes(source, data);

        Reflink.CloneFile(source, clone);

        Assert.Equal(data, File.ReadAllBytes(clone));
        var original = ExtentMap.Read(source);
        var cloned = ExtentMap.Read(clone);
        Assert.NotEmpty(original);
        Assert.Equal(original.Select(e => (e.Logical, e.Physical, e.Length)), cloned.Select(e => (e.Logical, e.Physical, e.Length)));
        Assert.All(cloned, extent => Assert.True(extent.Flags.HasFlag(ExtentFlags.Shared)));
        Assert.True(cloned[^1].Flags.HasFlag(ExtentFlags.Last));
    }

    [RootFact]
    public void ClonedFileIsPrivateMode0600()
    {
        var directory = pool.NewDirectory();
        var source = Path.Combine(directory, "source");
        File.WriteAllBytes(source, new byte[4096]);

        Reflink.CloneFile(source, Path.Combine(directory, "clone"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "clone")));
    }

    [RootFact]
    public void CloneFileRefusesAnExistingDestination()
    {
        var directory = pool.NewDirectory();
        var source = Path.Combine(directory, "source");
        var existing = Path.Combine(directory, "existing");
        File.WriteAllBytes(source, new byte[4096]);
        File.WriteAllText(existing, "keep");

        var exception = Assert.Throws<SystemCallException>(() => Reflink.CloneFile(source, existing));

        Assert.Equal(Errno.EEXIST, exception.Errno);
        Assert.Equal("keep", File.ReadAllText(existing));
    }

    [RootFact]
    public void CloneFileAcrossFileSystemsFailsWithExdevAndLeavesNoDestination()
    {
        var source = Path.Combine(pool.NewDirectory(), "source");
        var destination = Path.Combine(pool.NewHostDirectory(), "clone");
        File.WriteAllBytes(source, new byte[4096]);

        var exception = Assert.Throws<SystemCallException>(() => Reflink.CloneFile(source, destination));

        Assert.Equal(Errno.EXDEV, exception.Errno);
        Assert.Equal("FICLONE", exception.Call);
        Assert.False(File.Exists(destination));
    }

    [RootFact]
    public void CloneOverReplacesALongerDestinationEntirely()
    {
        var directory = pool.NewDirectory();
        var source = Path.Combine(directory, "source");
        var destination = Path.Combine(directory, "destination");
        var data = new byte[64 << 10];
        Random.Shared.NextBytes(data);
        File.WriteAllBytes(source, data);
        File.WriteAllBytes(destination, new byte[1 << 20]);

        Reflink.CloneOver(source, destination);

        Assert.Equal(data, File.ReadAllBytes(destination));
    }

    [RootFact]
    public void IsSupportedOnXfsWithReflinkAndLeavesNoProbeBehind()
    {
        var directory = pool.NewDirectory();

        Assert.True(Reflink.IsSupported(directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
    }

    [RootFact]
    public void IsNotSupportedOnAnExt4OrTmpfsHostDirectory()
    {
        var directory = pool.NewHostDirectory();

        // Only ext4 and tmpfs are known never to reflink; a host temporary directory on XFS or btrfs proves nothing here.
        var type = FileSystemStatistics.Get(directory).TypeName;
        var supported = Reflink.IsSupported(directory);

        if (type is "ext4" or "tmpfs")
        {
            Assert.False(supported);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
    }
}
