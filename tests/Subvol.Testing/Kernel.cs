using System.Text;
using Subvol.Linux;

namespace Subvol.Testing;

/// <summary>
/// What the kernel says about mounts, loop devices and processes. Mounts and loop devices are read
/// by the Linux layer itself (mountinfo unescaped, a loop device detached while listed left out),
/// so the tests see them exactly as Subvol does.
/// </summary>
public static class Kernel
{
    public static IReadOnlyList<MountEntry> Mounts() => Linux.Mounts.Read();

    /// <summary>The topmost mount on <paramref name="target"/>, or null.</summary>
    public static MountEntry? MountAt(string target) => Linux.Mounts.FindByTarget(target);

    /// <summary>The mounts on <paramref name="directory"/> or beneath it, in mount order.</summary>
    public static IReadOnlyList<MountEntry> MountsUnder(string directory) =>
        Mounts().Where(mount => IsUnder(mount.Target, directory)).ToList();

    public static IReadOnlyList<LoopDeviceInfo> LoopDevices() => LoopDevice.List();

    /// <summary>The loop devices whose backing file lies beneath <paramref name="directory"/>.</summary>
    public static IReadOnlyList<LoopDeviceInfo> LoopsUnder(string directory) =>
        LoopDevices().Where(loop => IsUnder(loop.BackingFile, directory)).ToList();

    public static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>Process ids whose environment mentions a string: the subvol processes a test started, and what they started.</summary>
    public static IReadOnlyList<int> ProcessesWithEnvironment(string text)
    {
        var found = new List<int>();
        var needle = Encoding.UTF8.GetBytes(text);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllBytes(Path.Combine(directory, "environ"));
                if (environment.AsSpan().IndexOf(needle) >= 0)
                {
                    found.Add(pid);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Gone, or a kernel thread.
            }
        }

        return found;
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "(gone)";
        }
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            // A zombie has exited: only its parent's wait is missing.
            var status = File.ReadAllText($"/proc/{pid}/stat");
            var state = status[(status.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
