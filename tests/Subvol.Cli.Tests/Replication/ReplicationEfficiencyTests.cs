using System.Globalization;
using Subvol.Cli.Tests.Infrastructure;
using Xunit.Abstractions;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// An incremental stream is about the size of what changed, receiving it costs about that much
/// host space, and over many random seeds of writes, holes and trims it never sends too little.
/// </summary>
public sealed class ReplicationEfficiencyTests(ReplicationPools pools, ITestOutputHelper output) : IClassFixture<ReplicationPools>
{
    private const long ImageSize = 400 * MiB;
    private const int WriteSize = 64 * (int)KiB;

    // 1% of the 400 MiB image in 64 KiB writes.
    private const int Writes = (int)(ImageSize / 100 / WriteSize);

    // Per record: a 24-byte head and an 8-byte checksum; a header (with its names) and an end record once.
    private const long RecordOverhead = 24 + 8;
    private const long FixedOverhead = 1024;

    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    [RootFact]
    public void Incremental_stream_after_rewriting_one_percent_carries_at_most_1_1_times_the_rewritten_bytes_plus_headers()
    {
        var streams = pools.NewDirectory("size");
        var rewritten = RewriteOnePercent("size", new Random(11));

        var file = Path.Combine(streams, "size-s1-s2.stream");
        var send = Source.Run("send", "size@s2", "--from", "size@s1", "-o", file, "-v").ShouldSucceed();
        var records = pools.Dump(file);
        var dataBytes = End(records).GetProperty("data_bytes").GetInt64();
        var recordCount = records.Count - 2;
        var streamBytes = new FileInfo(file).Length;
        output.WriteLine($"rewrote {rewritten} bytes; the stream carries {dataBytes} data bytes in {recordCount} records, {streamBytes} bytes in all; {send.Stderr.Trim()}");

        Assert.True(dataBytes >= rewritten, $"the stream carries {dataBytes} bytes of data, less than the {rewritten} bytes rewritten: it misses changes");
        Assert.True(dataBytes <= rewritten * 11 / 10, $"the stream carries {dataBytes} bytes of data for {rewritten} bytes rewritten, more than 1.1 times");
        var bound = rewritten * 11 / 10 + recordCount * RecordOverhead + FixedOverhead;
        Assert.True(streamBytes <= bound, $"the stream is {streamBytes} bytes for {rewritten} bytes rewritten in {recordCount} records, more than {bound}");
        Assert.Contains("sent ", send.Stderr);

        // The small stream is still a whole one.
        Receive(Destination, "size", Send(Source, streams, "size@s1")).ShouldSucceed();
        Receive(Destination, "size", file).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "size", "s2");
    }

    [RootFact]
    public void Receiving_a_one_percent_incremental_costs_about_one_percent_of_the_image_in_destination_host_space()
    {
        var streams = pools.NewDirectory("space");
        var rewritten = RewriteOnePercent("space", new Random(12));
        var full = Send(Source, streams, "space@s1");
        var incremental = Send(Source, streams, "space@s2", "space@s1");

        var beforeFull = Destination.FreeBytes();
        Receive(Destination, "space", full).ShouldSucceed();
        var beforeIncremental = Destination.FreeBytes();
        Receive(Destination, "space", incremental).ShouldSucceed();
        var after = Destination.FreeBytes();
        var fullCost = beforeFull - beforeIncremental;
        var incrementalCost = beforeIncremental - after;
        output.WriteLine($"rewrote {rewritten} bytes; the full receive cost {fullCost} bytes of destination space, the incremental one {incrementalCost}");

        // The measurement sees real data: the full receive of ~200 MiB costs about that.
        Assert.True(fullCost >= 150 * MiB, $"the full receive should cost about 200 MiB of destination space, but statfs saw {fullCost} bytes");
        var bound = ImageSize / 20 + 16 * MiB;
        Assert.True(incrementalCost < bound, $"receiving an incremental of {rewritten} bytes cost {incrementalCost} bytes of destination space, more than {bound}: is the base cloned?");
        AssertSameSnapshot(Source, Destination, "space", "s2");
    }

    /// <summary>
    /// 20 seeds: each does random writes at unaligned offsets, deletes, punched holes,
    /// truncations and fstrim, takes a snapshot and sends it from a random earlier snapshot the
    /// receiver holds; every received snapshot is compared with cmp and checked.
    /// </summary>
    [RootTheory]
    [InlineData("xfs", "320M", 1, 12)]
    [InlineData("ext4", "48M", 13, 8)]
    public void Random_writes_holes_and_trims_over_many_seeds_replicate_byte_for_byte(string fileSystem, string size, int firstSeed, int seeds)
    {
        var name = "prop-" + fileSystem;
        var streams = pools.NewDirectory(name);
        var maxFile = fileSystem == "ext4" ? 4 * MiB : 24 * MiB;
        Source.Create(name, size, fileSystem);
        var mountPoint = Source.Mount(name);
        var files = Path.Combine(mountPoint, "p");
        Directory.CreateDirectory(files);
        WriteRandomFile(Path.Combine(files, "f0"), new Random(firstSeed * 1000), maxFile / 2);
        Source.Snapshot($"{name}@base");
        Replicate(Source, Destination, streams, name, "base", fileSystem: fileSystem);
        var received = new List<string> { "base" };

        for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            var random = new Random(seed);
            var done = new List<string>();
            try
            {
                var operations = seed % 5 == 0 ? 0 : random.Next(1, 7);
                for (var i = 0; i < operations; i++)
                {
                    done.Add(RandomOperation(random, files, mountPoint, maxFile));
                }

                if (random.Next(3) == 0)
                {
                    SyncFileSystem(mountPoint);
                    Fstrim(mountPoint);
                    done.Add("fstrim");
                }

                var snapshot = $"s{seed}";
                Source.Snapshot($"{name}@{snapshot}");
                var baseSnapshot = random.Next(10) < 7 ? received[^1] : received[random.Next(received.Count)];
                done.Add($"send --from {baseSnapshot}");
                Replicate(Source, Destination, streams, name, snapshot, fromSnapshot: baseSnapshot, fileSystem: fileSystem);
                received.Add(snapshot);
            }
            catch (Exception exception) when (exception is not Xunit.Sdk.XunitException || !exception.Message.StartsWith("seed ", StringComparison.Ordinal))
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} ({fileSystem}; {string.Join(", ", done)}): {exception.Message}");
            }

            output.WriteLine($"seed {seed}: {string.Join(", ", done)}");
        }

        Source.Unmount(name);
        Destination.CheckConsistent();
    }

    /// <summary>Makes NAME (400M) with a 200 MiB file, snapshots s1, rewrites 1% of the image in 64 KiB writes with fsync, snapshots s2.</summary>
    private long RewriteOnePercent(string name, Random random)
    {
        Source.Create(name, "400M");
        var mountPoint = Source.Mount(name);
        var data = Path.Combine(mountPoint, "data.bin");
        WriteRandomFile(data, random, 200 * MiB);
        Source.Snapshot($"{name}@s1");
        var rewritten = RewriteRandomBlocks(data, random, Writes, WriteSize);
        Source.Snapshot($"{name}@s2");
        Source.Unmount(name);
        return rewritten;
    }

    private static string RandomOperation(Random random, string directory, string mountPoint, long maxFile)
    {
        var existing = Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).ToList();
        var kind = existing.Count == 0 ? 4 : random.Next(6);
        string Pick() => existing[random.Next(existing.Count)];
        switch (kind)
        {
            case 0:
            {
                var file = Pick();
                var writes = random.Next(1, 21);
                WriteAtRandomOffsets(file, random, writes, maxFile, 256 * (int)KiB);
                return $"{writes} writes into {Path.GetFileName(file)}";
            }

            case 1:
            {
                var file = Pick();
                File.Delete(file);
                SyncFileSystem(mountPoint);
                return $"delete {Path.GetFileName(file)}";
            }

            case 2:
            {
                var file = Pick();
                var length = new FileInfo(file).Length;
                var offset = random.NextInt64(0, Math.Max(1, length));
                var hole = random.NextInt64(1, 2 * MiB);
                PunchHole(file, offset, hole);
                SyncFileSystem(mountPoint);
                return $"punch {hole} at {offset} in {Path.GetFileName(file)}";
            }

            case 3:
            {
                var file = Pick();
                var length = random.NextInt64(0, Math.Max(1, new FileInfo(file).Length));
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
                {
                    stream.SetLength(length);
                    stream.Flush(flushToDisk: true);
                }

                return $"truncate {Path.GetFileName(file)} to {length}";
            }

            case 4:
            {
                var file = Path.Combine(directory, "f" + random.Next(1, 7).ToString(CultureInfo.InvariantCulture));
                var length = random.NextInt64(1, maxFile / 2);
                WriteRandomFile(file, random, length);
                return $"write {Path.GetFileName(file)} of {length}";
            }

            default:
            {
                SyncFileSystem(mountPoint);
                Fstrim(mountPoint);
                return "fstrim";
            }
        }
    }
}
