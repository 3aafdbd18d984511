namespace Subvol.Linux;

/// <summary>A name's kind, permission bits (the low 12 bits of st_mode), size and allocated bytes, as statx(2) gives them.</summary>
public readonly record struct EntryStatus(EntryKind Kind, int Mode, long Size, long AllocatedBytes)
{
    public static EntryStatus Missing => new(EntryKind.Missing, 0, 0, 0);

    public long Inode { get; init; }

    /// <summary>The owning user id (st_uid).</summary>
    public uint Owner { get; init; }

    /// <summary>The owning group id (st_gid).</summary>
    public uint Group { get; init; }

    /// <summary>The status change time (st_ctime) in nanoseconds since 1970: it moves with every write and every change of metadata, and no program can set it.</summary>
    public long ChangeTime { get; init; }
}
