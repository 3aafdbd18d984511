using System.Security.Cryptography;
using Subvol.Stream.Age;

namespace Subvol.Cli.CommandLine;

/// <summary>
/// Reads the age keys a person names: recipients from the command line and from recipients files (public keys, so
/// they may be shown), and identities from an identity file, which must be closed to everyone but its owner (as ssh
/// insists for private keys), whose bytes are zeroed once read, and of which no byte ever reaches a message.
/// </summary>
internal static class AgeKeys
{
    /// <summary>An identity file holds a line or two; anything far larger is not one.</summary>
    private const int LargestIdentityFile = 64 * 1024;

    private const UnixFileMode OthersAccess =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static IReadOnlyList<AgeRecipient> Recipients(IReadOnlyList<string> recipients, IReadOnlyList<string> recipientFiles)
    {
        var all = new List<AgeRecipient>();
        try
        {
            all.AddRange(recipients.Select(text => AgeRecipientsFile.ParseRecipient(text.Trim(), "--encrypt-to")));
            foreach (var path in recipientFiles)
            {
                all.AddRange(AgeRecipientsFile.Parse(ReadText(path), path));
            }
        }
        catch (FormatException exception)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, exception.Message, exception);
        }

        return all.Distinct().ToList();
    }

    /// <summary>The identities of the file at <paramref name="path"/>; the caller disposes them, which zeroes them.</summary>
    public static IReadOnlyList<AgeIdentity> Identities(string path)
    {
        using var file = Open(path);
        // Subvol runs only on Linux; the check tells the platform analyzer so.
        var mode = OperatingSystem.IsLinux() ? File.GetUnixFileMode(file.SafeFileHandle) : throw new PlatformNotSupportedException();
        if ((mode & OthersAccess) != 0)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument,
                $"identity file {path} may be read or written by others (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}), so its keys may no longer be secret")
            {
                Remedy = new Remedy.Advice($"chmod 600 {path}, after making sure nobody else has read it"),
            };
        }

        // Read, not sized by its length, so that a pipe works too (--identity <(a password manager's output)).
        var bytes = GC.AllocateArray<byte>(LargestIdentityFile + 1, pinned: true);
        try
        {
            var length = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (length > LargestIdentityFile)
            {
                throw new SubvolException(SubvolErrorCode.InvalidArgument, $"{path} is larger than {LargestIdentityFile / 1024} KiB, far too large for an age identity file");
            }

            return AgeIdentityFile.Parse(bytes.AsSpan(0, length), path);
        }
        catch (FormatException exception)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, exception.Message, exception);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static string ReadText(string path)
    {
        using var file = Open(path);
        using var reader = new StreamReader(file);
        return reader.ReadToEnd();
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw ErrorTranslation.Translate(exception, path);
        }
    }
}
