using Subvol.Errors;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Space;

/// <summary>
/// A preallocated file in the pool's metadata directory that ordinary writes cannot use. When the
/// host is full, the next subvol command gives it up first, so that SQLite can open its log and
/// destroy, delete, receive --abort and check --repair can run; it is taken back when space allows.
/// </summary>
internal static class RepairReserve
{
    public const long Size = 64L << 20;

    /// <summary>Below this much free space SQLite may fail to open its write-ahead log and shared memory.</summary>
    private const long NearlyFull = 8L << 20;

    public static string PathIn(string metadataDirectory) => Path.Combine(metadataDirectory, "reserve");

    public static void ReleaseIfFull(Pools.PoolFiles files, string metadataDirectory)
    {
        var path = PathIn(metadataDirectory);
        if (files.Exists(path) && FileSystemStatistics.Get(files.Root).AvailableBytes < NearlyFull)
        {
            files.Delete(path);
        }
    }

    /// <summary>Takes the reserve back, as much of it as leaves room to spare; never throws.</summary>
    public static void Restore(Pools.PoolFiles files, string metadataDirectory)
    {
        try
        {
            var path = PathIn(metadataDirectory);
            var status = files.Status(path);
            var held = status.Kind == EntryKind.File ? status.Size : 0;
            var wanted = Math.Min(Size - held, FileSystemStatistics.Get(files.Root).AvailableBytes - 2 * NearlyFull);
            if (wanted <= 0)
            {
                return;
            }

            if (status.Kind == EntryKind.Missing)
            {
                files.CreateFile(path).Dispose();
            }

            files.Preallocate(path, held, wanted);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or SubvolException)
        {
            // Best effort: a pool without its reserve works, it only loses headroom for repairs.
        }
    }
}
