using System.Globalization;
using Subvol.Pools;

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

    public void Save(Pools.PoolFiles files, string incoming)
    {
        var path = StatePath(incoming, Subvolume);
        var text = string.Join('\n',
            Snapshot,
            TargetGuid.ToString(),
            BaseGuid?.ToString() ?? "-",
            ImageSize.ToString(CultureInfo.InvariantCulture),
            ConfirmedOffset.ToString(CultureInfo.InvariantCulture),
            FileSystem,
            Created.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)) + "\n";
        // The names come from a stream, so the state file is written beneath the pool's root like everything else.
        files.WriteState(path, text);
    }

    public static PartialReceive? Load(Pools.PoolFiles files, string incoming, string subvolume)
    {
        var path = StatePath(incoming, subvolume);
        if (!files.Exists(ImagePath(incoming, subvolume)) || files.ReadLines(path) is not { } lines)
        {
            return null;
        }

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

    public static IEnumerable<string> Subvolumes(Pools.PoolFiles files, string incoming) =>
        files.List(incoming).Where(name => name.EndsWith(StateSuffix, StringComparison.Ordinal)).Select(name => name[..^StateSuffix.Length]);

    public static void Discard(Pools.PoolFiles files, string incoming, string subvolume)
    {
        files.Delete(ImagePath(incoming, subvolume));
        files.DeleteState(StatePath(incoming, subvolume));
    }
}
