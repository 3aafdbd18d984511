using System.Security.Cryptography;

namespace Subvol.Stream.Age;

/// <summary>
/// An age identity file as age-keygen writes it: one AGE-SECRET-KEY-1… per line, '#' comments and blank lines. It
/// is read from bytes the caller zeroes afterwards, and no part of a line ever reaches a message, since any line of
/// the file may be a key.
/// </summary>
public static class AgeIdentityFile
{
    private const int LongestLine = 256;

    /// <summary>The identities of the file; <paramref name="name"/> names it in errors. The caller disposes them.</summary>
    /// <exception cref="FormatException">A line is neither a comment nor an identity, or the file holds none.</exception>
    public static IReadOnlyList<AgeIdentity> Parse(ReadOnlySpan<byte> text, string name)
    {
        var identities = new List<AgeIdentity>();
        Span<char> characters = stackalloc char[LongestLine];
        try
        {
            var number = 0;
            while (!text.IsEmpty)
            {
                number++;
                var end = text.IndexOf((byte)'\n');
                var line = (end < 0 ? text : text[..end]).Trim(" \t\r"u8);
                text = end < 0 ? [] : text[(end + 1)..];
                if (line.IsEmpty || line[0] == '#')
                {
                    continue;
                }

                if (line.Length > LongestLine || line.IndexOfAnyExceptInRange((byte)'!', (byte)'~') >= 0)
                {
                    throw NotAnIdentity(name, number);
                }

                for (var i = 0; i < line.Length; i++)
                {
                    characters[i] = (char)line[i];
                }

                identities.Add(AgeIdentity.TryParse(characters[..line.Length]) ?? throw NotAnIdentity(name, number));
            }
        }
        catch
        {
            identities.ForEach(identity => identity.Dispose());
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(characters));
        }

        return identities.Count > 0 ? identities : throw new FormatException($"{name} holds no age identity (AGE-SECRET-KEY-1… as age-keygen writes it)");
    }

    private static FormatException NotAnIdentity(string name, int line) =>
        new($"line {line} of {name} is not an age X25519 identity (AGE-SECRET-KEY-1… as age-keygen writes it; passphrases, SSH keys and plugins are not read)");
}
