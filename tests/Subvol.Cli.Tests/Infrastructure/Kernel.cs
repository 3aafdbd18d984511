using System.Text;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>A mount as /proc/self/mountinfo lists it.</summary>
public sealed record MountEntry(string Target, string FileSystemType, string Source, IReadOnlyList<string> Options)
{
    public bool ReadOnly => Options.Contains("ro");
}

/// <summary>A loop device and the file behind it, from /sys/block/loopN/loop/backing_file.</summary>
public sealed record LoopEntry(string Device, string BackingFile);

/// <summary>Reads what the kernel says about mounts, loop devices and processes.</summary>
public static class Kernel
{
    public static IReadOnlyList<MountEntry> Mounts()
    {
        var mounts = new List<MountEntry>();
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root target options [optional fields] - type source super-options
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 7 || separator < 6 || separator + 2 >= fields.Length)
            {
                continue;
            }

            mounts.Add(new MountEntry(Unescape(fields[4]), fields[separator + 1], Unescape(fields[separator + 2]), fields[5].Split(',')));
        }

        return mounts;
    }

    public static MountEntry? MountAt(string target) =>
        Mounts().LastOrDefault(mount => mount.Target == Path.TrimEndingDirectorySeparator(Path.GetFullPath(target)));

    public static IReadOnlyList<LoopEntry> LoopDevices()
    {
        var devices = new List<LoopEntry>();
        if (!Directory.Exists("/sys/block"))
        {
            return devices;
        }

        foreach (var directory in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            var backing = Path.Combine(directory, "loop", "backing_file");
            try
            {
                if (File.Exists(backing))
                {
                    devices.Add(new LoopEntry("/dev/" + Path.GetFileName(directory), File.ReadAllText(backing).TrimEnd('\n')));
                }
            }
            catch (IOException)
            {
                // Detached while we looked.
            }
        }

        return devices;
    }

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

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var builder = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(string text, int start) =>
        start + 3 <= text.Length && text.Substring(start, 3).All(c => c is >= '0' and <= '7');
}
