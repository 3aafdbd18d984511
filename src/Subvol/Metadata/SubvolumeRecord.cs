using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol.Metadata;

/// <summary>A subvolume as the pool database holds it.</summary>
/// <param name="WriteStamp">The modification time its image was given when it last matched a snapshot (see <see cref="Subvol.WriteStamp"/>); null when unknown.</param>
/// <param name="Creator">The program that made it and asked to be remembered (the CSI driver's name); null for the command line.</param>
internal sealed record SubvolumeRecord(
    long Id, string Name, Guid Guid, long Size, string FileSystem, DateTimeOffset Created, Guid? OriginSnapshot, Provisioning Provisioning, DateTime? WriteStamp, string? Creator = null)
{
    /// <summary>An encrypted subvolume's master key, wrapped (see <see cref="Encryption.WrappedKey"/>); null when it is not encrypted.</summary>
    public byte[]? WrappedKey { get; init; }
}
