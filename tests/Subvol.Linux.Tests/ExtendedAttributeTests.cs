namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class ExtendedAttributeTests(XfsPoolFixture pool)
{
    private const string Name = "trusted.subvol.test";

    [RootFact]
    public void ATrustedAttributeOnXfsReadsBackWhatWasWritten()
    {
        var path = Path.Combine(pool.NewDirectory(), "image.img");
        File.WriteAllText(path, "data");

        ExtendedAttribute.Set(path, Name, "{\"version\":1}"u8);

        Assert.Equal("{\"version\":1}"u8.ToArray(), ExtendedAttribute.Get(path, Name));
    }

    [RootFact]
    public void AMissingAttributeReadsAsNull()
    {
        var path = Path.Combine(pool.NewDirectory(), "plain.img");
        File.WriteAllText(path, "data");

        Assert.Null(ExtendedAttribute.Get(path, Name));
        Assert.False(ExtendedAttribute.Remove(path, Name));
    }

    [RootFact]
    public void SettingAgainReplacesAndRemoveTakesItAway()
    {
        var path = Path.Combine(pool.NewDirectory(), "image.img");
        File.WriteAllText(path, "data");
        ExtendedAttribute.Set(path, Name, "first, and longer"u8);

        ExtendedAttribute.Set(path, Name, "second"u8);
        Assert.Equal("second"u8.ToArray(), ExtendedAttribute.Get(path, Name));

        Assert.True(ExtendedAttribute.Remove(path, Name));
        Assert.Null(ExtendedAttribute.Get(path, Name));
    }

    [RootFact]
    public void AValueLargerThanTheFirstBufferIsReadWhole()
    {
        var path = Path.Combine(pool.NewDirectory(), "large.img");
        File.WriteAllText(path, "data");
        var value = Enumerable.Range(0, 10_000).Select(index => (byte)index).ToArray();

        ExtendedAttribute.Set(path, Name, value);

        Assert.Equal(value, ExtendedAttribute.Get(path, Name));
    }

    [RootFact]
    public void TheHandleFormsAgreeWithThePathForms()
    {
        var path = Path.Combine(pool.NewDirectory(), "image.img");
        File.WriteAllText(path, "data");
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            ExtendedAttribute.Set(file, Name, "by handle"u8, path);
            Assert.Equal("by handle"u8.ToArray(), ExtendedAttribute.Get(file, Name, path));
        }

        Assert.Equal("by handle"u8.ToArray(), ExtendedAttribute.Get(path, Name));
    }

    [RootFact]
    public void ALinkIsNeverFollowed()
    {
        var directory = pool.NewDirectory();
        var target = Path.Combine(directory, "outside.img");
        File.WriteAllText(target, "data");
        var link = Path.Combine(directory, "planted.img");
        File.CreateSymbolicLink(link, target);

        // Root may put trusted attributes on a link itself; what matters is that the target is never reached.
        ExtendedAttribute.Set(link, Name, "on the link"u8);

        Assert.Equal("on the link"u8.ToArray(), ExtendedAttribute.Get(link, Name));
        Assert.Null(ExtendedAttribute.Get(target, Name));
    }

    [Fact]
    public void AFailureNamesTheCallAndThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing.img");

        var exception = Assert.Throws<SystemCallException>(() => ExtendedAttribute.Get(missing, Name));

        Assert.Equal(Errno.ENOENT, exception.Errno);
        Assert.Equal("lgetxattr", exception.Call);
        Assert.Equal(missing, exception.Path);
    }
}
