using System.Security.Cryptography;

namespace Subvol.Stream.Age;

/// <summary>
/// Bech32 as BIP 173 defines it, without its length limit, as age spells keys: a human-readable part, '1', the data
/// in 5-bit groups and a six-character checksum. Decoding works on spans, so a secret key never becomes a string.
/// </summary>
internal static class Bech32
{
    private const string Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const int ChecksumLength = 6;
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    public static string Encode(string humanReadablePart, ReadOnlySpan<byte> data, bool upperCase = false)
    {
        var groups = new byte[(data.Length * 8 + 4) / 5];
        var count = ToFiveBitGroups(data, groups);
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        Checksum(humanReadablePart, groups.AsSpan(0, count), checksum);
        var text = new char[humanReadablePart.Length + 1 + count + ChecksumLength];
        humanReadablePart.CopyTo(text);
        text[humanReadablePart.Length] = '1';
        var position = humanReadablePart.Length + 1;
        foreach (var group in groups.AsSpan(0, count))
        {
            text[position++] = Alphabet[group];
        }

        foreach (var group in checksum)
        {
            text[position++] = Alphabet[group];
        }

        var encoded = new string(text);
        return upperCase ? encoded.ToUpperInvariant() : encoded;
    }

    /// <summary>
    /// Decodes <paramref name="text"/> into <paramref name="data"/> when its human-readable part is
    /// <paramref name="humanReadablePart"/> (lower case; the text may be all upper or all lower case), its checksum holds
    /// and it carries exactly <paramref name="data"/>'s length of bytes.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, string humanReadablePart, Span<byte> data)
    {
        var separator = text.LastIndexOf('1');
        if (separator != humanReadablePart.Length || text.Length - separator - 1 < ChecksumLength || !OneCase(text))
        {
            return false;
        }

        for (var i = 0; i < separator; i++)
        {
            if (char.ToLowerInvariant(text[i]) != humanReadablePart[i])
            {
                return false;
            }
        }

        var encoded = text[(separator + 1)..];
        var groups = encoded.Length <= 256 ? stackalloc byte[encoded.Length] : new byte[encoded.Length];
        try
        {
            for (var i = 0; i < encoded.Length; i++)
            {
                var value = Alphabet.IndexOf(char.ToLowerInvariant(encoded[i]));
                if (value < 0)
                {
                    return false;
                }

                groups[i] = (byte)value;
            }

            return Polymod(humanReadablePart, groups) == 1 && FromFiveBitGroups(groups[..^ChecksumLength], data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(groups);
        }
    }

    private static bool OneCase(ReadOnlySpan<char> text)
    {
        bool lower = false, upper = false;
        foreach (var character in text)
        {
            lower |= char.IsAsciiLetterLower(character);
            upper |= char.IsAsciiLetterUpper(character);
        }

        return !(lower && upper);
    }

    private static int ToFiveBitGroups(ReadOnlySpan<byte> data, Span<byte> groups)
    {
        int accumulator = 0, bits = 0, count = 0;
        foreach (var value in data)
        {
            accumulator = (accumulator << 8) | value;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                groups[count++] = (byte)((accumulator >> bits) & 31);
            }
        }

        if (bits > 0)
        {
            groups[count++] = (byte)((accumulator << (5 - bits)) & 31);
        }

        return count;
    }

    /// <summary>Regroups 5-bit values into bytes; the padding left over must be shorter than a group and all zero.</summary>
    private static bool FromFiveBitGroups(ReadOnlySpan<byte> groups, Span<byte> data)
    {
        int accumulator = 0, bits = 0, count = 0;
        foreach (var value in groups)
        {
            accumulator = ((accumulator << 5) | value) & 0xFFF;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                if (count == data.Length)
                {
                    return false;
                }

                data[count++] = (byte)((accumulator >> bits) & 0xFF);
            }
        }

        return count == data.Length && bits < 5 && (accumulator & ((1 << bits) - 1)) == 0;
    }

    private static void Checksum(string humanReadablePart, ReadOnlySpan<byte> groups, Span<byte> checksum)
    {
        Span<byte> padded = stackalloc byte[groups.Length + ChecksumLength];
        groups.CopyTo(padded);
        var polymod = Polymod(humanReadablePart, padded) ^ 1;
        for (var i = 0; i < ChecksumLength; i++)
        {
            checksum[i] = (byte)((polymod >> (5 * (5 - i))) & 31);
        }
    }

    private static uint Polymod(string humanReadablePart, ReadOnlySpan<byte> groups)
    {
        uint checksum = 1;
        foreach (var character in humanReadablePart)
        {
            checksum = Step(checksum, (byte)(character >> 5));
        }

        checksum = Step(checksum, 0);
        foreach (var character in humanReadablePart)
        {
            checksum = Step(checksum, (byte)(character & 31));
        }

        foreach (var group in groups)
        {
            checksum = Step(checksum, group);
        }

        return checksum;
    }

    private static uint Step(uint checksum, byte value)
    {
        var top = checksum >> 25;
        checksum = ((checksum & 0x1ffffff) << 5) ^ value;
        for (var i = 0; i < Generator.Length; i++)
        {
            if (((top >> i) & 1) != 0)
            {
                checksum ^= Generator[i];
            }
        }

        return checksum;
    }
}
