using System.Globalization;
using System.Text.Json;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol.Metadata;

/// <summary>
/// What an image says about itself, in its extended attribute trusted.subvol.identity, so that the
/// pool's database can be rebuilt from the images alone. The value is a small JSON object with a
/// version (docs/metadata.md describes every field); a reader refuses a version it does not know
/// rather than guess. Names are not in it: an image is named by its path, so a rename never
/// touches it. Only root may write the trusted namespace (xattr(7)), so no user can forge one.
/// </summary>
/// <param name="Parent">A snapshot's subvolume; a clone's origin snapshot; a received subvolume's received snapshot; else null.</param>
/// <param name="Provisioning">A subvolume's own; a snapshot's is its subvolume's when it was taken.</param>
internal sealed record ImageIdentity(Guid Guid, ImageKind Kind, Guid? Parent, DateTimeOffset Created, Provisioning Provisioning, long Size, string FileSystem)
{
    public const string AttributeName = "trusted.subvol.identity";

    public const int CurrentVersion = 1;

    /// <summary>The modification time a subvolume's image was given when it last matched a snapshot.</summary>
    public DateTime? WriteStamp { get; init; }

    /// <summary>Who made the image when not the command line (the CSI daemon, for example); absent for the command line.</summary>
    public string? Creator { get; init; }

    /// <summary>An encrypted image's master key, wrapped (see <see cref="Encryption.WrappedKey"/>), so that a rebuilt database can still unlock it; null when unencrypted.</summary>
    public byte[]? WrappedKey { get; init; }

    /// <summary>The database keeps times to the millisecond, so the identity does too, and the two compare equal.</summary>
    public DateTimeOffset Created { get; init; } = Milliseconds(Created);

    public static ImageIdentity Of(SubvolumeRecord subvolume) =>
        new(subvolume.Guid, ImageKind.Subvolume, subvolume.OriginSnapshot, subvolume.Created, subvolume.Provisioning, subvolume.Size, subvolume.FileSystem)
        {
            WriteStamp = subvolume.WriteStamp,
            Creator = subvolume.Creator,
            WrappedKey = subvolume.WrappedKey,
        };

    public static ImageIdentity Of(SnapshotRecord snapshot, SubvolumeRecord subvolume) =>
        new(snapshot.Guid, ImageKind.Snapshot, subvolume.Guid, snapshot.Created, subvolume.Provisioning, snapshot.Size, snapshot.FileSystem)
        {
            Creator = snapshot.Creator,
            WrappedKey = snapshot.WrappedKey,
        };

    /// <summary>Writes the identity onto the image at <paramref name="path"/>, replacing any it had.</summary>
    public static void Write(Pools.PoolFiles files, string path, ImageIdentity identity) => files.SetAttribute(path, AttributeName, identity.Encode());

    /// <summary>
    /// Brings an image's identity up to date after the metadata changed. The change is made by then,
    /// so a failure (a full host, say) must not undo or hide it: 'subvol check' reports the stale
    /// attribute and --repair rewrites it.
    /// </summary>
    public static void Refresh(Pools.PoolFiles files, string path, ImageIdentity identity)
    {
        try
        {
            Write(files, path, identity);
        }
        catch (Exception exception) when (exception is SystemCallException or SubvolException)
        {
        }
    }

    /// <summary>The image's identity, or null when it has none.</summary>
    /// <exception cref="FormatException">The attribute is there but is not an identity this version can read.</exception>
    public static ImageIdentity? Read(Pools.PoolFiles files, string path) => files.GetAttribute(path, AttributeName) is { } value ? Decode(value) : null;

    /// <summary>Which fields differ from <paramref name="expected"/>; a snapshot's provisioning is its subvolume's history, not compared.</summary>
    public IReadOnlyList<string> Differences(ImageIdentity expected)
    {
        var differences = new List<string>();
        Compare(differences, "guid", Guid, expected.Guid);
        Compare(differences, "kind", Kind, expected.Kind);
        Compare(differences, "parent", Parent, expected.Parent);
        Compare(differences, "created", Created, expected.Created);
        if (Kind == ImageKind.Subvolume)
        {
            Compare(differences, "provisioning", Provisioning, expected.Provisioning);
            Compare(differences, "write_stamp", WriteStamp, expected.WriteStamp);
        }

        Compare(differences, "size", Size, expected.Size);
        Compare(differences, "filesystem", FileSystem, expected.FileSystem);
        Compare(differences, "creator", Creator, expected.Creator);
        if (!(WrappedKey ?? []).AsSpan().SequenceEqual(expected.WrappedKey ?? []))
        {
            differences.Add("wrapped_key");
        }
        return differences;
    }

    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", CurrentVersion);
            writer.WriteString("guid", Guid.ToString());
            writer.WriteString("kind", Kind == ImageKind.Subvolume ? "subvolume" : "snapshot");
            if (Parent is { } parent)
            {
                writer.WriteString("parent", parent.ToString());
            }

