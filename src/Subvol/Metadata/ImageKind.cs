
namespace Subvol.Metadata;

/// <summary>What an image is, as its identity records it.</summary>
internal enum ImageKind
{
    Subvolume,
    Snapshot,
}
