using System.Text.Json.Serialization;

namespace Subvol.Replication;

/// <summary>
/// What replicate reads of a remote pool's 'list -t snapshot NAME --json', its one contract with the
/// remote's output: an array with an object per snapshot, each with its "guid", "snapshot" (its name)
/// and "created", and, from versions that record replication bases, "base_for". Fields it does not
/// name are ignored, so the listing may grow; a listing without a guid, name or time is refused, not read as empty.
/// </summary>
internal sealed record RemoteSnapshot(
    [property: JsonPropertyName("guid"), JsonRequired] Guid Guid,
    [property: JsonPropertyName("snapshot"), JsonRequired] string Name,
    [property: JsonPropertyName("created"), JsonRequired] DateTimeOffset Created,
    [property: JsonPropertyName("base_for")] List<string>? BaseFor,
    [property: JsonPropertyName("mountpoint")] string? MountPoint);

[JsonSerializable(typeof(List<RemoteSnapshot>))]
internal sealed partial class RemoteSnapshotJson : JsonSerializerContext;
