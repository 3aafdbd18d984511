namespace Subvol.Linux;

/// <summary>Mounting, unmounting and reading the mount table.</summary>
public static class Mounts
{
    private const string MountInfoPath = "/proc/self/mountinfo";

    /// <summary>Mounts <paramref name="source"/> on <paramref name="target"/> (mount(2)).</summary>
    public static void Mount(string source, string target, string fileSystemType, MountFlags flags, string? data) =>
        Interop.CheckIo(Interop.Libc.Mount(source, target, fileSystemType, (ulong)flags, data), "mount", target);

    /// <summary>
    /// Mounts <paramref name="source"/> on an open directory (opened with O_PATH), through its /proc/self/fd name, so that
    /// the mount lands on the very directory that was opened; <paramref name="targetPath"/> names it in errors.
    /// </summary>
    public static void Mount(string source, Microsoft.Win32.SafeHandles.SafeFileHandle target, string targetPath, string fileSystemType, MountFlags flags, string? data) =>
        Interop.CheckIo(Interop.Libc.Mount(source, ConfinedDirectory.DescriptorPath(target), fileSystemType, (ulong)flags, data), "mount", targetPath);

    /// <summary>
    /// Unmounts <paramref name="target"/> (umount2(2)); lazily (MNT_DETACH) detaches it now and finishes when it is no longer busy.
    /// A symbolic link there is not followed (UMOUNT_NOFOLLOW): a caller that checked what is mounted at a path unmounts
    /// that, not whatever a link swapped in since points at.
    /// </summary>
    public static void Unmount(string target, bool detachLazily = false) =>
        Interop.CheckIo(
            Interop.Libc.Umount2(target, Interop.Libc.UMOUNT_NOFOLLOW | (detachLazily ? Interop.Libc.MNT_DETACH : 0)), "umount", target);

    /// <summary>
    /// Unmounts <paramref name="target"/>, trying again while the kernel answers that it is busy, for up to
    /// <paramref name="patience"/>; then throws that answer. A mount is busy for an instant with nobody holding it: a loop
    /// device lets go of its image from a work queue a moment after it is gone, and a path lookup or statfs through the
    /// mount holds it while it runs. A program that keeps a file open there keeps it busy past the patience.
    /// </summary>
    public static void UnmountPatiently(string target, TimeSpan patience)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                Unmount(target);
                return;
            }
            catch (SystemCallException exception) when (exception.Errno == Errno.EBUSY && System.Diagnostics.Stopwatch.GetElapsedTime(started) < patience)
            {
                Thread.Sleep(25);
            }
        }
    }

    /// <summary>The mounts this process sees, in mount order.</summary>
    public static IReadOnlyList<MountEntry> Read() => MountInfoParser.ParseAll(File.ReadAllLines(MountInfoPath));

    /// <summary>The topmost mount on <paramref name="target"/>, or null.</summary>
    public static MountEntry? FindByTarget(string target)
    {
        var fullPath = Normalize(target);
        return Read().LastOrDefault(entry => entry.Target == fullPath);
    }

    /// <summary>Every mount of <paramref name="source"/> (a device such as /dev/loop3).</summary>
    public static IReadOnlyList<MountEntry> FindBySource(string source) =>
        Read().Where(entry => entry.Source == source).ToList();

    private static string Normalize(string path)
    {
        var fullPath = Path.GetFullPath(path);
        return fullPath.Length > 1 ? fullPath.TrimEnd('/') : fullPath;
    }
}
