namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class FreezeTests(XfsPoolFixture pool)
{
    [RootFact]
    public void BeginFreezesAndDisposeThaws()
    {
        try
        {
            using (Freeze.Begin(pool.MountPoint))
            {
                Assert.True(Freeze.IsFrozen(pool.MountPoint));
            }

            Assert.False(Freeze.IsFrozen(pool.MountPoint));
            File.WriteAllText(Path.Combine(pool.NewDirectory(), "after"), "writable again");
        }
        finally
        {
            Freeze.TryThaw(pool.MountPoint);
        }
    }

    [RootFact]
    public void IsFrozenLeavesAnUnfrozenFileSystemUnfrozen()
    {
        Assert.False(Freeze.IsFrozen(pool.MountPoint));
        Assert.False(Freeze.IsFrozen(pool.MountPoint));
    }

    [RootFact]
    public void ThawThenDisposeThawsOnce()
    {
        try
        {
            var freeze = Freeze.Begin(pool.MountPoint);
            Assert.Equal(pool.MountPoint, freeze.MountPoint);

            freeze.Thaw();
            freeze.Dispose();

            Assert.False(Freeze.IsFrozen(pool.MountPoint));
        }
        finally
        {
            Freeze.TryThaw(pool.MountPoint);
        }
    }

    [RootFact]
    public void FreezingTwiceFailsWithEbusy()
    {
        try
        {
            using var first = Freeze.Begin(pool.MountPoint);

            var exception = Assert.Throws<SystemCallException>(() => Freeze.Begin(pool.MountPoint));

            Assert.Equal(Errno.EBUSY, exception.Errno);
        }
        finally
        {
            Freeze.TryThaw(pool.MountPoint);
        }
    }

    [RootFact]
    public void TryThawIsFalseWhenNotFrozenOrGone()
    {
        Assert.False(Freeze.TryThaw(pool.MountPoint));
        Assert.False(Freeze.TryThaw(Path.Combine(pool.Root, "no-such-mount")));
    }

    [RootFact]
    public void TryThawThawsAFrozenFileSystem()
    {
        try
        {
            Freeze.Begin(pool.MountPoint);

            Assert.True(Freeze.TryThaw(pool.MountPoint));
            Assert.False(Freeze.IsFrozen(pool.MountPoint));
        }
        finally
        {
            Freeze.TryThaw(pool.MountPoint);
        }
    }
}
