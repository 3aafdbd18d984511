using System.Security.Cryptography;
using System.Text;

namespace Subvol.Stream.Age;

/// <summary>
/// The textual header of an age file: the version line, one stanza per recipient, and the MAC line, whose HMAC-SHA-256
/// under a key derived from the file key covers everything before it up to and including "---".
/// </summary>
internal sealed class AgeHeader
{
    private AgeHeader(IReadOnlyList<AgeStanza> stanzas, byte[] covered, byte[] mac)
    {
        Stanzas = stanzas;
        Covered = covered;
        Mac = mac;
    }

    public IReadOnlyList<AgeStanza> Stanzas { get; }

    /// <summary>The bytes the MAC covers.</summary>
    private byte[] Covered { get; }

    private byte[] Mac { get; }

    public static void Write(System.IO.Stream output, IReadOnlyList<AgeStanza> stanzas, ReadOnlySpan<byte> fileKey)
    {
        var text = new StringBuilder().Append(AgeFormat.VersionLine).Append('\n');
        foreach (var stanza in stanzas)
        {
            text.Append(AgeFormat.StanzaPrefix).Append(stanza.Type);
            foreach (var argument in stanza.Arguments)
            {
                text.Append(' ').Append(argument);
            }

            text.Append('\n');
            var body = RawBase64.Encode(stanza.Body);
            var start = 0;
            // Every body line is full but the last, which is shorter, if need be empty: that is how a reader finds the end.
            for (; body.Length - start >= AgeFormat.ColumnsPerLine; start += AgeFormat.ColumnsPerLine)
            {
                text.Append(body, start, AgeFormat.ColumnsPerLine).Append('\n');
            }

            text.Append(body, start, body.Length - start).Append('\n');
        }

        text.Append(AgeFormat.MacLinePrefix);
        var covered = Encoding.ASCII.GetBytes(text.ToString());
        var mac = ComputeMac(fileKey, covered);
        output.Write(covered);
        output.Write(Encoding.ASCII.GetBytes($" {RawBase64.Encode(mac)}\n"));
    }

    /// <summary>Reads the header from the start of <paramref name="input"/>, leaving the input at the payload's nonce.</summary>
    public static AgeHeader Read(System.IO.Stream input)
    {
        var covered = new MemoryStream();
        var version = ReadLine(input, covered) ?? throw Malformed("the input is empty");
        if (version != AgeFormat.VersionLine)
        {
            throw version.StartsWith(AgeFormat.FamilyPrefix, StringComparison.Ordinal)
                ? new AgeFormatException(AgeFormatError.Unsupported, $"the input is an age file of another version ({Printable(version)}); this Subvol reads {AgeFormat.VersionLine}")
                : Malformed("the input does not start with " + AgeFormat.VersionLine);
        }

        var stanzas = new List<AgeStanza>();
        while (true)
        {
            var lineStart = covered.Length;
            var line = ReadLine(input, covered) ?? throw Malformed("the header ends before its MAC line");
            if (line.StartsWith(AgeFormat.MacLinePrefix + " ", StringComparison.Ordinal))
            {
                var mac = RawBase64.TryDecode(line[(AgeFormat.MacLinePrefix.Length + 1)..]);
                if (mac is not { Length: AgeFormat.MacLength })
                {
                    throw Malformed("the header's MAC line does not hold a 32-byte MAC");
                }

                // The MAC covers the header up to and including "---", not the space and the MAC after it.
                var all = covered.ToArray();
                return new AgeHeader(stanzas, all[..(int)(lineStart + AgeFormat.MacLinePrefix.Length)], mac);
            }

            if (!line.StartsWith(AgeFormat.StanzaPrefix, StringComparison.Ordinal))
            {
                throw Malformed($"header line {stanzas.Count + 2} is neither a stanza (-> …) nor the MAC line (--- …)");
            }

            var words = line[AgeFormat.StanzaPrefix.Length..].Split(' ');
            if (words.Any(word => word.Length == 0 || word.Any(character => character is < '!' or > '~')))
            {
                throw Malformed("a stanza of the header has an empty or unprintable argument");
            }

            stanzas.Add(new AgeStanza(words[0], words[1..], ReadBody(input, covered)));
        }
    }

    /// <summary>Whether the MAC is the one <paramref name="fileKey"/> gives: only the holder of the file key can make it.</summary>
    public bool MacMatches(ReadOnlySpan<byte> fileKey) => CryptographicOperations.FixedTimeEquals(ComputeMac(fileKey, Covered), Mac);

    private static byte[] ComputeMac(ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> covered)
    {
        Span<byte> macKey = stackalloc byte[AgeFormat.KeyLength];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, macKey, salt: [], AgeFormat.HeaderLabel);
            return HMACSHA256.HashData(macKey, covered);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(macKey);
        }
    }

    private static byte[] ReadBody(System.IO.Stream input, MemoryStream covered)
    {
        var body = new StringBuilder();
        while (true)
        {
            var line = ReadLine(input, covered) ?? throw Malformed("the header ends inside a stanza's body");
            if (line.Length > AgeFormat.ColumnsPerLine)
            {
                throw Malformed($"a stanza's body line is longer than {AgeFormat.ColumnsPerLine} columns");
            }

            body.Append(line);
            if (line.Length < AgeFormat.ColumnsPerLine)
            {
                return RawBase64.TryDecode(body.ToString()) ?? throw Malformed("a stanza's body is not canonical unpadded base64");
            }
        }
    }

    /// <summary>One line without its newline, null at the end of the input; refuses lines and headers beyond the limits.</summary>
    private static string? ReadLine(System.IO.Stream input, MemoryStream covered)
    {
        var line = new StringBuilder();
        while (true)
        {
            var value = input.ReadByte();
            if (value < 0)
            {
                return line.Length == 0 ? null : throw Malformed("the header ends inside a line");
            }

            covered.WriteByte((byte)value);
            if (covered.Length > AgeFormat.MaximumHeaderLength)
            {
                throw Malformed($"the header is longer than {AgeFormat.MaximumHeaderLength} bytes");
            }

            if (value == '\n')
            {
                return line.ToString();
            }

            if (value is < ' ' or > '~' || line.Length >= AgeFormat.MaximumLineLength)
            {
                throw Malformed($"the header holds a byte that is not printable text, or a line longer than {AgeFormat.MaximumLineLength} bytes, at byte {covered.Length - 1}");
            }

            line.Append((char)value);
        }
    }

    private static string Printable(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static AgeFormatException Malformed(string message) => new(AgeFormatError.MalformedHeader, $"not a valid age header: {message}");
}
