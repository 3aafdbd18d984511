using System.Text.Json;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Metadata;

/// <summary>
/// The pool-wide values of the database (its GUID, when it was made, a file-backed pool's image,
/// the overcommit ratio, and any later ones), kept also in the extended attribute
/// trusted.subvol.pool of the pool's .subvol directory, so that a rebuilt database keeps them.
/// The value is a JSON object: {"version": 1, "values": {"key": "value", ...}}.
/// </summary>
internal static class PoolSettings
{
    public const string AttributeName = "trusted.subvol.pool";

    public const int CurrentVersion = 1;

    public static void Write(Pools.PoolFiles files, string metadataDirectory, IReadOnlyDictionary<string, string> values) =>
        files.SetAttribute(metadataDirectory, AttributeName, Encode(values));

    /// <summary>The values the directory carries, or null when it carries none.</summary>
    /// <exception cref="FormatException">The attribute is there but this version cannot read it.</exception>
    public static IReadOnlyDictionary<string, string>? Read(Pools.PoolFiles files, string metadataDirectory) =>
        files.GetAttribute(metadataDirectory, AttributeName) is { } value ? Decode(value) : null;

    public static byte[] Encode(IReadOnlyDictionary<string, string> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", CurrentVersion);
            writer.WriteStartObject("values");
            foreach (var (key, value) in values.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static IReadOnlyDictionary<string, string> Decode(ReadOnlySpan<byte> value)
    {
        try
        {
            using var document = JsonDocument.Parse(value.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var number))
            {
                throw new FormatException("it has no version");
            }

            if (number != CurrentVersion)
            {
                throw new FormatException($"it has version {number}, and this subvol reads only version {CurrentVersion}");
            }

            if (!root.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("it has no values");
            }

            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in values.EnumerateObject())
            {
                result[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : throw new FormatException($"value {Printable.Quote(property.Name)} is not text");
            }

            return result;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw new FormatException($"not a JSON object ({exception.Message})", exception);
        }
    }
}
