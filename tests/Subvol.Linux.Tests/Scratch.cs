namespace Subvol.Linux.Tests;

/// <summary>Cleanup shared by the fixture and tests: unmount and detach everything under a directory.</summary>
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

    public static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);

    public static IReadOnlyList<MountEntry> MountsUnder(string directory) =>
        Mounts.Read().Where(mount => IsUnder(mount.Target, directory)).ToList();

    public static IReadOnlyList<LoopDeviceInfo> LoopsUnder(string directory) =>
        LoopDevice.List().Where(device => IsUnder(device.BackingFile, directory)).ToList();

    /// <summary>Thaws, unmounts and detaches everything under <paramref name="directory"/>, innermost first.</summary>
    public static void Release(string directory)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var mounts = MountsUnder(directory);
            var loops = LoopsUnder(directory);
            if (mounts.Count == 0 && loops.Count == 0)
            {
                return;
            }

            var late = DateTime.UtcNow > deadline;
            foreach (var mount in mounts.Reverse())
            {
                Ignore(() => Freeze.TryThaw(mount.Target));
                Ignore(() => Mounts.Unmount(mount.Target, detachLazily: late));
            }

            // A loop device still mounted cannot go; those left are retried after their mounts are gone.
            foreach (var loop in loops.Where(loop => Mounts.FindBySource(loop.DevicePath).Count == 0))
            {
                Ignore(() => LoopDevice.DetachDevice(loop.DevicePath, loop.BackingFile));
            }

            if (late && DateTime.UtcNow > deadline + Patience)
            {
                return;
            }

            Thread.Sleep(50);
        }
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

    private static void Ignore(Action action)
    {
        try
        {
            action();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Cleanup goes on; whatever is left is reported by the leak check.
        }
    }
}
