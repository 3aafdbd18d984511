using Subvol.Cli.Tests.Infrastructure;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// send | receive between two pools gives snapshots byte for byte equal to the sender's, whose
/// filesystems check clean: full and incremental streams, chains, compression, ext4, grown
/// subvolumes and holes punched by fstrim.
/// </summary>
public sealed class ReplicationRoundTripTests(ReplicationPools pools) : IClassFixture<ReplicationPools>
{
    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    [RootFact]
    public void Full_stream_creates_the_subvolume_and_a_byte_identical_snapshot_that_keeps_the_senders_guid()
    {
        var streams = pools.NewDirectory("full");
        var random = new Random(1);
        Source.Create("full", "320M");
        var mountPoint = Source.Mount("full");
        Directory.CreateDirectory(Path.Combine(mountPoint, "dir"));
        WriteRandomFile(Path.Combine(mountPoint, "dir", "big.bin"), random, 24 * MiB);
        WriteRandomFile(Path.Combine(mountPoint, "small.bin"), random, 5000);
        var tree = Data.Tree(mountPoint);
        Source.Snapshot("full@s1");
        Source.Unmount("full");

        var file = Replicate(Source, Destination, streams, "full", "s1");

        var records = pools.Dump(file);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, Begin(records).GetProperty("base").ValueKind);
        Assert.Empty(OfKind(records, "hole"));
        Assert.Contains("full", Destination.SubvolumeNames());
        Assert.Equal(["full@s1"], Destination.AllSnapshots().Where(name => name.StartsWith("full@", StringComparison.Ordinal)));
        Assert.Equal(Source.Guid("full", "s1"), Destination.Guid("full", "s1"));
        Assert.Contains("i", Tools.Run("lsattr", Destination.SnapshotImage("full", "s1")).ShouldSucceed().Stdout.Split(' ')[0]);

        // The same stream again: the pool already holds that snapshot.
        var checksum = Data.Sha256(Destination.SnapshotImage("full", "s1"));
        Receive(Destination, "full", file).ShouldFailWith(4);
        Receive(Destination, "full-again", file).ShouldFailWith(4);
        Assert.DoesNotContain("full-again", Destination.SubvolumeNames());
        Assert.Equal(checksum, Data.Sha256(Destination.SnapshotImage("full", "s1")));

