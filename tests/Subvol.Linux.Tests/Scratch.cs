namespace Subvol.Linux.Tests;

/// <summary>Scratch files for the tests, and waiting for the kernel to catch up.</summary>
internal static class Scratch
{
    /// <summary>How long the kernel gets for what it finishes in the background, such as an auto-clearing loop device going away.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static string NewSparseFile(string directory, string name, long size)
    {
        var path = Path.Combine(directory, name);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.SetLength(size);
        }

        return path;
    }
}
