namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class ImmutableAttributeTests(XfsPoolFixture pool)
{
    [RootFact]
    public void ImmutableFileRefusesWritesUntilCleared()
    {
        var path = Path.Combine(pool.NewDirectory(), "snapshot.img");
        File.WriteAllText(path, "frozen");
        try
        {
            ImmutableAttribute.Set(path, true);

            Assert.True(ImmutableAttribute.Get(path));
            Assert.Throws<UnauthorizedAccessException>(() => File.OpenWrite(path).Dispose());
            Assert.Throws<UnauthorizedAccessException>(() => File.Delete(path));

            ImmutableAttribute.Set(path, false);

            Assert.False(ImmutableAttribute.Get(path));
            File.WriteAllText(path, "thawed");
        }
        finally
        {
            ImmutableAttribute.Set(path, false);
        }
    }

    [RootFact]
    public void SettingTwiceIsHarmless()
    {
        var path = Path.Combine(pool.NewDirectory(), "twice");
        File.WriteAllText(path, "x");
        try
        {
            ImmutableAttribute.Set(path, true);
            ImmutableAttribute.Set(path, true);

            Assert.True(ImmutableAttribute.Get(path));
        }
        finally
        {
            ImmutableAttribute.Set(path, false);
        }
    }
}
