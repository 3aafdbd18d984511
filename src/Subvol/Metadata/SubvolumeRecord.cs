namespace Subvol.Metadata;

/// <summary>A subvolume as the pool database holds it.</summary>
internal sealed record SubvolumeRecord(long Id, string Name, Guid Guid, long Size, string FileSystem, DateTimeOffset Created, Guid? OriginSnapshot, Provisioning Provisioning);
