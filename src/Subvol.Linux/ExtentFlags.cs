namespace Subvol.Linux;

/// <summary>FIEMAP_EXTENT_* flags from linux/fiemap.h.</summary>
[Flags]
public enum ExtentFlags : uint
{
    None = 0,
    Last = 0x1,
    Unknown = 0x2,
    DelayedAllocation = 0x4,
    Encoded = 0x8,
    DataEncrypted = 0x80,
    NotAligned = 0x100,
    DataInline = 0x200,
    DataTail = 0x400,
    Unwritten = 0x800,
    Merged = 0x1000,
    Shared = 0x2000,
}
