using System.Buffers.Text;
using System.Text;

namespace Subvol.Daemon.Csi;

/// <summary>
/// The ListVolumes paging token: the name of the last volume a page returned, listing goes on after it in
/// ordinal order. A position by name, not by index, survives deletes between pages: a deleted volume
/// neither repeats the ones after it nor makes the listing skip one. It is base64url with a version
/// prefix, so that callers treat it as opaque and a token from elsewhere fails to decode.
/// </summary>
internal static class VolumeListToken
{
    private const string Prefix = "v1:";

    public static string After(string lastName) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Prefix + lastName));

    /// <summary>The name listing continues after, or null when the token is not one this driver gave out.</summary>
    public static string? TryDecode(string token)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        return text.StartsWith(Prefix, StringComparison.Ordinal) && VolumeNames.ParseVolumeId(text[Prefix.Length..]) is { } name ? name : null;
    }
}
