using System.Text.Json;
using System.Text.Json.Serialization;

namespace Subvol.Cli.Output;

/// <summary>Writes an enum value as every --json does: lower case, words joined by '_' ("partial_receive").</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower)
    where TEnum : struct, Enum;
