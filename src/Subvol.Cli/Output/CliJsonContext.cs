using System.Text.Json.Serialization;

namespace Subvol.Cli.Output;

/// <summary>Source-generated JSON for every listing, so --json works in a trimmed native executable.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(IReadOnlyList<SubvolumeInfo>))]
[JsonSerializable(typeof(IReadOnlyList<SnapshotInfo>))]
[JsonSerializable(typeof(IReadOnlyList<KnownPool>))]
[JsonSerializable(typeof(PoolStatus))]
[JsonSerializable(typeof(CheckReport))]
[JsonSerializable(typeof(SpaceUsage))]
[JsonSerializable(typeof(Listing))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
