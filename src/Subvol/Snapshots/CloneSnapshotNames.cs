using System.Security.Cryptography;
using System.Text;

namespace Subvol.Snapshots;

/// <summary>
/// Names of the short-lived snapshots that a clone of a subvolume goes through. The name is a pure
/// function of the new subvolume's name, so a retry after a crash finds the snapshot the first
/// attempt took; the prefix is the one the CSI driver has always used, so that snapshots left
/// behind by earlier versions are still recognised.
/// </summary>
public static class CloneSnapshotNames
{
    public const string Prefix = "csi-clone-";

    /// <summary>The snapshot a clone into <paramref name="target"/> is made from; the same on every attempt.</summary>
    public static string For(string target) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(target)))[..24];

    /// <summary>Whether a snapshot name is one of these, which listings meant for users of clones may leave out.</summary>
    public static bool IsCloneSnapshot(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);
}
