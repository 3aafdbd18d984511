using System.Globalization;
using Subvol.Errors;
using Subvol.Names;

namespace Subvol;

/// <summary>
/// The time the engine records and names things by: the real UTC time, or the one SUBVOL_NOW sets,
/// so that a dry run can be asked about another moment and a test can walk through days in seconds.
/// It is not the time the kernel stamps files with; code that compares with file times reads the real clock.
/// </summary>
public static class Clock
{
    public const string Variable = "SUBVOL_NOW";

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm'Z'",
    ];

    /// <summary>Now in UTC, or SUBVOL_NOW when it is set; a value that is no ISO 8601 UTC time is an error naming it.</summary>
    public static DateTimeOffset Now => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } text ? Parse(text) : DateTimeOffset.UtcNow;

    /// <summary>Reads a SUBVOL_NOW value: an ISO 8601 time in UTC, written with a Z.</summary>
    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw SubvolException.Invalid(
                $"{Variable} is {Printable.Quote(text)}, which is not an ISO 8601 UTC time; write it as 2026-12-04T17:00:00Z, or unset it for the real time");
}
