using System.Text.Json.Serialization;
using Subvol.Errors;

namespace Subvol.Checking;

/// <summary>One thing 'subvol check' found; Repaired says whether --repair fixed it.</summary>
public sealed record Finding(FindingKind Kind, string Subject, string Message, bool Repairable)
{
    public bool Repaired { get; init; }

    /// <summary>Host bytes the finding is about (a foreign file's allocation, a shortfall), when it has a size.</summary>
    public long? Bytes { get; init; }

    /// <summary>What a person can do about it, as data each front end words; null when the message says it all.</summary>
    [JsonIgnore]
    public Remedy? Remedy { get; init; }

    /// <summary>What --repair does about it; null when only a person can decide.</summary>
    internal Action? Repair { get; init; }
}
