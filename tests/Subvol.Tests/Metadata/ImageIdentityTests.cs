using System.Text;
using Subvol.Metadata;

namespace Subvol.Tests.Metadata;

public sealed class ImageIdentityTests
{
    private static readonly ImageIdentity Clone = new(
        Guid.NewGuid(), ImageKind.Subvolume, Guid.NewGuid(), new DateTimeOffset(2026, 12, 4, 18, 0, 0, 123, TimeSpan.Zero), Provisioning.Guaranteed, 3L << 30, FileSystemKind.Xfs)
    {
        WriteStamp = new DateTime(2026, 12, 4, 18, 0, 5, DateTimeKind.Utc),
        Creator = "csi",
    };

    [Fact]
    public void EveryFieldSurvivesTheRoundTrip()
    {
        var decoded = ImageIdentity.Decode(Clone.Encode());

        Assert.Equal(Clone, decoded);
        Assert.Empty(decoded.Differences(Clone));
    }

    [Fact]
    public void FieldsThatAreAbsentStayAbsent()
    {
        var snapshot = new ImageIdentity(Guid.NewGuid(), ImageKind.Snapshot, Guid.NewGuid(), DateTimeOffset.UtcNow, Provisioning.Thin, 1L << 30, FileSystemKind.Ext4);
        var bare = Clone with { Parent = null, WriteStamp = null, Creator = null };

        Assert.Equal(snapshot, ImageIdentity.Decode(snapshot.Encode()));
        var text = Encoding.UTF8.GetString(bare.Encode());
        Assert.DoesNotContain("parent", text);
        Assert.DoesNotContain("write_stamp", text);
        Assert.DoesNotContain("creator", text);
        Assert.Equal(bare, ImageIdentity.Decode(bare.Encode()));
    }

    [Fact]
    public void TheRecordIsVersionedJson()
    {
        var text = Encoding.UTF8.GetString(Clone.Encode());

        Assert.StartsWith("{\"version\":1,", text);
        Assert.Contains($"\"guid\":\"{Clone.Guid}\"", text);
        Assert.Contains("\"kind\":\"subvolume\"", text);
        Assert.Contains("\"created\":\"2026-12-04T18:00:00.123Z\"", text);
        Assert.Contains("\"provisioning\":\"guaranteed\"", text);
    }

    [Fact]
    public void AnUnknownVersionIsRefused()
    {
        var newer = Encoding.UTF8.GetString(Clone.Encode()).Replace("\"version\":1,", "\"version\":2,", StringComparison.Ordinal);

        var exception = Assert.Throws<FormatException>(() => ImageIdentity.Decode(Encoding.UTF8.GetBytes(newer)));

        Assert.Contains("version 2", exception.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("[1]")]
    [InlineData("{\"guid\":\"00000000-0000-0000-0000-000000000001\"}")]
    public void SomethingElseIsRefused(string value)
    {
        Assert.Throws<FormatException>(() => ImageIdentity.Decode(Encoding.UTF8.GetBytes(value)));
    }

    [Theory]
    [InlineData("\"kind\":\"subvolume\"", "\"kind\":\"volume\"", "kind")]
    [InlineData("\"provisioning\":\"guaranteed\"", "\"provisioning\":\"thick\"", "provisioning")]
    [InlineData("\"filesystem\":\"xfs\"", "\"filesystem\":\"ntfs\"", "filesystem")]
    [InlineData("\"size\":3221225472", "\"size\":-1", "size")]
    public void AFieldOutOfRangeIsRefusedByName(string field, string replacement, string name)
    {
        var text = Encoding.UTF8.GetString(Clone.Encode());
        Assert.Contains(field, text);

        var exception = Assert.Throws<FormatException>(() => ImageIdentity.Decode(Encoding.UTF8.GetBytes(text.Replace(field, replacement, StringComparison.Ordinal))));

        Assert.Contains(name, exception.Message);
    }

    [Fact]
    public void CreationTimesAreKeptToTheMillisecondAsTheDatabaseKeepsThem()
    {
        var precise = new DateTimeOffset(2026, 12, 4, 18, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);

        var fromPrecise = new ImageIdentity(Clone.Guid, Clone.Kind, Clone.Parent, precise, Clone.Provisioning, Clone.Size, Clone.FileSystem);

        Assert.Equal(Clone.Created, fromPrecise.Created);
    }

    [Fact]
    public void DifferencesNameTheFieldsThatDiffer()
    {
        var other = Clone with { Size = 4L << 30, Parent = null };

        Assert.Equal(["parent", "size"], other.Differences(Clone));
    }

    [Fact]
    public void PoolSettingsSurviveTheRoundTripAndAnUnknownVersionIsRefused()
    {
        var values = new Dictionary<string, string> { ["overcommit"] = "1.5", ["image"] = "/var/lib/subvol/pool.img", ["guid"] = Guid.NewGuid().ToString() };

        var encoded = PoolSettings.Encode(values);

        Assert.Equal(values.OrderBy(pair => pair.Key), PoolSettings.Decode(encoded).OrderBy(pair => pair.Key));
        var newer = Encoding.UTF8.GetString(encoded).Replace("\"version\":1,", "\"version\":7,", StringComparison.Ordinal);
        Assert.Contains("version 7", Assert.Throws<FormatException>(() => PoolSettings.Decode(Encoding.UTF8.GetBytes(newer))).Message);
    }
}
