using System.Globalization;

namespace Subvol.Linux;

/// <summary>Facts about processes, for telling whether a lock or freeze record's owner still runs.</summary>
public static class Processes
{
    public static int CurrentId => Environment.ProcessId;

    /// <summary>The effective user id (geteuid(2)); 0 is root.</summary>
    public static uint EffectiveUserId => Interop.Libc.GetEUid();

    /// <summary>Whether <paramref name="pid"/> names a running process (kill(2) with signal 0), not counting a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (Interop.Libc.Kill(pid, 0) != 0)
        {
            // EPERM: it exists but belongs to someone else.
            return Interop.GetExceptionForLastError("kill", null).Errno == Errno.EPERM;
        }

        // A zombie has ended and waits only to be reaped; its state is field 3 of /proc/PID/stat.
        return StatFields(pid) is not { } fields || fields.Length < 1 || fields[0] != "Z";
    }

    /// <summary>When <paramref name="pid"/> started, in clock ticks after boot (proc_pid_stat(5) field 22), or null when it is gone.</summary>
    public static long? StartTime(int pid)
    {
        // Fields after the command name start at field 3, so field 22 is index 19.
        const int startTimeIndex = 22 - 3;
        return StatFields(pid) is { } fields && fields.Length > startTimeIndex
            && long.TryParse(fields[startTimeIndex], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? ticks
            : null;
    }

    // The command name (field 2) is in parentheses and may hold spaces and ')', so split after its last ')'.
    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var end = text.LastIndexOf(')');
        return end < 0 ? null : text[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