            writer.WriteString("created", PoolDatabase.FormatTime(Created));
            writer.WriteString("provisioning", ProvisioningNames.Format(Provisioning));
            writer.WriteNumber("size", Size);
            writer.WriteString("filesystem", FileSystem);
            if (WriteStamp is { } stamp)
            {
                writer.WriteNumber("write_stamp", stamp.Ticks);
            }

            if (Creator is not null)
            {
                writer.WriteString("creator", Creator);
            }

            if (WrappedKey is not null)
            {
                writer.WriteBase64String("wrapped_key", WrappedKey);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <exception cref="FormatException">Not JSON, an unknown version, or a field missing or out of range; the message says which.</exception>
    public static ImageIdentity Decode(ReadOnlySpan<byte> value)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(value.ToArray());
        }
        catch (JsonException exception)
        {
            throw new FormatException($"not a JSON object ({exception.Message})", exception);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("not a JSON object");
            }

            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number))
            {
                throw new FormatException("it has no version");
            }

            if (number != CurrentVersion)
            {
                throw new FormatException($"it has version {number}, and this subvol reads only version {CurrentVersion}");
            }

            var kind = Text(root, "kind") switch
            {
                "subvolume" => ImageKind.Subvolume,
                "snapshot" => ImageKind.Snapshot,
                var other => throw new FormatException($"kind {Printable.Quote(other)} is neither subvolume nor snapshot"),
            };
            var provisioning = Text(root, "provisioning") switch
            {
                ProvisioningNames.Guaranteed => Provisioning.Guaranteed,
                ProvisioningNames.Thin => Provisioning.Thin,
                var other => throw new FormatException($"provisioning {Printable.Quote(other)} is neither guaranteed nor thin"),
            };
            var fileSystem = Text(root, "filesystem");
            if (fileSystem is not (FileSystemKind.Xfs or FileSystemKind.Ext4))
            {
                throw new FormatException($"filesystem {Printable.Quote(fileSystem)} is neither xfs nor ext4");
            }

            var size = Number(root, "size");
            if (size <= 0)
            {
                throw new FormatException($"size {size} is not positive");
            }

            return new ImageIdentity(GuidOf(root, "guid"), kind, root.TryGetProperty("parent", out _) ? GuidOf(root, "parent") : null, Time(root, "created"), provisioning, size, fileSystem)
            {
                WriteStamp = root.TryGetProperty("write_stamp", out _) ? new DateTime(Number(root, "write_stamp"), DateTimeKind.Utc) : null,
                Creator = root.TryGetProperty("creator", out var creator) && creator.ValueKind != JsonValueKind.Null ? Text(root, "creator") : null,
                WrappedKey = root.TryGetProperty("wrapped_key", out var wrapped) ? WrappedKeyOf(wrapped) : null,
            };
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new FormatException($"it has no {name}");

    private static long Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= 0
            ? value
            : throw new FormatException($"{name} is missing or not a whole number");

    private static byte[] WrappedKeyOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && element.TryGetBytesFromBase64(out var bytes) && bytes.Length > 0
            ? bytes
            : throw new FormatException("wrapped_key is not base64 text");

    private static Guid GuidOf(JsonElement root, string name) =>
        Guid.TryParse(Text(root, name), out var guid) ? guid : throw new FormatException($"{name} is not a GUID");

    private static DateTimeOffset Time(JsonElement root, string name) =>
        DateTimeOffset.TryParseExact(Text(root, name), "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new FormatException($"{name} is not a time like 2026-01-31T12:00:00.000Z");

    private static DateTimeOffset Milliseconds(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static void Compare<T>(List<string> differences, string name, T actual, T expected)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
        {
            differences.Add(name);
        }
    }
}
