namespace Subvol.Cli.Output;

/// <summary>Short forms for table cells.</summary>
internal static class Units
{
    public static string Size(long bytes) => ByteSize.Format(bytes);

    /// <summary>yyyy-MM-dd HH:mm:ss'Z': the sortable format, which is written without parsing a pattern, once per row of a listing.</summary>
    public static string Time(DateTimeOffset time) => string.Create(20, time.UtcDateTime, static (text, utc) =>
    {
        utc.TryFormat(text, out _, "s", System.Globalization.CultureInfo.InvariantCulture);
        text[10] = ' ';
        text[19] = 'Z';
    });
}
