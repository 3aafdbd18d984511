namespace Subvol.Policies;

/// <summary>A snapshot as a policy sees it: its name, identity and creation time, and whether a policy took it.</summary>
internal sealed record PolicySnapshot(string Name, Guid Guid, DateTimeOffset Created)
{
    public bool IsAutomatic => AutomaticSnapshotNames.IsAutomatic(Name);

    public DatedSnapshot Dated => new(Name, Created);
}
