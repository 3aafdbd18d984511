using System.Globalization;
using Subvol.Linux;

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

    public static FreezeRecord Write(string directory, string subvolume, string mountPoint)
    {
        Directory.CreateDirectory(directory);
        var pid = Processes.CurrentId;
        var record = new FreezeRecord(System.IO.Path.Combine(directory, subvolume), pid, Processes.StartTime(pid), mountPoint);
        // No fsync: a freeze does not survive a reboot, so the record only has to outlive this process.
        File.WriteAllText(record.Path, string.Create(CultureInfo.InvariantCulture, $"{record.ProcessId}\n{record.ProcessStart}\n{record.MountPoint}\n"));

        return record;
    }

    public void Delete() => File.Delete(Path);

    public bool IsAbandoned()
    {
        if (!Processes.IsAlive(ProcessId))
        {
            return true;
        }

        // A recycled process id is not the freezer: compare start times too.
        return ProcessStart is { } start && Processes.StartTime(ProcessId) is { } now && now != start;
    }

    public static IReadOnlyList<FreezeRecord> ReadAll(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var records = new List<FreezeRecord>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var lines = File.ReadAllLines(path);
            if (lines.Length >= 3 && int.TryParse(lines[0], CultureInfo.InvariantCulture, out var pid))
            {
                long? start = long.TryParse(lines[1], CultureInfo.InvariantCulture, out var value) ? value : null;
                records.Add(new FreezeRecord(path, pid, start, lines[2]));
            }
        }

        return records;
    }

    /// <summary>Thaws every filesystem whose freezer died, and returns their mount points.</summary>
    public static IReadOnlyList<string> RecoverAbandoned(string directory)
    {
        var thawed = new List<string>();
        foreach (var record in ReadAll(directory))
        {
            if (record.IsAbandoned())
            {
                Freeze.TryThaw(record.MountPoint);
                record.Delete();
                thawed.Add(record.MountPoint);
            }
        }

        return thawed;
    }
}
