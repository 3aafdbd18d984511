namespace Subvol.Tests;

/// <summary>SUBVOL_NOW is read as an ISO 8601 UTC time, and nothing else passes for one.</summary>
public sealed class ClockTests
{
    [Theory]
    [InlineData("2026-12-04T17:00:00Z", 2026, 12, 4, 17, 0, 0, 0)]
    [InlineData("2026-12-04T17:00Z", 2026, 12, 4, 17, 0, 0, 0)]
    [InlineData("2028-02-29T23:59:59.5Z", 2028, 2, 29, 23, 59, 59, 500)]
    public void AnIsoUtcTimeIsReadAsThatTime(string text, int year, int month, int day, int hour, int minute, int second, int millisecond)
    {
        var time = Clock.Parse(text);

        Assert.Equal(TimeSpan.Zero, time.Offset);
        Assert.Equal(new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero), time);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2026-12-04 17:00:00")]
    [InlineData("2026-12-04T17:00:00")]
    [InlineData("2026-12-04T17:00:00+01:00")]
    [InlineData("2026-02-30T17:00:00Z")]
    public void AnythingElseIsRefusedNamingTheVariableTheValueAndAnExample(string text)
    {
        var refused = Assert.Throws<SubvolException>(() => Clock.Parse(text));

        Assert.Equal(SubvolErrorCode.InvalidArgument, refused.Code);
        Assert.Contains("SUBVOL_NOW", refused.Message);
        Assert.Contains($"'{text}'", refused.Message);
        Assert.Contains("2026-12-04T17:00:00Z", refused.Message);
    }
}
