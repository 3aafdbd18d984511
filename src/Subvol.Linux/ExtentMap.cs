using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

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
    public static IReadOnlyList<Extent> Read(SafeFileHandle file, string path) => ReadFrom(file, path, 0).ToList();

    /// <summary>
    /// The extents of the open file that end after <paramref name="start"/>, in ascending order, read one batch
    /// at a time as they are enumerated: the kernel searches its map for the offset, so starting late costs
    /// nothing for the extents before it. The first extent may begin before <paramref name="start"/>.
    /// </summary>
    public static IEnumerable<Extent> ReadFrom(SafeFileHandle file, string path, long start)
    {
        var next = (ulong)start;
        while (true)
        {
            var batch = ReadBatch(file, path, next, out var last);
            foreach (var extent in batch)
            {
                yield return extent;
            }

            if (last || batch.Count == 0)
            {
                yield break;
            }

            next = (ulong)(batch[^1].Logical + batch[^1].Length);
        }
    }

    /// <summary>Up to one batch of extents from <paramref name="start"/>; <paramref name="last"/> is set when the kernel marks the file's last extent.</summary>
    private static unsafe List<Extent> ReadBatch(SafeFileHandle file, string path, ulong start, out bool last)
    {
        var size = sizeof(Interop.Libc.Fiemap) + Batch * sizeof(Interop.Libc.FiemapExtent);
        var buffer = NativeMemory.AllocZeroed((nuint)size);
        try
        {
            var header = (Interop.Libc.Fiemap*)buffer;
            var extents = (Interop.Libc.FiemapExtent*)(header + 1);
            header->fm_start = start;
            header->fm_length = Interop.Libc.FIEMAP_MAX_OFFSET - start;
            header->fm_flags = Interop.Libc.FIEMAP_FLAG_SYNC;
            header->fm_extent_count = Batch;
            Interop.CheckIo(Interop.Libc.Ioctl(file, Interop.Libc.FS_IOC_FIEMAP, header), "FS_IOC_FIEMAP", path);

            var mapped = (int)header->fm_mapped_extents;
            var result = new List<Extent>(mapped);
            for (var i = 0; i < mapped; i++)
            {
                var extent = extents[i];
                result.Add(new Extent((long)extent.fe_logical, (long)extent.fe_physical, (long)extent.fe_length, (ExtentFlags)extent.fe_flags));
            }

            last = mapped > 0 && (extents[mapped - 1].fe_flags & Interop.Libc.FIEMAP_EXTENT_LAST) != 0;
            return result;
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }
}
