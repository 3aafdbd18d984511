using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Subvol.Pools;

namespace Subvol.Accounting;

/// <summary>
/// The figures of the last reading of every extent map, kept in pool.db with a fingerprint of what they
/// depend on, so that a listing of thousands of snapshots does not map every image each time (FIEMAP of
/// a shared image walks XFS's reference counts, and that walk was most of a listing's cost). Snapshots
/// are immutable, so their extent maps change only when they come and go; what can change under them is
/// the set of images (the metadata rows), the snapshot directories (st_ctime moves when an entry is
/// added, removed or replaced) and the live subvolume images (st_ctime moves with every write, through
/// a loop device too, and no program can set it back). The fingerprint covers exactly those, so stored
/// figures are used only while a new reading would give the same ones; any other state reads the maps.
/// </summary>
internal sealed class StoredUsage(PoolSession session)
{
    /// <summary>
    /// A change within the kernel's timestamp granularity of the one before may leave st_ctime where it
    /// was, so figures read while anything changed that recently are not stored (the racy-clean rule of
    /// git's index, for the same reason).
    /// </summary>
    private static readonly long SettleNanoseconds = TimeSpan.FromSeconds(1).Ticks * 100;

    /// <summary>The stored figures when the pool is as it was when they were read; else a new reading, stored when the pool is settled.</summary>
    public UsageReading Read(IReadOnlyList<PoolImage> images, Func<UsageReading> readExtentMaps)
    {
        // The real clock, not Clock.Now: it is compared with the change times the kernel gives files.
        var startedAt = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var (fingerprint, newest) = Fingerprint(images);
        if (session.Database.GetUsageFigures() is { } stored && stored.Fingerprint == fingerprint && Parse(stored.Figures) is { } figures)
        {
            return figures;
        }

        var reading = readExtentMaps();
        if (newest < startedAt - SettleNanoseconds)
        {
            Store(fingerprint, reading);
        }

        return reading;
    }

    private (string Fingerprint, long NewestChange) Fingerprint(IReadOnlyList<PoolImage> images)
    {
        var text = new StringBuilder();
        long newest = 0;
        void Describe(string kind, string name, string path)
        {
            var status = session.Files.Status(path);
            newest = Math.Max(newest, status.ChangeTime);
            text.Append(CultureInfo.InvariantCulture, $"{kind} {name} {status.Kind} {status.Inode} {status.ChangeTime} {status.Size} {status.AllocatedBytes}\n");
        }

        foreach (var image in images)
        {
            if (image.IsSnapshot)
            {
                text.Append(CultureInfo.InvariantCulture, $"snapshot {image.Name}\n");
            }
            else
            {
                Describe("subvolume", image.Name, image.Path);
            }
        }

        foreach (var directory in images.Where(image => image.IsSnapshot).Select(image => image.Directory).Distinct(StringComparer.Ordinal))
        {
            Describe("directory", directory, directory);
        }

        return (Convert.ToHexString(Sha256(text)), newest);
    }

    /// <summary>The SHA-256 of the text's UTF-8, a block at a time: the text of thousands of snapshots is not copied twice over to be hashed.</summary>
    private static byte[] Sha256(StringBuilder text)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var encoder = Encoding.UTF8.GetEncoder();
        var block = new byte[16 * 1024];
        foreach (var chunk in text.GetChunks())
        {
            var rest = chunk.Span;
            while (!rest.IsEmpty)
            {
                encoder.Convert(rest, block, flush: false, out var charsUsed, out var bytesUsed, out _);
                hash.AppendData(block, 0, bytesUsed);
                rest = rest[charsUsed..];
            }
        }

        encoder.Convert([], block, flush: true, out _, out var last, out _);
        hash.AppendData(block, 0, last);
        return hash.GetHashAndReset();
    }

    /// <summary>Best effort: a read-only pool, or a writer holding the database, leaves the figures unstored, and the listing goes on.</summary>
    private void Store(string fingerprint, UsageReading reading)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{reading.Allocated}\n");
        foreach (var (name, figures) in reading.Images)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}\t{figures.Allocated}\t{figures.Referenced}\t{figures.Exclusive}\n");
        }

        try
        {
            session.Database.SetUsageFigures(fingerprint, text.ToString());
        }
        catch (SqliteException)
        {
        }
    }

    /// <summary>The stored text read back: the pool's allocated bytes on the first line, then NAME, allocated, referenced and exclusive bytes, one image a line.</summary>
    private static UsageReading? Parse(string text)
    {
        // Read in place, field by field: a string per field of thousands of lines was a large part of a listing.
        long? allocated = null;
        var images = new Dictionary<string, ImageFigures>(text.AsSpan().Count('\n'), StringComparer.Ordinal);
        Span<Range> fields = stackalloc Range[5];
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan(range);
            if (line.IsEmpty)
            {
                continue;
            }

            if (allocated is null)
            {
                if (!long.TryParse(line, CultureInfo.InvariantCulture, out var total))
                {
                    return null;
                }

                allocated = total;
                continue;
            }

            if (line.Split(fields, '\t') != 4
                || !long.TryParse(line[fields[1]], CultureInfo.InvariantCulture, out var imageAllocated)
                || !long.TryParse(line[fields[2]], CultureInfo.InvariantCulture, out var referenced)
                || !long.TryParse(line[fields[3]], CultureInfo.InvariantCulture, out var exclusive))
            {
                return null;
            }

            images[line[fields[0]].ToString()] = new ImageFigures(imageAllocated, referenced, exclusive);
        }

        return allocated is { } poolAllocated ? new UsageReading(images, poolAllocated) : null;
    }
}
