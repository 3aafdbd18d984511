namespace Subvol.Linux;

/// <summary>One line of /proc/self/mountinfo (proc_pid_mountinfo(5)), with its paths unescaped.</summary>
public sealed record MountEntry(int MountId, string Source, string Target, string FileSystemType, string MountOptions, string SuperOptions);
