using Subvol.Errors;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Subvolumes;

/// <summary>How large an image is, read beneath the pool's root without following a link planted in its place.</summary>
internal static class ImageSpace
{
    /// <summary>The length of an image; a missing image is an inconsistency that check finds, a link in its place a refusal.</summary>
    public static long Length(PoolSession session, string image)
    {
        var status = session.Files.Status(image);
        return status.Kind switch
        {
            EntryKind.File => status.Size,
            EntryKind.Missing => throw SubvolException.Inconsistent($"the image {image} is missing", new Remedy.CheckPool(session.Path)),
            _ => throw PoolFiles.Refusal(new ConfinementException(image, "is not a regular file")),
        };
    }
}
