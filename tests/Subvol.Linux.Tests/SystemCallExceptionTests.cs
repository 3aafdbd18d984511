namespace Subvol.Linux.Tests;

public sealed class SystemCallExceptionTests
{
    [Fact]
    public void MessageNamesCallPathStrerrorTextAndErrnoName()
    {
        var exception = new SystemCallException("FICLONE", "/p/x.img", Errno.ENOSPC);

        Assert.Equal("FICLONE on '/p/x.img' failed: No space left on device (ENOSPC)", exception.Message);
        Assert.Equal("FICLONE", exception.Call);
        Assert.Equal("/p/x.img", exception.Path);
        Assert.Equal(28, exception.Errno);
        Assert.Equal("ENOSPC", exception.ErrnoName);
    }

    [Fact]
    public void MessageWithoutPathNamesOnlyTheCall()
    {
        var exception = new SystemCallException("LOOP_CTL_GET_FREE", null, Errno.EBUSY);

        Assert.Equal("LOOP_CTL_GET_FREE failed: Device or resource busy (EBUSY)", exception.Message);
    }

    [Fact]
    public void UnknownErrnoIsNamedByNumber()
    {
        Assert.Equal("E4000", new SystemCallException("x", null, 4000).ErrnoName);
    }

    [Fact]
    public void FailedCallReportsItsErrno()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing");

        var exception = Assert.Throws<SystemCallException>(() => FileSpace.AllocatedBytes(missing));

        Assert.Equal(Errno.ENOENT, exception.Errno);
        Assert.Equal("statx", exception.Call);
        Assert.Equal(missing, exception.Path);
    }
}
