namespace Subvol.Linux;

/// <summary>What a name in a directory is, seen without following it.</summary>
public enum EntryKind
{
    Missing,
    File,
    Directory,
    SymbolicLink,
    Other,
}
