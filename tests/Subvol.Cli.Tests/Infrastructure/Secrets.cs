using System.Security.Cryptography;
using System.Text.Json;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>Key files, passphrase files and marker strings for the encryption tests, and a look for a marker in a file's raw bytes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class Secrets
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A passphrase file of mode 0600 under <paramref name="directory"/>, ending in a line break as an editor leaves it.</summary>
    public static string PassphraseFile(string directory, string passphrase)
    {
        var path = Path.Combine(directory, $"passphrase-{Guid.NewGuid():N}");
        File.WriteAllText(path, passphrase + "\n");
        File.SetUnixFileMode(path, OwnerOnly);
        return path;
    }

    /// <summary>A key file of <paramref name="size"/> random bytes and mode 0600.</summary>
    public static string KeyFile(string directory, int size)
    {
        var path = Path.Combine(directory, $"key-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(size));
        File.SetUnixFileMode(path, OwnerOnly);
        return path;
    }

    /// <summary>A text no image holds by chance: what a marked file holds.</summary>
    public static string Marker() => $"subvol-marker-{Guid.NewGuid():N}";

    /// <summary>The name of the file that holds <paramref name="marker"/>, itself a marker of its own.</summary>
    public static string NameOf(string marker) => marker.Replace("marker", "name", StringComparison.Ordinal) + ".txt";

    /// <summary>Writes the marker into a file named for it, and syncs, so that both reach the image.</summary>
    public static void WriteMarker(string directory, string marker)
    {
        File.WriteAllText(Path.Combine(directory, NameOf(marker)), marker);
        Tools.Run("sync").ShouldSucceed();
    }

    /// <summary>Whether <paramref name="text"/> is anywhere in the file's bytes, as 'grep -a' sees them.</summary>
    public static bool Holds(string file, string text)
    {
        var grep = Tools.RunWithTimeout(TimeSpan.FromSeconds(300), "grep", "-a", "-q", "-F", text, file);
        Assert.True(grep.ExitCode is 0 or 1, $"grep failed: {grep}");
        return grep.ExitCode == 0;
    }

    /// <summary>The fscrypt key identifier (hex) that an image's identity records in its wrapped key.</summary>
    public static string KeyIdentifierOf(string image)
    {
        var identity = Linux.ExtendedAttribute.Get(image, "trusted.subvol.identity");
        Assert.NotNull(identity);
        using var document = JsonDocument.Parse(identity);
        var wrapped = document.RootElement.GetProperty("wrapped_key").GetBytesFromBase64();
        return Convert.ToHexString(wrapped, 36, 16);
    }
}
