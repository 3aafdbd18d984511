using System.Globalization;

namespace Subvol.Replication;

/// <summary>
/// An interrupted receive: its image in incoming/ and a small state file saying up to which
/// offset everything is applied and synced. That offset is what a resume token asks for.
/// </summary>
internal sealed record PartialReceive(string Subvolume, string Snapshot, Guid TargetGuid, Guid? BaseGuid, long ImageSize, long ConfirmedOffset, string FileSystem, DateTimeOffset Created)
{
    public const string ImageSuffix = ".receiving";
    public const string StateSuffix = ".resume";

    public static string ImagePath(string incoming, string subvolume) => Path.Combine(incoming, subvolume + ImageSuffix);

    public static string StatePath(string incoming, string subvolume) => Path.Combine(incoming, subvolume + StateSuffix);

    public void Save(string incoming)
    {
        var path = StatePath(incoming, Subvolume);
        var temporary = path + ".new";
        var text = string.Join('\n',
            Snapshot,
            TargetGuid.ToString(),
            BaseGuid?.ToString() ?? "-",
            ImageSize.ToString(CultureInfo.InvariantCulture),
            ConfirmedOffset.ToString(CultureInfo.InvariantCulture),
            FileSystem,
            Created.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)) + "\n";
        // The temporary name is fixed and lives where a stream's names lead, so never follow a link planted there.
        File.Delete(temporary);
        using (var handle = Linux.NoFollow.CreateNew(temporary))
        {
            RandomAccess.Write(handle, System.Text.Encoding.UTF8.GetBytes(text), 0);
            Linux.FileSync.Flush(handle, temporary);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static PartialReceive? Load(string incoming, string subvolume)
    {
        var path = StatePath(incoming, subvolume);
        if (!File.Exists(path) || !File.Exists(ImagePath(incoming, subvolume)))
        {
            return null;
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length < 7
            || !Guid.TryParse(lines[1], out var target)
            || !long.TryParse(lines[3], CultureInfo.InvariantCulture, out var size)
            || !long.TryParse(lines[4], CultureInfo.InvariantCulture, out var offset)
            || !long.TryParse(lines[6], CultureInfo.InvariantCulture, out var created))
        {
            return null;
        }

        Guid? baseGuid = Guid.TryParse(lines[2], out var parsed) ? parsed : null;
        return new PartialReceive(subvolume, lines[0], target, baseGuid, size, offset, lines[5], DateTimeOffset.FromUnixTimeMilliseconds(created));
    }

    public static IEnumerable<string> Subvolumes(string incoming) =>
        Directory.Exists(incoming)
            ? Directory.EnumerateFiles(incoming, "*" + StateSuffix).Select(path => Path.GetFileName(path)[..^StateSuffix.Length])
            : [];

    public static void Discard(string incoming, string subvolume)
    {
        File.Delete(ImagePath(incoming, subvolume));
        File.Delete(StatePath(incoming, subvolume));
        File.Delete(StatePath(incoming, subvolume) + ".new");
    }
}
