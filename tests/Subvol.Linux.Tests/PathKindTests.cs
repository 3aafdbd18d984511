namespace Subvol.Linux.Tests;

public sealed class PathKindTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-path-kind-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void AFileADirectoryADeviceAndNothingAreToldApartThroughLinks()
    {
        var file = Path.Combine(_directory.FullName, "file");
        File.WriteAllText(file, "x");
        var linkToFile = Path.Combine(_directory.FullName, "to-file");
        File.CreateSymbolicLink(linkToFile, file);

        Assert.Equal(EntryKind.File, PathKind.Of(file));
        Assert.Equal(EntryKind.File, PathKind.Of(linkToFile));
        Assert.Equal(EntryKind.Directory, PathKind.Of(_directory.FullName));
        Assert.Equal(EntryKind.Other, PathKind.Of("/dev/null"));
        Assert.Equal(EntryKind.Missing, PathKind.Of(Path.Combine(_directory.FullName, "missing")));
    }

    [Fact]
    public void ALoopOfLinksIsAnErrorNamingTheCallAndThePath()
    {
        var loop = Path.Combine(_directory.FullName, "loop");
        File.CreateSymbolicLink(loop, loop);

        var exception = Assert.Throws<SystemCallException>(() => PathKind.Of(loop));

        Assert.Equal(Errno.ELOOP, exception.Errno);
        Assert.Contains("statx", exception.Message);
        Assert.Contains(loop, exception.Message);
    }
}
