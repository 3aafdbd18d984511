namespace Subvol.Linux;

/// <summary>
/// Splits mount options as mount(8) writes them ("noatime,discard") into the per-mount flags that
/// mount(2) takes in mountflags and the filesystem-specific rest that it takes as data: XFS and ext4
/// refuse a flag such as "noatime" when it arrives in the data string.
/// </summary>
public static class MountOptionParser
{
    // MS_STRICTATIME, MS_RELATIME, MS_LAZYTIME and MS_DIRSYNC from linux/mount.h, which MountFlags does not name.
    private const ulong MS_DIRSYNC = 128;
    private const ulong MS_RELATIME = 1UL << 21;
    private const ulong MS_STRICTATIME = 1UL << 24;
    private const ulong MS_LAZYTIME = 1UL << 25;

    /// <summary>Options that would change what kind of mount is made rather than how; a caller never gets to choose them.</summary>
    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal)
    {
        "bind", "rbind", "remount", "move", "loop", "shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable",
    };

    /// <summary>The flags and data for <paramref name="options"/>; throws ArgumentException, naming the option, for one that is refused.</summary>
    public static (MountFlags Flags, string? Data) Parse(IEnumerable<string> options)
    {
        var flags = MountFlags.None;
        var data = new List<string>();
        foreach (var option in options.SelectMany(text => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (Refused.Contains(option))
            {
                // No parameter name: the message is shown to the person who typed the option, as it is.
                throw new ArgumentException($"mount option '{option}' is not allowed here");
            }

            switch (option)
            {
                case "defaults" or "rw" or "suid" or "dev" or "exec" or "async" or "atime" or "diratime":
                    break;
                case "ro":
                    flags |= MountFlags.ReadOnly;
                    break;
                case "nosuid":
                    flags |= MountFlags.NoSuid;
                    break;
                case "nodev":
                    flags |= MountFlags.NoDev;
                    break;
                case "noexec":
                    flags |= MountFlags.NoExec;
                    break;
                case "sync":
                    flags |= MountFlags.Synchronous;
                    break;
                case "noatime":
                    flags |= MountFlags.NoAccessTime;
                    break;
                case "nodiratime":
                    flags |= MountFlags.NoDirectoryAccessTime;
                    break;
                case "relatime":
                    flags |= (MountFlags)MS_RELATIME;
                    break;
                case "strictatime":
                    flags |= (MountFlags)MS_STRICTATIME;
                    break;
                case "lazytime":
                    flags |= (MountFlags)MS_LAZYTIME;
                    break;
                case "dirsync":
                    flags |= (MountFlags)MS_DIRSYNC;
                    break;
                default:
                    data.Add(option);
                    break;
            }
        }

        return (flags, data.Count == 0 ? null : string.Join(',', data));
    }
}
