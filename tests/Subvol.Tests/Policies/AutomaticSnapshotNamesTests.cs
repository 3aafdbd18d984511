using Subvol.Policies;

namespace Subvol.Tests.Policies;

public sealed class AutomaticSnapshotNamesTests
{
    [Fact]
    public void NamesCarryTheUtcMinuteAndTheLabel()
    {
        var berlin = new DateTimeOffset(2026, 12, 4, 18, 0, 42, TimeSpan.FromHours(1));

        var name = AutomaticSnapshotNames.Format(berlin, Interval.Hourly);

        Assert.Equal("auto-2026-12-04T1700Z-hourly", name);
        Assert.Null(NameRules.Problem(name));
    }

    [Fact]
    public void EveryLabelReadsBackToItsIntervalAndMinute()
    {
        foreach (var interval in Enum.GetValues<Interval>())
        {
            var name = AutomaticSnapshotNames.Format(Series.Utc(2028, 2, 29, 23, 59), interval);

            Assert.True(AutomaticSnapshotNames.TryParse(name, out var at, out var label), name);
            Assert.Equal(Series.Utc(2028, 2, 29, 23, 59), at);
            Assert.Equal(TimeSpan.Zero, at.Offset);
            Assert.Equal(interval, label);
        }
    }

    [Theory]
    [InlineData("2026-12-04T170000Z")]
    [InlineData("before-upgrade")]
    [InlineData("auto-2026-12-04T1700Z")]
    [InlineData("auto-2026-12-04T1700Z-hourly.2")]
    [InlineData("auto-2026-12-04T1700Z-minutely")]
    [InlineData("auto-2026-13-04T1700Z-hourly")]
    [InlineData("auto-2026-12-04T17:00Z-hourly")]
    [InlineData("sync-2026-12-04T1700Z")]
    public void ManualAndMalformedNamesAreNotAutomatic(string name)
    {
        Assert.False(AutomaticSnapshotNames.IsAutomatic(name));
    }
}
