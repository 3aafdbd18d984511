namespace Subvol.Linux;

/// <summary>Flags for mount(2), with the kernel's MS_ values.</summary>
[Flags]
public enum MountFlags : ulong
{
    None = 0,
    ReadOnly = 1,
    NoSuid = 2,
    NoDev = 4,
    NoExec = 8,
    Synchronous = 16,
    Remount = 32,
    NoAccessTime = 1024,
    NoDirectoryAccessTime = 2048,
    Bind = 4096,
}
