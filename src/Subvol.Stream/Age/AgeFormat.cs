namespace Subvol.Stream.Age;

/// <summary>
/// The constants of the age v1 file format (age-encryption.org/v1, c2sp.org/age), in one place, and
/// the test that tells an age file from a replication stream by its first bytes.
/// </summary>
public static class AgeFormat
{
    /// <summary>The first line of every age v1 file, without its newline.</summary>
    public const string VersionLine = "age-encryption.org/v1";

    /// <summary>The first line of age's ASCII armor, which wraps the binary format in PEM-style text.</summary>
    public const string ArmorLine = "-----BEGIN AGE ENCRYPTED FILE-----";

    /// <summary>How many bytes <see cref="Identify"/> wants to see: the longer of the two first lines.</summary>
    public const int IdentifyingLength = 34;

    internal const string FamilyPrefix = "age-encryption.org/";
    internal const string StanzaPrefix = "-> ";
    internal const string MacLinePrefix = "---";
    internal const int ColumnsPerLine = 64;
    internal const int FileKeyLength = 16;
    internal const int KeyLength = 32;
    internal const int MacLength = 32;
    internal const int PayloadNonceLength = 16;
    internal const int AeadNonceLength = 12;
    internal const int TagLength = 16;
    internal const int ChunkLength = 64 * 1024;
    internal const int SealedChunkLength = ChunkLength + TagLength;

    /// <summary>A hostile header could be endless; a real one carries one short stanza per recipient.</summary>
    internal const int MaximumHeaderLength = 1 << 20;
    internal const int MaximumLineLength = 16 * 1024;

    internal const string X25519StanzaType = "X25519";
    internal const string ScryptStanzaType = "scrypt";
    internal const string RecipientPrefix = "age";
    internal const string IdentityPrefix = "age-secret-key-";

    internal static ReadOnlySpan<byte> X25519Label => "age-encryption.org/v1/X25519"u8;
    internal static ReadOnlySpan<byte> HeaderLabel => "header"u8;
    internal static ReadOnlySpan<byte> PayloadLabel => "payload"u8;

    /// <summary>What the first bytes of an input say it is: an age file, an armored age file, or something else.</summary>
    public static AgeInputKind Identify(ReadOnlySpan<byte> start)
    {
        if (StartsWith(start, VersionLine + "\n"))
        {
            return AgeInputKind.Binary;
        }

        if (StartsWith(start, ArmorLine))
        {
            return AgeInputKind.Armored;
        }

        return StartsWith(start, FamilyPrefix) ? AgeInputKind.OtherVersion : AgeInputKind.None;
    }

    private static bool StartsWith(ReadOnlySpan<byte> start, string text)
    {
        if (start.Length < text.Length)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (start[i] != text[i])
            {
                return false;
            }
        }

        return true;
    }
}
