namespace Subvol.Cli.Output;

/// <summary>Short forms for table cells.</summary>
internal static class Units
{
    public static string Size(long bytes) => ByteSize.Format(bytes);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