        // The subvolume a full stream brings along is the snapshot, under the source's filesystem UUID (later receives move it
        // to each new snapshot, so renewing the UUID would cost a log rewrite each time), and mounts.
        Assert.Equal(Tools.FileSystemUuid(Source.SnapshotImage("full", "s1")), Tools.FileSystemUuid(Destination.SubvolumeImage("full")));
        var received = Destination.Mount("full");
        Assert.Equal(tree, Data.Tree(received));
        Destination.Unmount("full");
        Destination.CheckConsistent();
    }

    /// <summary>Replicating to another pool of the same host (subvol replicate does) must not leave two filesystems with one UUID that XFS refuses to mount together.</summary>
    [RootFact]
    public void Subvolume_made_by_a_full_receive_mounts_beside_its_source_on_the_same_host()
    {
        var streams = pools.NewDirectory("beside");
        Source.Create("beside", "320M");
        var sourceMount = Source.Mount("beside");
        WriteRandomFile(Path.Combine(sourceMount, "data.bin"), new Random(8), 4 * MiB);
        var tree = Data.Tree(sourceMount);
        Source.Snapshot("beside@s1");
        Replicate(Source, Destination, streams, "beside", "s1");

        var mount = Destination.Run("mount", "beside");
        try
        {
            Assert.True(mount.ExitCode == 0, $"the received subvolume should mount while its source is mounted: {mount}\n{Tools.Run("dmesg").Stdout.Split('\n').Where(line => line.Contains("XFS", StringComparison.Ordinal)).TakeLast(3).Aggregate("", (all, line) => all + line + "\n")}");
            Assert.Equal(tree, Data.Tree(Path.Combine(Destination.Path, "mounts", "beside")));
        }
        finally
        {
            if (mount.ExitCode == 0)
            {
                Destination.Unmount("beside");
            }

            Source.Unmount("beside");
        }
    }

    [RootFact]
    public void Incremental_stream_carries_only_the_changes_and_rebuilds_an_identical_snapshot()
    {
        var streams = pools.NewDirectory("incremental");
        var random = new Random(2);
        Source.Create("inc", "320M");
        var mountPoint = Source.Mount("inc");
        var data = Path.Combine(mountPoint, "data.bin");
        WriteRandomFile(data, random, 64 * MiB);
        Source.Snapshot("inc@s1");
        var full = Replicate(Source, Destination, streams, "inc", "s1");

        var written = WriteAtRandomOffsets(data, random, writes: 40, maxOffset: 64 * MiB, maxLength: 64 * (int)KiB);
        Source.Snapshot("inc@s2");
        Source.Unmount("inc");
        var incremental = Replicate(Source, Destination, streams, "inc", "s2", fromSnapshot: "s1");

        var records = pools.Dump(incremental);
        Assert.Equal(Source.Guid("inc", "s1"), Begin(records).GetProperty("base").GetString());
        Assert.Equal(Source.Guid("inc", "s2"), Begin(records).GetProperty("target").GetString());
        var dataBytes = End(records).GetProperty("data_bytes").GetInt64();
        var fullBytes = End(pools.Dump(full)).GetProperty("data_bytes").GetInt64();
        Assert.True(dataBytes >= written / 2, $"the incremental stream carries {dataBytes} bytes of data for {written} bytes rewritten: too little to hold the changes");
        Assert.True(dataBytes < fullBytes / 4, $"the incremental stream carries {dataBytes} bytes of data, the full one {fullBytes}: it should carry only the changes");
        AssertSameSnapshot(Source, Destination, "inc", "s1");

        // The received snapshot owns its data: destroying its base on the receiver changes nothing.
        Destination.Run("destroy", "inc@s1").ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "inc", "s2");
        Destination.CheckConsistent();
    }

    /// <summary>As a dataset does under zfs receive, the receiver's subvolume follows the stream while nobody writes to it.</summary>
    [RootFact]
    public void Incremental_receive_moves_an_unwritten_subvolume_to_the_received_snapshot()
    {
        var streams = pools.NewDirectory("follows");
        var random = new Random(6);
        Source.Create("follows", "320M");
        var mountPoint = Source.Mount("follows");
        WriteRandomFile(Path.Combine(mountPoint, "data.bin"), random, 8 * MiB);
        Source.Snapshot("follows@s1");
        Replicate(Source, Destination, streams, "follows", "s1");

        for (var step = 2; step <= 3; step++)
        {
            WriteRandomFile(Path.Combine(mountPoint, $"more-{step}.bin"), random, 4 * MiB);
            Source.Snapshot($"follows@s{step}");
            Replicate(Source, Destination, streams, "follows", $"s{step}", fromSnapshot: $"s{step - 1}");
            AssertSubvolumeHolds(Destination, "follows", $"s{step}");
        }

        var tree = Data.Tree(mountPoint);
        Source.Unmount("follows");
        Assert.Equal(tree, Data.Tree(Destination.Mount("follows")));
        Destination.Unmount("follows");
        Destination.CheckConsistent();
    }

    [RootFact]
    public void Chain_of_five_incrementals_with_random_writes_gives_five_identical_snapshots()
    {
        var streams = pools.NewDirectory("chain");
        var random = new Random(3);
        Source.Create("chain", "400M");
        var mountPoint = Source.Mount("chain");
        WriteRandomFile(Path.Combine(mountPoint, "base.bin"), random, 32 * MiB);
        Source.Snapshot("chain@c0");
        Replicate(Source, Destination, streams, "chain", "c0");

        for (var step = 1; step <= 5; step++)
        {
            WriteAtRandomOffsets(Path.Combine(mountPoint, "base.bin"), random, writes: 25, maxOffset: 40 * MiB, maxLength: 256 * (int)KiB);
            WriteAtRandomOffsets(Path.Combine(mountPoint, $"new-{step}.bin"), random, writes: 5, maxOffset: 4 * MiB, maxLength: 512 * (int)KiB);
            Source.Snapshot($"chain@c{step}");
            Replicate(Source, Destination, streams, "chain", $"c{step}", fromSnapshot: $"c{step - 1}");
        }

        Source.Unmount("chain");
        // Later receives never touch earlier snapshots.
        for (var step = 0; step <= 5; step++)
        {
            AssertSameSnapshot(Source, Destination, "chain", $"c{step}");
        }

        Assert.Equal(Enumerable.Range(0, 6).Select(step => $"chain@c{step}"), Destination.AllSnapshots().Where(name => name.StartsWith("chain@", StringComparison.Ordinal)));
        Destination.CheckConsistent();
    }

    [RootTheory]
    [InlineData("none")]
    [InlineData("zstd")]
    public void Full_and_incremental_streams_round_trip_with_and_without_compression(string compression)
    {
        var name = "comp-" + compression;
        var streams = pools.NewDirectory(name);
        var random = new Random(4);
        Source.Create(name, "320M");
        var mountPoint = Source.Mount(name);
        // Half compressible text, half random data.
        File.WriteAllText(Path.Combine(mountPoint, "text.txt"), string.Concat(Enumerable.Range(0, 400_000).Select(i => $"line {i % 1000} of a compressible file\n")));
        WriteRandomFile(Path.Combine(mountPoint, "random.bin"), random, 8 * MiB);
        SyncFileSystem(mountPoint);
        Source.Snapshot($"{name}@s1");
        var full = Replicate(Source, Destination, streams, name, "s1", compression: compression);

        WriteAtRandomOffsets(Path.Combine(mountPoint, "random.bin"), random, writes: 20, maxOffset: 8 * MiB, maxLength: 128 * (int)KiB);
        File.AppendAllText(Path.Combine(mountPoint, "text.txt"), string.Concat(Enumerable.Repeat("more compressible text\n", 100_000)));
        SyncFileSystem(mountPoint);
        Source.Snapshot($"{name}@s2");
        Source.Unmount(name);
        var incremental = Replicate(Source, Destination, streams, name, "s2", fromSnapshot: "s1", compression: compression);

        foreach (var file in new[] { full, incremental })
        {
            var records = pools.Dump(file);
            Assert.Equal(compression, Begin(records).GetProperty("compression").GetString());
            var dataBytes = End(records).GetProperty("data_bytes").GetInt64();
            var streamBytes = new FileInfo(file).Length;
            if (compression == "zstd")
            {
                Assert.True(streamBytes < dataBytes * 9 / 10, $"{Path.GetFileName(file)}: a zstd stream of {dataBytes} data bytes, half of them text, should be smaller than that, but is {streamBytes} bytes");
            }
            else
            {
                Assert.True(streamBytes >= dataBytes, $"{Path.GetFileName(file)}: an uncompressed stream ({streamBytes} bytes) cannot be smaller than its data ({dataBytes} bytes)");
            }
        }

        Destination.CheckConsistent();
    }

    [RootFact]
    public void Ext4_subvolume_replicates_full_and_incremental_with_a_clean_e2fsck()
    {
        var streams = pools.NewDirectory("ext4");
        var random = new Random(5);
        Source.Create("e4", "64M", "ext4");
        var mountPoint = Source.Mount("e4");
        Directory.CreateDirectory(Path.Combine(mountPoint, "docs"));
        WriteRandomFile(Path.Combine(mountPoint, "docs", "a.bin"), random, 8 * MiB);
        WriteRandomFile(Path.Combine(mountPoint, "b.bin"), random, 6 * MiB);
        Source.Snapshot("e4@s1");
        var full = Replicate(Source, Destination, streams, "e4", "s1", fileSystem: "ext4");
        Assert.Equal("ext4", Begin(pools.Dump(full)).GetProperty("filesystem").GetString());

        WriteAtRandomOffsets(Path.Combine(mountPoint, "docs", "a.bin"), random, writes: 30, maxOffset: 10 * MiB, maxLength: 100 * (int)KiB);
        WriteRandomFile(Path.Combine(mountPoint, "c.bin"), random, 3 * MiB);
        Source.Snapshot("e4@s2");
        Replicate(Source, Destination, streams, "e4", "s2", fromSnapshot: "s1", fileSystem: "ext4");

        File.Delete(Path.Combine(mountPoint, "b.bin"));
        SyncFileSystem(mountPoint);
        Fstrim(mountPoint);
        Source.Snapshot("e4@s3");
        Source.Unmount("e4");
        Replicate(Source, Destination, streams, "e4", "s3", fromSnapshot: "s2", fileSystem: "ext4");

        Assert.Equal("ext4", Destination.Json("list", "-t", "snapshot", "e4").EnumerateArray().First().GetProperty("filesystem").GetString());
        AssertSameSnapshot(Source, Destination, "e4", "s1", "ext4");
        Destination.CheckConsistent();
    }

    [RootFact]
    public void Incremental_stream_after_an_online_grow_carries_the_new_size_and_rebuilds_an_identical_snapshot()
    {
        var streams = pools.NewDirectory("grow");
        var random = new Random(6);
        const long oldSize = 320 * MiB, newSize = 448 * MiB;
        Source.Create("grow", "320M");
        var mountPoint = Source.Mount("grow");
        WriteRandomFile(Path.Combine(mountPoint, "before.bin"), random, 16 * MiB);
        Source.Snapshot("grow@s1");
        Replicate(Source, Destination, streams, "grow", "s1");

        Source.Run("resize", "grow", "448M").ShouldSucceed();
        Assert.Equal(newSize, new FileInfo(Source.SubvolumeImage("grow")).Length);
        WriteRandomFile(Path.Combine(mountPoint, "after.bin"), random, 40 * MiB);
        WriteAtRandomOffsets(Path.Combine(mountPoint, "before.bin"), random, writes: 10, maxOffset: 16 * MiB, maxLength: 64 * (int)KiB);
        Source.Snapshot("grow@s2");
        var grown = Replicate(Source, Destination, streams, "grow", "s2", fromSnapshot: "s1");

        var records = pools.Dump(grown);
        Assert.Equal(newSize, Begin(records).GetProperty("image_size").GetInt64());
        Assert.Contains(OfKind(records, "data"), record => record.GetProperty("offset").GetInt64() >= oldSize);
        Assert.Equal(newSize, new FileInfo(Destination.SnapshotImage("grow", "s2")).Length);
        Assert.Equal(oldSize, new FileInfo(Destination.SnapshotImage("grow", "s1")).Length);

        // And the chain goes on from the grown snapshot.
        WriteAtRandomOffsets(Path.Combine(mountPoint, "after.bin"), random, writes: 10, maxOffset: 40 * MiB, maxLength: 64 * (int)KiB);
        Source.Snapshot("grow@s3");
        Source.Unmount("grow");
        Replicate(Source, Destination, streams, "grow", "s3", fromSnapshot: "s2");
        AssertSameSnapshot(Source, Destination, "grow", "s1");
        Destination.CheckConsistent();
    }

    [RootFact]
    public void Holes_punched_by_fstrim_travel_as_hole_records_and_stay_holes_on_the_receiver()
    {
        var streams = pools.NewDirectory("trim");
        var random = new Random(7);
        Source.Create("trim", "320M");
        var mountPoint = Source.Mount("trim");
        for (var i = 0; i < 3; i++)
        {
            WriteRandomFile(Path.Combine(mountPoint, $"f{i}.bin"), random, 16 * MiB);
        }

        Source.Snapshot("trim@s1");
        Replicate(Source, Destination, streams, "trim", "s1");

        var liveBefore = AllocatedBytes(Source.SubvolumeImage("trim"));
        File.Delete(Path.Combine(mountPoint, "f0.bin"));
        File.Delete(Path.Combine(mountPoint, "f2.bin"));
        // XFS frees a deleted file's blocks in the background, so trim until the image shows the holes.
        Assert.True(Waiting.Eventually(() =>
        {
            SyncFileSystem(mountPoint);
            Fstrim(mountPoint);
            return AllocatedBytes(Source.SubvolumeImage("trim")) <= liveBefore - 24 * MiB;
        }, TimeSpan.FromSeconds(20)), "fstrim never punched the deleted files out of the image");
        Source.Snapshot("trim@s2");
        Source.Unmount("trim");
        var allocatedBefore = AllocatedBytes(Source.SnapshotImage("trim", "s1"));
        var allocatedAfter = AllocatedBytes(Source.SnapshotImage("trim", "s2"));
        Assert.True(allocatedAfter <= allocatedBefore - 24 * MiB, $"fstrim should punch the deleted 32 MiB out of the image: {allocatedBefore} bytes allocated before, {allocatedAfter} after");

        var incremental = Replicate(Source, Destination, streams, "trim", "s2", fromSnapshot: "s1");
        var records = pools.Dump(incremental);
        var holes = OfKind(records, "hole").ToList();
        var holeBytes = holes.Sum(record => record.GetProperty("length").GetInt64());
        Assert.True(holeBytes >= 24 * MiB, $"the incremental stream should carry the trimmed 32 MiB as holes, but has {holes.Count} hole records of {holeBytes} bytes");
        Assert.Equal(holes.Count, End(records).GetProperty("hole_records").GetInt64());
        Assert.True(End(records).GetProperty("data_bytes").GetInt64() < 8 * MiB, "deleting files and trimming should send little data");

        // Holes on the receiver too: the received snapshot is as sparse as the sent one.
        var receivedAllocated = AllocatedBytes(Destination.SnapshotImage("trim", "s2"));
        Assert.True(receivedAllocated <= allocatedAfter + 4 * MiB, $"the received image should have the holes punched: {receivedAllocated} bytes allocated, the sent one {allocatedAfter}");
        Destination.CheckConsistent();
    }
}
