using Subvol.Space;

namespace Subvol.Subvolumes;

/// <summary>A subvolume as front ends show it: its record plus what the machine says now.</summary>
public sealed record SubvolumeInfo(
    string Name,
    Guid Guid,
    long Size,
    string FileSystem,
    DateTimeOffset Created,
    string? MountPoint,
    long AllocatedBytes,
    int Snapshots,
    Guid? OriginSnapshot,
    Provisioning Provisioning)
{
    /// <summary>Bytes no other image of the pool shares (what deleting it frees); filled in by listings, which read every extent map.</summary>
    public long? Exclusive { get; init; }

    /// <summary>
    /// Whether the image was written, or mounted read-write, since it last matched one of its snapshots:
    /// a receive would discard those writes. Null for a subvolume without snapshots.
    /// </summary>
    public bool? WrittenSinceSnapshot { get; init; }

    /// <summary>The program that made it and asked to be remembered, such as the CSI driver; null when made with the command line.</summary>
    public string? Creator { get; init; }

    /// <summary>Whether what is written under its mount point is encrypted (fscrypt, with a master key of its own).</summary>
    public bool Encrypted { get; init; }

    /// <summary>For an encrypted subvolume, whether its key is in its mounted filesystem's keyring (so its files can be read); null when unencrypted.</summary>
    public bool? KeyLoaded { get; init; }
}
