namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class ToolsFormatTests(XfsPoolFixture pool)
{
    private const long ImageSize = 300L << 20;

    [RootFact]
    public void MakeXfsFormatsASparseFileThatMountsAsXfs()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "x.img", ImageSize);

        Tools.MakeXfs(image, "subvolx", reflink: true);

        Assert.True(FileSpace.AllocatedBytes(image) < ImageSize / 4);
        Assert.Equal("xfs", MountAndGetType(directory, image, "xfs"));
    }

    [RootFact]
    public void MakeExt4FormatsASparseFileThatMountsAsExt4()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "e.img", ImageSize);

        Tools.MakeExt4(image, "subvole");

        Assert.True(FileSpace.AllocatedBytes(image) < ImageSize / 4);
        Assert.Equal("ext4", MountAndGetType(directory, image, "ext4"));
    }

    [RootFact]
    public void TrimReturnsTheBytesDiscardedAndPunchesHolesInTheImage()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "t.img", ImageSize);
        var target = Directory.CreateDirectory(Path.Combine(directory, "mnt")).FullName;
        Tools.MakeXfs(image, label: null, reflink: true);
        try
        {
            using (var loop = LoopDevice.Attach(image, readOnly: false, directIo: true, autoClear: true))
            {
                Mounts.Mount(loop.DevicePath, target, "xfs", MountFlags.None, null);
            }

            var data = new byte[32 << 20];
            Random.Shared.NextBytes(data);
            File.WriteAllBytes(Path.Combine(target, "data"), data);
            Tools.Run("sync", "-f", target);
            var written = FileSpace.AllocatedBytes(image);
            File.Delete(Path.Combine(target, "data"));

            // At once, as a user deletes and trims: XFS frees the file's blocks in the background, which Trim must wait for.
            var trimmed = Tools.Trim(target);

            Assert.True(trimmed >= 32 << 20, $"trimmed {trimmed} bytes");
            var after = FileSpace.AllocatedBytes(image);
            Assert.True(after < written - (24 << 20), $"the image still holds {after} of {written} bytes after the trim");
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void NewXfsUuidChangesTheFileSystemUuid()
    {
        var image = Scratch.NewSparseFile(pool.NewDirectory(), "u.img", ImageSize);
        Tools.MakeXfs(image, label: null, reflink: true);
        var before = Tools.Run("xfs_admin", "-u", image).StandardOutput;

        Tools.NewXfsUuid(image);

        Assert.NotEqual(before, Tools.Run("xfs_admin", "-u", image).StandardOutput);
    }

    [RootFact]
    public void NewExt4UuidChangesTheFileSystemUuid()
    {
        var image = Scratch.NewSparseFile(pool.NewDirectory(), "u4.img", ImageSize);
        Tools.MakeExt4(image, label: null);
        var before = Uuid(image);

        Tools.NewExt4Uuid(image);

        Assert.NotEqual(before, Uuid(image));
    }

    [RootFact]
    public void ResizeExt4GrowsAnUnmountedImageAfterCheck()
    {
        var image = Scratch.NewSparseFile(pool.NewDirectory(), "r4.img", ImageSize);
        Tools.MakeExt4(image, label: null);
        using (var stream = new FileStream(image, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(ImageSize * 2);
        }

        Tools.CheckExt4(image);
        Tools.ResizeExt4(image, sizeBytes: null);

        Assert.Contains("Block count:              153600", Tools.Run("dumpe2fs", "-h", image).StandardOutput, StringComparison.Ordinal);
    }

    [RootFact]
    public void FailingMkfsRaisesItsStandardError()
    {
        var missing = Path.Combine(pool.NewDirectory(), "missing", "x.img");

        var exception = Assert.Throws<ExternalToolException>(() => Tools.MakeXfs(missing, label: null, reflink: true));

        Assert.NotEqual(0, exception.ExitCode);
        Assert.StartsWith("mkfs.xfs failed (exit ", exception.Message, StringComparison.Ordinal);
        Assert.Contains(missing, exception.Arguments);
        Assert.NotEmpty(exception.StandardError);
    }

    private static string Uuid(string image) =>
        Tools.Run("dumpe2fs", "-h", image).StandardOutput.Split('\n').Single(line => line.StartsWith("Filesystem UUID:", StringComparison.Ordinal));

    private static string MountAndGetType(string directory, string image, string type)
    {
        var target = Directory.CreateDirectory(Path.Combine(directory, "mnt-" + type)).FullName;
        try
        {
            using var loop = LoopDevice.Attach(image, readOnly: false, directIo: true, autoClear: true);
            Mounts.Mount(loop.DevicePath, target, type, MountFlags.None, null);
            return FileSystemStatistics.Get(target).TypeName;
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }
}
