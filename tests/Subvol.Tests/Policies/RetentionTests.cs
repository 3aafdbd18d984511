using Subvol.Policies;

namespace Subvol.Tests.Policies;

public sealed class RetentionTests
{
    [Fact]
    public void ParsesABtrbkStringIntoCountsPerInterval()
    {
        var retention = Retention.Parse("48h 14d 8w 12m *y", Retention.DefaultFrequentPeriod);

        Assert.Equal(48, retention.Count(Interval.Hourly));
        Assert.Equal(14, retention.Count(Interval.Daily));
        Assert.Equal(8, retention.Count(Interval.Weekly));
        Assert.Equal(12, retention.Count(Interval.Monthly));
        Assert.Equal(Retention.All, retention.Count(Interval.Yearly));
        Assert.Equal(0, retention.Count(Interval.Frequent));
        Assert.Equal(Interval.Hourly, retention.Finest);
    }

    [Fact]
    public void WritesItselfBackFinestFirstWithTheMinimum()
    {
        Assert.Equal("24h 14d 12m", Retention.Parse("12m 24h 14d", Retention.DefaultFrequentPeriod).ToString());
        Assert.Equal("4f 24h *y min 2d", Series.Keep("*y 24h 4f", "2d").ToString());
        Assert.Equal("no", Retention.Parse("no", Retention.DefaultFrequentPeriod).ToString());
    }

    [Fact]
    public void KeepsNothingByIntervalWhenTheStringSaysNoOrEveryCountIsZero()
    {
        Assert.Null(Retention.Parse("no", Retention.DefaultFrequentPeriod).Finest);
        Assert.Null(Retention.Parse("0h 0d", Retention.DefaultFrequentPeriod).Finest);
        Assert.Equal(Interval.Daily, Retention.Parse("0h 7d", Retention.DefaultFrequentPeriod).Finest);
    }

    [Theory]
    [InlineData("48x 14d", "'48x'")]
    [InlineData("48h 14", "'14'")]
    [InlineData("h", "'h'")]
    [InlineData("-3d", "'-3d'")]
    [InlineData("48h 2h", "'2h'")]
    [InlineData("", "empty")]
    public void RefusesABadWordNamingIt(string keep, string named)
    {
        var error = Assert.Throws<SubvolException>(() => Retention.Parse(keep, Retention.DefaultFrequentPeriod));

        Assert.Equal(SubvolErrorCode.InvalidArgument, error.Code);
        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("2d", 48)]
    [InlineData("36h", 36)]
    [InlineData("1w", 168)]
    [InlineData("1m", 31 * 24)]
    [InlineData("1y", 366 * 24)]
    [InlineData("latest", 0)]
    [InlineData("no", 0)]
    public void ReadsMinimumAgesWithoutEverKeepingLessThanTheCalendar(string text, int hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), Retention.ParseMinimum(text));
    }

    [Theory]
    [InlineData("2 days")]
    [InlineData("2")]
    [InlineData("d")]
    [InlineData("-2d")]
    [InlineData("2x")]
    [InlineData("999999999y")]
    public void RefusesAMinimumAgeItCannotReadSayingWhatToWrite(string text)
    {
        var error = Assert.Throws<SubvolException>(() => Retention.ParseMinimum(text));

        Assert.Equal(SubvolErrorCode.InvalidArgument, error.Code);
        Assert.Contains($"'{text}'", error.Message);
        Assert.Contains("such as 2d", error.Message);
    }

    [Fact]
    public void AllAsAMinimumKeepsEverySnapshot()
    {
        var retention = Series.Keep("1d", "all");
        var snapshots = Series.Every(TimeSpan.FromHours(1), Series.Utc(2000, 1, 1), Series.Utc(2000, 1, 3));

        Assert.Empty(RetentionRules.Apply(snapshots, Series.Utc(2026, 12, 4), retention).Prune);
        Assert.Equal("1d min all", retention.ToString());
    }

    [Fact]
    public void RetentionsWrittenDifferentlyButKeepingTheSameAreEqual()
    {
        var counts = new Retention(new Dictionary<Interval, int> { [Interval.Hourly] = 24, [Interval.Daily] = 0 }, TimeSpan.Zero, Retention.DefaultFrequentPeriod);

        Assert.Equal(Retention.Parse("24h", Retention.DefaultFrequentPeriod), counts);
        Assert.NotEqual(Retention.Parse("25h", Retention.DefaultFrequentPeriod), counts);
    }
}
