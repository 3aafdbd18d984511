using System.Runtime.InteropServices;

namespace Subvol.Linux;

/// <summary>A file's extents, from FS_IOC_FIEMAP (the kernel's Documentation/filesystems/fiemap.rst).</summary>
public static class ExtentMap
{
    private const int Batch = 512;

    /// <summary>Every extent of <paramref name="path"/>, after its dirty data is written (FIEMAP_FLAG_SYNC).</summary>
    public static IReadOnlyList<Extent> Read(string path)
    {
        using var file = Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0), "open", path);
        return Read(file, path);
    }

    /// <summary>Every extent of the open file; <paramref name="path"/> names it in errors.</summary>
    public static unsafe IReadOnlyList<Extent> Read(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path)
    {
        var size = sizeof(Interop.Libc.Fiemap) + Batch * sizeof(Interop.Libc.FiemapExtent);
        var buffer = NativeMemory.AllocZeroed((nuint)size);
        try
        {
            var header = (Interop.Libc.Fiemap*)buffer;
            var extents = (Interop.Libc.FiemapExtent*)(header + 1);
            var result = new List<Extent>();
            ulong start = 0;
            while (true)
            {
                *header = default;
                header->fm_start = start;
                header->fm_length = Interop.Libc.FIEMAP_MAX_OFFSET - start;
                header->fm_flags = Interop.Libc.FIEMAP_FLAG_SYNC;
                header->fm_extent_count = Batch;
                Interop.CheckIo(Interop.Libc.Ioctl(file, Interop.Libc.FS_IOC_FIEMAP, header), "FS_IOC_FIEMAP", path);

                var mapped = (int)header->fm_mapped_extents;
                if (mapped == 0)
                {
                    return result;
                }

                for (var i = 0; i < mapped; i++)
                {
                    var extent = extents[i];
                    result.Add(new Extent((long)extent.fe_logical, (long)extent.fe_physical, (long)extent.fe_length, (ExtentFlags)extent.fe_flags));
                }

                var last = extents[mapped - 1];
                if ((last.fe_flags & Interop.Libc.FIEMAP_EXTENT_LAST) != 0)
                {
                    return result;
                }

                start = last.fe_logical + last.fe_length;
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }
}
