using Subvol.Encryption;
using Subvol.Errors;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Stream;

namespace Subvol.Replication;

/// <summary>
/// The wrapped key a version 2 stream carries. The receiver never unwraps it (it holds no passphrase): it checks
/// that it is a key this subvol can read and that an incremental stream belongs to the same master key as the
/// subvolume it extends, and stores it with what it receives. A stream made after 'key change' carries the new
/// wrapping, which the receiver takes for the subvolume and all its snapshots, so the replica then opens with the
/// new passphrase (openzfs#12614 is the failure of a replica left with a wrapping that no longer exists).
/// </summary>
internal static class ReceivedKey
{
    public static void Check(StreamHeader header, SubvolumeRecord? existing, string subvolume)
    {
        if (header.WrappedKey is { } wrapped)
        {
            try
            {
                WrappedKey.KindOf(wrapped, "the stream's subvolume");
            }
            catch (SubvolException exception)
            {
                throw new SubvolException(SubvolErrorCode.StreamCorrupt, exception.Message, exception);
            }
        }

        if (existing is null)
        {
            return;
        }

        var here = Printable.Quote(subvolume);
        if (existing.WrappedKey is null && header.WrappedKey is not null)
        {
            throw new SubvolException(SubvolErrorCode.StreamMismatch, $"the stream holds an encrypted subvolume, and {here} here is not encrypted; receive it under another name");
        }

        if (existing.WrappedKey is not null && header.WrappedKey is null)
        {
            throw new SubvolException(SubvolErrorCode.StreamMismatch, $"subvolume {here} here is encrypted, and the stream is not; receive it under another name");
        }

        if (existing.WrappedKey is { } held && !WrappedKey.Identifier(held).SequenceEqual(WrappedKey.Identifier(header.WrappedKey!)))
        {
            throw new SubvolException(SubvolErrorCode.StreamMismatch, $"the stream's subvolume is encrypted with another master key than {here} here; receive it under another name");
        }
    }

    /// <summary>Whether the stream wraps the subvolume's key otherwise than this pool holds it.</summary>
    public static bool Rewrapped(StreamHeader header, SubvolumeRecord existing) =>
        header.WrappedKey is { } wrapped && existing.WrappedKey is { } held && !wrapped.AsSpan().SequenceEqual(held);
}
