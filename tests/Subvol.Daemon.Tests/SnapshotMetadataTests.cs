using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

/// <summary>
/// CSI SnapshotMetadata (changed-block tracking): allocated and changed ranges checked against filefrag and a byte
/// comparison of the snapshot images, on a block volume written through its device and a mounted filesystem volume,
/// and every rule of the stream: ordering across messages, max_results, resuming at an offset, and the error codes.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class SnapshotMetadataTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;
    private const int Block = GroundTruth.Block;
    private const long BlockVolumeSize = 64 * MiB;

    [RootFact]
    public void ThePluginAdvertisesTheSnapshotMetadataService()
    {
        var services = fixture.Identity.GetPluginCapabilities(new GetPluginCapabilitiesRequest()).Capabilities.Select(capability => capability.Service?.Type);

        Assert.Contains(PluginCapability.Types.Service.Types.Type.SnapshotMetadataService, services);
    }

    [RootFact]
    public void ABlockVolumesAllocatedRangesAreTheImagesWrittenExtents()
    {
        var (_, target, _) = BlockVolumeWithTwoSnapshots(new Random(1));

        var messages = MetadataStream.Allocated(fixture.SnapshotMetadata, target);

        Assert.All(messages, message => Assert.Equal(BlockMetadataType.VariableLength, message.BlockMetadataType));
        var tuples = GroundTruth.AssertWellFormed(messages.Select(message => (message.VolumeCapacityBytes, (IReadOnlyList<BlockMetadata>)message.BlockMetadata)), BlockVolumeSize, 0, 0);
        Assert.Equal(GroundTruth.WrittenExtents(SnapshotImage(target)), tuples.Select(tuple => (tuple.ByteOffset, tuple.ByteOffset + tuple.SizeBytes)).ToList());
    }

    [RootFact]
    public void ABlockVolumesDeltaCoversEveryChangedByteAndLittleElse()
    {
        var (baseline, target, _) = BlockVolumeWithTwoSnapshots(new Random(2));

        var messages = MetadataStream.Delta(fixture.SnapshotMetadata, baseline, target);

        Assert.All(messages, message => Assert.Equal(BlockMetadataType.VariableLength, message.BlockMetadataType));
        var tuples = GroundTruth.AssertWellFormed(messages.Select(message => (message.VolumeCapacityBytes, (IReadOnlyList<BlockMetadata>)message.BlockMetadata)), BlockVolumeSize, 0, 0);
        GroundTruth.AssertDeltaCovers(tuples, SnapshotImage(baseline), SnapshotImage(target));
    }

    [RootFact]
    public void AFilesystemVolumesDeltaCoversEveryChangedByteAndLittleElse()
    {
        var random = new Random(3);
        var volume = fixture.CreateVolume(fixture.Unique("pvc-cbtfs"), 64 * MiB, "ext4", thin: true);
        var (staging, target) = fixture.StageAndPublish(volume.VolumeId);
        string baseline, changed;
        try
        {
            for (var i = 0; i < 6; i++)
            {
                WriteFile(Path.Combine(target, $"file{i}"), Bytes(random, 2 * (int)MiB), 0);
            }

            baseline = Snapshot(volume.VolumeId);
            // Rewrites in place, off block boundaries too, and a new file.
            for (var i = 0; i < 6; i++)
            {
                WriteFile(Path.Combine(target, $"file{i}"), Bytes(random, random.Next(1, 40000)), random.Next(0, (int)MiB));
            }

            WriteFile(Path.Combine(target, "new"), Bytes(random, (int)MiB), 0);
            changed = Snapshot(volume.VolumeId);
        }
        finally
        {
            fixture.UnpublishAndUnstage(volume.VolumeId, staging, target);
        }

        var tuples = GroundTruth.AssertWellFormed(
            MetadataStream.Delta(fixture.SnapshotMetadata, baseline, changed).Select(message => (message.VolumeCapacityBytes, (IReadOnlyList<BlockMetadata>)message.BlockMetadata)), 64 * MiB, 0, 0);
        GroundTruth.AssertDeltaCovers(tuples, SnapshotImage(baseline), SnapshotImage(changed));
        var allocated = GroundTruth.AssertWellFormed(
            MetadataStream.Allocated(fixture.SnapshotMetadata, changed).Select(message => (message.VolumeCapacityBytes, (IReadOnlyList<BlockMetadata>)message.BlockMetadata)), 64 * MiB, 0, 0);
        Assert.Equal(GroundTruth.WrittenExtents(SnapshotImage(changed)), allocated.Select(tuple => (tuple.ByteOffset, tuple.ByteOffset + tuple.SizeBytes)).ToList());
    }

    [RootFact]
    public void MessagesHoldAtMostMaxResultsAndPageTheSameAnswer()
    {
        var (baseline, target, _) = BlockVolumeWithTwoSnapshots(new Random(4));
        var whole = Delta(baseline, target, 0, 0);
        Assert.True(whole.Count > 10, $"only {whole.Count} changed ranges; the test needs several pages");

        foreach (var maxResults in new[] { 1, 3, 7 })
        {
            var messages = MetadataStream.Delta(fixture.SnapshotMetadata, baseline, target, 0, maxResults);
            Assert.True(messages.Count >= whole.Count / maxResults);
            Assert.Equal(whole, GroundTruth.AssertWellFormed(messages.Select(message => (message.VolumeCapacityBytes, (IReadOnlyList<BlockMetadata>)message.BlockMetadata)), BlockVolumeSize, maxResults, 0));
        }

        var allocated = MetadataStream.Allocated(fixture.SnapshotMetadata, target, 0, 2);
        Assert.Equal(
            GroundTruth.WrittenExtents(SnapshotImage(target)),
            GroundTruth.AssertWellFormed(allocated.Select(message => (message.VolumeCapacityBytes, (IReadOnlyList<BlockMetadata>)message.BlockMetadata)), BlockVolumeSize, 2, 0)
                .Select(tuple => (tuple.ByteOffset, tuple.ByteOffset + tuple.SizeBytes)).ToList());
    }

    [RootFact]
    public void AStreamResumedAtAnOffsetCarriesOnWithoutRepeatingOrSkipping()
    {
        var (baseline, target, _) = BlockVolumeWithTwoSnapshots(new Random(5));
        var whole = Delta(baseline, target, 0, 0);

        // Where a client that lost the stream would resume: after the last byte it had, inside a range, or between ranges.
        var offsets = new[] { whole[2].ByteOffset + whole[2].SizeBytes, whole[4].ByteOffset + 1, whole[5].ByteOffset - 1, BlockVolumeSize / 2 + 123 };
        foreach (var offset in offsets)
        {
            var resumed = Delta(baseline, target, offset, 3);

            var received = whole.Where(tuple => tuple.ByteOffset + tuple.SizeBytes <= offset);
            var expected = whole.Where(tuple => tuple.ByteOffset + tuple.SizeBytes > offset)
                .Select(tuple => tuple.ByteOffset >= offset ? tuple : new BlockMetadata { ByteOffset = offset, SizeBytes = tuple.ByteOffset + tuple.SizeBytes - offset });
            Assert.Equal(expected, resumed);
            Assert.True(offset < resumed[0].ByteOffset + resumed[0].SizeBytes);
            Assert.Equal(Bytes(whole), Bytes(received) + Bytes(resumed) + whole.Where(tuple => tuple.ByteOffset < offset && tuple.ByteOffset + tuple.SizeBytes > offset).Sum(tuple => offset - tuple.ByteOffset));
        }

        // The end of the volume is a valid offset with nothing after it: one message, with the capacity and no tuples.
        var atEnd = Assert.Single(MetadataStream.Delta(fixture.SnapshotMetadata, baseline, target, BlockVolumeSize));
        Assert.Equal(BlockVolumeSize, atEnd.VolumeCapacityBytes);
        Assert.Empty(atEnd.BlockMetadata);
    }

    [RootFact]
    public void RequestsThatCannotBeAnsweredGetTheCodesTheSpecNames()
    {
        var (baseline, target, volumeId) = BlockVolumeWithTwoSnapshots(new Random(6));
        var other = fixture.CreateVolume(fixture.Unique("pvc-cbtother"), 16 * MiB);
        var otherSnapshot = Snapshot(other.VolumeId);
        var client = fixture.SnapshotMetadata;

        // An unknown snapshot is NOT_FOUND, never UNAVAILABLE, which clients retry for ever.
        Expect.Status(StatusCode.NotFound, () => MetadataStream.Allocated(client, $"{volumeId}@missing"));
        Expect.Status(StatusCode.NotFound, () => MetadataStream.Allocated(client, "not-a-snapshot-id"));
        Expect.Status(StatusCode.NotFound, () => MetadataStream.Delta(client, $"{volumeId}@missing", target));
        Expect.Status(StatusCode.NotFound, () => MetadataStream.Delta(client, baseline, "pvc-gone@snapshot-gone"));

        Expect.Status(StatusCode.OutOfRange, () => MetadataStream.Allocated(client, target, BlockVolumeSize + 1));
        Expect.Status(StatusCode.OutOfRange, () => MetadataStream.Delta(client, baseline, target, BlockVolumeSize + Block));
        Expect.Status(StatusCode.OutOfRange, () => MetadataStream.Delta(client, baseline, target, -1));

        Expect.Status(StatusCode.InvalidArgument, () => MetadataStream.Allocated(client, ""));
        Expect.Status(StatusCode.InvalidArgument, () => MetadataStream.Delta(client, "", target));
        Expect.Status(StatusCode.InvalidArgument, () => MetadataStream.Delta(client, baseline, ""));
        Expect.Status(StatusCode.InvalidArgument, () => MetadataStream.Allocated(client, target, 0, -1));
        Expect.Status(StatusCode.InvalidArgument, () => MetadataStream.Delta(client, target, baseline));
        Expect.Status(StatusCode.InvalidArgument, () => MetadataStream.Delta(client, otherSnapshot, target));
    }

    /// <summary>
    /// A thin block volume published as a device: random data written through the device and synced, a snapshot,
    /// then scattered rewrites (some off block boundaries, so whole blocks count though only some bytes differ), a
    /// snapshot again. Returns both snapshot IDs and the volume ID.
    /// </summary>
    private (string Baseline, string Target, string VolumeId) BlockVolumeWithTwoSnapshots(Random random)
    {
        var request = DaemonFixture.CreateRequest(fixture.Unique("pvc-cbtblock"), BlockVolumeSize, thin: true);
        request.VolumeCapabilities[0] = DaemonFixture.BlockCapability();
        var volume = fixture.Controller.CreateVolume(request).Volume;
        var staging = fixture.NewStagingDirectory();
        var device = fixture.NewPath("device");
        var capability = DaemonFixture.BlockCapability();
        fixture.Node.NodeStageVolume(new NodeStageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging, VolumeCapability = capability });
        fixture.Node.NodePublishVolume(new NodePublishVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging, TargetPath = device, VolumeCapability = capability });
        try
        {
            for (var i = 0; i < 16; i++)
            {
                WriteFile(device, Bytes(random, random.Next(1, 32) * Block), random.Next(0, (int)(BlockVolumeSize / Block) - 32) * (long)Block);
            }

            var baseline = Snapshot(volume.VolumeId);
            for (var i = 0; i < 40; i++)
            {
                var aligned = i % 2 == 0;
                var length = aligned ? random.Next(1, 8) * Block : random.Next(1, 3 * Block);
                var offset = aligned ? random.Next(0, (int)(BlockVolumeSize / Block) - 8) * (long)Block : random.NextInt64(0, BlockVolumeSize - 3 * Block);
                WriteFile(device, Bytes(random, length), offset);
            }

            return (baseline, Snapshot(volume.VolumeId), volume.VolumeId);
        }
        finally
        {
            fixture.Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = volume.VolumeId, TargetPath = device });
            fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging });
        }
    }

    private List<BlockMetadata> Delta(string baseline, string target, long offset, int maxResults) =>
        MetadataStream.Delta(fixture.SnapshotMetadata, baseline, target, offset, maxResults).SelectMany(message => message.BlockMetadata).ToList();

    private string Snapshot(string volumeId) =>
        fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-cbt"), SourceVolumeId = volumeId }).Snapshot.SnapshotId;

    private string SnapshotImage(string snapshotId)
    {
        var at = snapshotId.IndexOf('@');
        return Path.Combine(fixture.PoolPath, "snapshots", snapshotId[..at], snapshotId[(at + 1)..] + ".img");
    }

    /// <summary>Writes and syncs, as an application that wants its data in the next snapshot does.</summary>
    private static void WriteFile(string path, byte[] bytes, long offset)
    {
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, 1);
        file.Position = offset;
        file.Write(bytes);
        file.Flush(flushToDisk: true);
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static long Bytes(IEnumerable<BlockMetadata> tuples) => tuples.Sum(tuple => tuple.SizeBytes);
}
