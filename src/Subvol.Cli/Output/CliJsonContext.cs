using System.Text.Json.Serialization;

namespace Subvol.Cli.Output;

/// <summary>Source-generated JSON for the check report, so --json works in a trimmed native executable; listings write their own fields.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    Converters = [typeof(SnakeCaseEnumConverter<FindingKind>)])]
[JsonSerializable(typeof(CheckReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
