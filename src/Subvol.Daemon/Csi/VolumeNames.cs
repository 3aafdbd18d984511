using System.Security.Cryptography;
using System.Text;

namespace Subvol.Daemon.Csi;

/// <summary>
/// CSI names are up to 128 characters of almost any Unicode; subvolume and snapshot names are 100
/// characters of a small alphabet. A CSI name that is already a valid name (Kubernetes' "pvc-UID",
/// "snapshot-UID") is used as it is, so that 'subvol list' shows what 'kubectl get pv' shows; any
/// other becomes "csi-" and a hash of it. Both are pure functions of the name, so a restarted daemon
/// finds the same volume again, and the volume ID is simply the subvolume name.
/// </summary>
internal static class VolumeNames
{
    public static string Subvolume(string csiName) => Valid(csiName) ? csiName : "csi-" + Hash(csiName, 40);

    /// <summary>A snapshot name; one that the engine keeps for the snapshots clones go through is hashed like any invalid one.</summary>
    public static string Snapshot(string csiName) => Valid(csiName) && !CloneSnapshotNames.IsCloneSnapshot(csiName) ? csiName : "csi-" + Hash(csiName, 40);

    public static string SnapshotId(SnapshotInfo snapshot) => snapshot.FullName;

    /// <summary>A volume ID the engine could hold, or null: an ID it could not hold names no volume.</summary>
    public static string? ParseVolumeId(string id) => Valid(id) ? id : null;

    /// <summary>NAME@SNAP, or null when the ID cannot name a snapshot.</summary>
    public static SnapshotReference? ParseSnapshotId(string id)
    {
        var at = id.IndexOf('@');
        if (at < 0)
        {
            return null;
        }

        var subvolume = id[..at];
        var snapshot = id[(at + 1)..];
        return Valid(subvolume) && Valid(snapshot) ? new SnapshotReference(subvolume, snapshot) : null;
    }

    private static bool Valid(string name) => NameRules.Problem(name) is null;

    private static string Hash(string text, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];
}
