using System.Text.Json.Serialization;

namespace Subvol.Replication;

/// <summary>
/// What replicate reads of a remote pool's 'list -t snapshot NAME --json', its one contract with the
/// remote's output: an array with an object per snapshot, each with its "guid". Fields it does not
/// name are ignored, so the listing may grow; a listing without a guid is refused, not read as empty.
/// </summary>
internal sealed record RemoteSnapshot([property: JsonPropertyName("guid"), JsonRequired] Guid Guid);

[JsonSerializable(typeof(List<RemoteSnapshot>))]
internal sealed partial class RemoteSnapshotJson : JsonSerializerContext;
