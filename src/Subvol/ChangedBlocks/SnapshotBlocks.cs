using Microsoft.Win32.SafeHandles;

namespace Subvol.ChangedBlocks;

/// <summary>
/// The ranges changed-block tracking found, read from the images' extent maps as they are enumerated. The images
/// stay open until this is disposed, so the pool can be closed while a reader takes the ranges at its own pace.
/// </summary>
public sealed class SnapshotBlocks : IDisposable
{
    private readonly IReadOnlyList<SafeFileHandle> _images;
    private readonly IReadOnlyList<IDisposable> _walks;

    internal SnapshotBlocks(long volumeSize, IEnumerable<BlockRange> ranges, IReadOnlyList<SafeFileHandle> images, IReadOnlyList<IDisposable> walks)
    {
        VolumeSize = volumeSize;
        Ranges = ranges;
        _images = images;
        _walks = walks;
    }

    /// <summary>The size of the (target) snapshot, which every range lies within.</summary>
    public long VolumeSize { get; }

    /// <summary>Ascending, not overlapping, none touching the next, each ending after the starting offset; enumerate once.</summary>
    public IEnumerable<BlockRange> Ranges { get; }

    public void Dispose()
    {
        foreach (var walk in _walks)
        {
            walk.Dispose();
        }

        foreach (var image in _images)
        {
            image.Dispose();
        }
    }
}
