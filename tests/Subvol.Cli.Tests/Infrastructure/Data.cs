using System.Security.Cryptography;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>Random file contents written durably, and their checksums.</summary>
public static class Data
{
    /// <summary>Writes random bytes to a file, fsyncs it, and returns their SHA-256.</summary>
    public static string WriteRandom(string path, long bytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var buffer = new byte[1 << 20];
            for (long written = 0; written < bytes; written += buffer.Length)
            {
                var count = (int)Math.Min(buffer.Length, bytes - written);
                RandomNumberGenerator.Fill(buffer.AsSpan(0, count));
                stream.Write(buffer, 0, count);
                hash.AppendData(buffer, 0, count);
            }

            // FileStream.Flush(true) can return normally when fsync fails (ENOSPC on a full host); fsync(2) itself cannot.
            stream.Flush();
            Subvol.Linux.FileSync.Flush(stream.SafeFileHandle, path);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A checksum of every file under a directory, by relative path, to compare whole trees.</summary>
    public static SortedDictionary<string, string> Tree(string directory)
    {
        var tree = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(directory, path);
            if (relative.StartsWith("lost+found", StringComparison.Ordinal))
            {
                continue;
            }

            tree[relative] = Sha256(path);
        }

        return tree;
    }
}
