namespace Subvol.Linux;

/// <summary>A name's kind, permission bits (the low 12 bits of st_mode), size and allocated bytes, as statx(2) gives them.</summary>
public readonly record struct EntryStatus(EntryKind Kind, int Mode, long Size, long AllocatedBytes)
{
    public static EntryStatus Missing => new(EntryKind.Missing, 0, 0, 0);
}
