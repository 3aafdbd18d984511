using System.Globalization;
using System.Text.Json;

namespace Subvol.Cli.Output;

/// <summary>How one field's value is written: for people, exactly (-p), and in JSON; and how two values sort.</summary>
internal static class FieldValue
{
    public static string Human(object? value) => value switch
    {
        null => "-",
        long bytes => Units.Size(bytes),
        DateTimeOffset time => Units.Time(time),
        _ => Exact(value),
    };

    /// <summary>Bytes as integers and times as seconds since 1970, as 'zfs list -p' prints them.</summary>
    public static string Exact(object? value) => value switch
    {
        null => "-",
        string text => text,
        long number => number.ToString(CultureInfo.InvariantCulture),
        int number => number.ToString(CultureInfo.InvariantCulture),
        double ratio => ratio.ToString("0.##", CultureInfo.InvariantCulture),
        bool flag => flag ? "yes" : "no",
        DateTimeOffset time => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        Guid guid => guid.ToString("D"),
        IReadOnlyList<string> { Count: 0 } => "-",
        IReadOnlyList<string> texts => string.Join(',', texts),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-",
    };

    public static bool IsNumber(object? value) => value is long or int or double;

    public static void Write(Utf8JsonWriter writer, string name, object? value)
    {
        writer.WritePropertyName(name);
        Write(writer, value);
    }

    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case double ratio:
                writer.WriteNumberValue(ratio);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case DateTimeOffset time:
                writer.WriteStringValue(Iso(time));
                break;
            case Guid guid:
                writer.WriteStringValue(guid.ToString("D"));
                break;
            case IReadOnlyList<string> texts:
                writer.WriteStartArray();
                foreach (var text in texts)
                {
                    writer.WriteStringValue(text);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>UTC to the millisecond, as the pool records times, with a Z: one spelling of a time in every JSON document.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Orders values of one field: no value first, numbers and times by size, text by its characters.</summary>
    public static int Compare(object? left, object? right) => (left, right) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        (string a, string b) => string.CompareOrdinal(a, b),
        (IComparable a, _) when a.GetType() == right.GetType() => a.CompareTo(right),
        _ => string.CompareOrdinal(Exact(left), Exact(right)),
    };
}
