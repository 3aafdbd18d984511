using Subvol.Stream.Age;

namespace Subvol.Cli.CommandLine;

/// <summary>
/// Tells an age-encrypted input from a plain replication stream by its first bytes, and opens it with the identity
/// file given: an age file without --identity, or --identity with a plain stream, is refused with what to pass instead.
/// </summary>
internal static class AgeInput
{
    /// <summary>The stream to read records from; <paramref name="decrypting"/> is the age layer under it, if there is one.</summary>
    public static System.IO.Stream Open(System.IO.Stream input, string? identityPath, out AgeDecryptingStream? decrypting)
    {
        decrypting = null;
        // Identities are read first, so that an identity file open to others is refused before any input is read.
        var identities = identityPath is null ? null : AgeKeys.Identities(identityPath);
        try
        {
            var start = new byte[AgeFormat.IdentifyingLength];
            var length = input.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            var replayed = new ReplayedStream(start[..length], input);
            switch (AgeFormat.Identify(start.AsSpan(0, length)))
            {
                case AgeInputKind.Binary when identities is null:
                    throw new SubvolException(SubvolErrorCode.InvalidArgument, "the stream is encrypted with age")
                    {
                        Remedy = new Remedy.Advice("pass --identity FILE, an age identity file (AGE-SECRET-KEY-1…) of a recipient it was encrypted to"),
                    };
                case AgeInputKind.Binary:
                    try
                    {
                        return decrypting = AgeDecryptingStream.Open(replayed, identities!);
                    }
                    catch (AgeFormatException exception)
                    {
                        throw EncryptedStreamRefusal.Of(exception);
                    }

                case AgeInputKind.Armored:
                    throw new SubvolException(SubvolErrorCode.InvalidArgument, "the stream is an age file in ASCII armor, which subvol receive does not read")
                    {
                        Remedy = new Remedy.Advice("decrypt it with age -d -i FILE and pipe the stream in"),
                    };
                case AgeInputKind.OtherVersion:
                    throw new SubvolException(SubvolErrorCode.NotSupported, $"the stream is an age file of a version after {AgeFormat.VersionLine}, which this subvol does not read")
                    {
                        Remedy = new Remedy.Advice("decrypt it with a newer age -d and pipe the stream in"),
                    };
                case AgeInputKind.None when identities is not null:
                    throw new SubvolException(SubvolErrorCode.InvalidArgument, $"--identity {identityPath} was given, but the stream is not encrypted with age")
                    {
                        Remedy = new Remedy.Advice("leave out --identity to receive a plain stream"),
                    };
                default:
                    return replayed;
            }
        }
        finally
        {
            if (identities is not null)
            {
                foreach (var identity in identities)
                {
                    identity.Dispose();
                }
            }
        }
    }
}
