using System.Globalization;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Safety;

/// <summary>
/// A file that says "this process froze that filesystem". It exists only between freeze and thaw,
/// so a record whose process is gone marks a filesystem that must be thawed.
/// </summary>
internal sealed class FreezeRecord
{
    private FreezeRecord(string path, int processId, long? processStart, string mountPoint)
    {
        Path = path;
        ProcessId = processId;
        ProcessStart = processStart;
        MountPoint = mountPoint;
    }

    public string Path { get; }

    public int ProcessId { get; }

    public long? ProcessStart { get; }

    public string MountPoint { get; }

    public static FreezeRecord Write(Pools.PoolFiles files, string directory, string subvolume, string mountPoint)
    {
        files.CreateDirectory(directory);
        var pid = Processes.CurrentId;
        var record = new FreezeRecord(System.IO.Path.Combine(directory, subvolume), pid, Processes.StartTime(pid), mountPoint);
        // A freeze ends with its process or with the machine, so the record must reach other processes, not the disk: a reboot
        // thaws everything, and a record it left behind names a dead process, which opening the pool clears anyway.
        files.WriteState(record.Path, string.Create(CultureInfo.InvariantCulture, $"{record.ProcessId}\n{record.ProcessStart}\n{record.MountPoint}\n"), durable: false);
        return record;
    }

    public void Delete(Pools.PoolFiles files) => files.Delete(Path);

    public bool IsAbandoned()
    {
        if (!Processes.IsAlive(ProcessId))
        {
            return true;
        }

        // A recycled process id is not the freezer: compare start times too.
        return ProcessStart is { } start && Processes.StartTime(ProcessId) is { } now && now != start;
    }

    public static IReadOnlyList<FreezeRecord> ReadAll(Pools.PoolFiles files, string directory)
    {
        // A link in place of the directory is reported by check; records are read only from the real one.
        var records = new List<FreezeRecord>();
        if (files.Status(directory).Kind != EntryKind.Directory)
        {
            return records;
        }

        foreach (var name in files.List(directory).Where(name => !name.EndsWith(Pools.PoolFiles.StateTemporarySuffix, StringComparison.Ordinal)))
        {
            // Anything but a regular file here is not a record; check reports it.
            var path = System.IO.Path.Combine(directory, name);
            if (files.Status(path).Kind != EntryKind.File)
            {
                continue;
            }

            var lines = files.ReadLines(path) ?? [];
            if (lines.Length >= 3 && int.TryParse(lines[0], CultureInfo.InvariantCulture, out var pid))
            {
                long? start = long.TryParse(lines[1], CultureInfo.InvariantCulture, out var value) ? value : null;
                records.Add(new FreezeRecord(path, pid, start, lines[2]));
            }
        }

        return records;
    }

    /// <summary>
    /// Thaws every filesystem whose freezer died, and returns the mount points it thawed. A record is a file, and mount
    /// state is never taken from a file: its mount point is thawed only while <paramref name="mountedAt"/> (which asks
    /// the kernel) finds the subvolume the record is named for mounted there, so a stale or damaged record cannot thaw
    /// what another program froze.
    /// </summary>
    public static IReadOnlyList<string> RecoverAbandoned(Pools.PoolFiles files, string directory, Func<string, string, bool> mountedAt)
    {
        var thawed = new List<string>();
        foreach (var record in ReadAll(files, directory))
        {
            if (!record.IsAbandoned())
            {
                continue;
            }

            if (mountedAt(System.IO.Path.GetFileName(record.Path), record.MountPoint) && Freeze.TryThaw(record.MountPoint))
            {
                thawed.Add(record.MountPoint);
            }

            record.Delete(files);
        }

        return thawed;
    }
}
