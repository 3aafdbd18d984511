using Subvol.Errors;

namespace Subvol.Names;

/// <summary>A <c>NAME@SNAP</c> reference, in the manner of zfs.</summary>
public readonly record struct SnapshotReference(string Subvolume, string Snapshot)
{
    public override string ToString() => $"{Subvolume}@{Snapshot}";

    /// <summary>Parses NAME@SNAP; the snapshot part is required.</summary>
    public static SnapshotReference Parse(string text)
    {
        var (subvolume, snapshot) = Split(text);
        if (snapshot is null)
        {
            throw SubvolException.Invalid($"{Printable.Quote(text)} is not a snapshot", new Remedy.Advice("write it as NAME@SNAPSHOT"));
        }

        return new SnapshotReference(subvolume, snapshot);
    }

    /// <summary>Splits NAME[@SNAP], validating both parts.</summary>
    public static (string Subvolume, string? Snapshot) Split(string text)
    {
        var at = text.IndexOf('@');
        var subvolume = at < 0 ? text : text[..at];
        var snapshot = at < 0 ? null : text[(at + 1)..];
        NameRules.Validate(subvolume, "subvolume");
        if (snapshot is not null)
        {
            NameRules.Validate(snapshot, "snapshot");
        }

        return (subvolume, snapshot);
    }
}
