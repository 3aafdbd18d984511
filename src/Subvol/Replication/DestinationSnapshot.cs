namespace Subvol.Replication;

/// <summary>A snapshot that a replication destination holds, as it lists it: its name there, its GUID (the same on both sides) and when it was made there.</summary>
public sealed record DestinationSnapshot(string Name, Guid Guid, DateTimeOffset Created)
{
    /// <summary>The targets the destination itself replicates this snapshot to as their base; empty when it records none.</summary>
    public IReadOnlyList<string> BaseFor { get; init; } = [];

    /// <summary>Where the destination has it mounted, or null.</summary>
    public string? MountPoint { get; init; }
}
