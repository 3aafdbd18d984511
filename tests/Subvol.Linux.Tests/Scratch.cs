namespace Subvol.Linux.Tests;

/// <summary>Scratch files for the tests, and waiting for the kernel to catch up.</summary>
internal static class Scratch
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static string NewSparseFile(string directory, string name, long size)
    {
        var path = Path.Combine(directory, name);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.SetLength(size);
        }

        return path;
    }

    /// <summary>Waits until <paramref name="condition"/> holds or time runs out, and returns whether it held.</summary>
    public static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }
}
