using System.Runtime.InteropServices;

namespace Subvol.Linux.Tests;

/// <summary>Pins the kernel structure layouts to the sizes and offsets in the x86_64 headers.</summary>
public sealed class StructLayoutTests
{
    [Fact]
    public unsafe void LoopInfo64MatchesLinuxLoopHeader()
    {
        Assert.Equal(232, sizeof(Interop.Libc.LoopInfo64));
        Assert.Equal(52, (int)Marshal.OffsetOf<Interop.Libc.LoopInfo64>(nameof(Interop.Libc.LoopInfo64.lo_flags)));
        Assert.Equal(56, (int)Marshal.OffsetOf<Interop.Libc.LoopInfo64>(nameof(Interop.Libc.LoopInfo64.lo_file_name)));
    }

    [Fact]
    public unsafe void LoopConfigMatchesLinuxLoopHeader()
    {
        Assert.Equal(304, sizeof(Interop.Libc.LoopConfig));
        Assert.Equal(8, (int)Marshal.OffsetOf<Interop.Libc.LoopConfig>(nameof(Interop.Libc.LoopConfig.info)));
    }

    [Fact]
    public unsafe void OpenHowMatchesLinuxOpenat2Header()
    {
        Assert.Equal(24, sizeof(Interop.Libc.OpenHow));
        Assert.Equal(16, (int)Marshal.OffsetOf<Interop.Libc.OpenHow>(nameof(Interop.Libc.OpenHow.resolve)));
    }

    [Fact]
    public unsafe void XfsEofBlocksMatchesXfsHeader()
    {
        Assert.Equal(128, sizeof(Interop.Libc.XfsEofBlocks));
        Assert.Equal(24, (int)Marshal.OffsetOf<Interop.Libc.XfsEofBlocks>(nameof(Interop.Libc.XfsEofBlocks.eof_min_file_size)));
    }

    [Fact]
    public unsafe void FsXattrMatchesLinuxFsHeader()
    {
        Assert.Equal(28, sizeof(Interop.Libc.FsXattr));
        Assert.Equal(16, (int)Marshal.OffsetOf<Interop.Libc.FsXattr>(nameof(Interop.Libc.FsXattr.fsx_cowextsize)));
    }

    [Fact]
    public unsafe void FiemapStructsMatchLinuxFiemapHeader()
    {
        Assert.Equal(32, sizeof(Interop.Libc.Fiemap));
        Assert.Equal(56, sizeof(Interop.Libc.FiemapExtent));
        Assert.Equal(40, (int)Marshal.OffsetOf<Interop.Libc.FiemapExtent>(nameof(Interop.Libc.FiemapExtent.fe_flags)));
    }

    [Fact]
    public unsafe void StatfsMatchesX8664Glibc()
    {
        Assert.Equal(120, sizeof(Interop.Libc.StatfsBuffer));
        Assert.Equal(64, (int)Marshal.OffsetOf<Interop.Libc.StatfsBuffer>(nameof(Interop.Libc.StatfsBuffer.f_namelen)));
    }

    [Fact]
    public unsafe void StatxMatchesLinuxStatHeader()
    {
        Assert.Equal(256, sizeof(Interop.Libc.StatxBuffer));
        Assert.Equal(48, (int)Marshal.OffsetOf<Interop.Libc.StatxBuffer>(nameof(Interop.Libc.StatxBuffer.stx_blocks)));
    }

    [Fact]
    public unsafe void FiemapRequestNumberEncodesTheStructSize()
    {
        // _IOWR('f', 11, struct fiemap): direction bits, the argument's size, the type letter and the number.
        var encoded = 0xC0000000UL | ((ulong)sizeof(Interop.Libc.Fiemap) << 16) | ('f' << 8) | 11;

        Assert.Equal(Interop.Libc.FS_IOC_FIEMAP, encoded);
    }

    [Fact]
    public unsafe void FscryptStructsMatchLinuxFscryptHeader()
    {
        Assert.Equal(40, sizeof(Interop.Libc.FscryptKeySpecifier));
        Assert.Equal(24, sizeof(Interop.Libc.FscryptPolicyV2));
        Assert.Equal(8, (int)Marshal.OffsetOf<Interop.Libc.FscryptPolicyV2>(nameof(Interop.Libc.FscryptPolicyV2.master_key_identifier)));
        Assert.Equal(32, sizeof(Interop.Libc.FscryptGetPolicyExArg));
        Assert.Equal(80, sizeof(Interop.Libc.FscryptAddKeyArg));
        Assert.Equal(40, (int)Marshal.OffsetOf<Interop.Libc.FscryptAddKeyArg>(nameof(Interop.Libc.FscryptAddKeyArg.raw_size)));
        Assert.Equal(64, sizeof(Interop.Libc.FscryptRemoveKeyArg));
        Assert.Equal(128, sizeof(Interop.Libc.FscryptGetKeyStatusArg));
        Assert.Equal(64, (int)Marshal.OffsetOf<Interop.Libc.FscryptGetKeyStatusArg>(nameof(Interop.Libc.FscryptGetKeyStatusArg.status)));
    }

    [Fact]
    public unsafe void FscryptRequestNumbersEncodeTheirStructSizes()
    {
        static ulong Encode(ulong direction, int size, int number) => (direction << 30) | ((ulong)(uint)size << 16) | ((ulong)'f' << 8) | (ulong)(uint)number;

        // _IOR is direction 2 and _IOWR 3; FS_IOC_SET_ENCRYPTION_POLICY names the 12-byte v1 policy, GET_ENCRYPTION_POLICY_EX a 9-byte array.
        Assert.Equal(Interop.Libc.FS_IOC_SET_ENCRYPTION_POLICY, Encode(2, 12, 19));
        Assert.Equal(Interop.Libc.FS_IOC_GET_ENCRYPTION_POLICY_EX, Encode(3, 9, 22));
        Assert.Equal(Interop.Libc.FS_IOC_ADD_ENCRYPTION_KEY, Encode(3, sizeof(Interop.Libc.FscryptAddKeyArg), 23));
        Assert.Equal(Interop.Libc.FS_IOC_REMOVE_ENCRYPTION_KEY, Encode(3, sizeof(Interop.Libc.FscryptRemoveKeyArg), 24));
        Assert.Equal(Interop.Libc.FS_IOC_GET_ENCRYPTION_KEY_STATUS, Encode(3, sizeof(Interop.Libc.FscryptGetKeyStatusArg), 26));
    }
}
