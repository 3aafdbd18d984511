using Subvol.Cli.Tests.Infrastructure;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// A receive that cannot be applied exactly publishes nothing and changes no snapshot: a missing
/// or foreign base, a corrupt stream, a killed receiver, a symbolic link planted in incoming/.
/// </summary>
public sealed class ReplicationRefusalTests(ReplicationPools pools) : IClassFixture<ReplicationPools>
{
    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    [RootFact]
    public void Incremental_stream_without_its_base_exits_9_naming_the_base_guid_and_publishes_nothing()
    {
        var streams = pools.NewDirectory("missing-base");
        MakeSnapshots("mb", ["s0", "s1", "s2"], new Random(21));
        var incremental = Send(Source, streams, "mb@s2", "mb@s1");
        var baseGuid = Source.Guid("mb", "s1");

        // A pool that has never heard of the subvolume.
        var state = DestinationState();
        var refused = Receive(Destination, "mb", incremental).ShouldFailWith(9);
        Assert.Contains(baseGuid, refused.Stderr, StringComparison.OrdinalIgnoreCase);
        AssertUnchanged(state);
        Assert.DoesNotContain("mb", Destination.SubvolumeNames());
        Assert.Empty(Destination.CheckConsistent());

        // A pool that has the subvolume, but another snapshot of it: the error names what it has.
        Replicate(Source, Destination, streams, "mb", "s0");
        state = DestinationState();
        refused = Receive(Destination, "mb", incremental).ShouldFailWith(9);
        Assert.Contains(baseGuid, refused.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Destination.Guid("mb", "s0"), refused.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("s0", refused.Stderr);
        AssertUnchanged(state);
        Assert.Empty(Destination.CheckConsistent());

        // Once the base is there, the same stream applies.
        Replicate(Source, Destination, streams, "mb", "s1", fromSnapshot: "s0");
        Receive(Destination, "mb", incremental).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "mb", "s2");
    }

    [RootFact]
    public void Incremental_stream_whose_base_is_another_subvolumes_snapshot_is_refused_and_publishes_nothing()
    {
        var streams = pools.NewDirectory("foreign-base");
        MakeSnapshots("mine", ["m1"], new Random(22));
        MakeSnapshots("theirs", ["t1", "t2"], new Random(23));
        Replicate(Source, Destination, streams, "mine", "m1");
        Replicate(Source, Destination, streams, "theirs", "t1");
        var foreign = Send(Source, streams, "theirs@t2", "theirs@t1");

        // The receiver holds the base, but in another subvolume than the one named.
        var state = DestinationState();
        var refused = Receive(Destination, "mine", foreign).ShouldFailWith(9);
        Assert.Contains(Source.Guid("theirs", "t1"), refused.Stderr, StringComparison.OrdinalIgnoreCase);
        AssertUnchanged(state);
        Assert.Empty(Destination.CheckConsistent());

        // The sender refuses to pair snapshots of two subvolumes in the first place.
        Source.Run("send", "mine@m1", "--from", "theirs@t1", "-o", Path.Combine(streams, "never")).ShouldFailWith(2);
        // Nor does it send "from" a later snapshot.
        Source.Run("send", "theirs@t1", "--from", "theirs@t2", "-o", Path.Combine(streams, "backwards")).ShouldFailWith(2);
    }

    /// <summary>
    /// A receive moves the subvolume to the received snapshot, so what was written there since its
    /// last snapshot would be lost: the receive is refused before any write until a snapshot keeps
    /// those writes or --force discards them.
    /// </summary>
    [RootFact]
    public void Receive_onto_a_subvolume_written_since_its_last_snapshot_exits_5_and_writes_nothing_until_kept_or_forced()
    {
        var streams = pools.NewDirectory("written");
        var (second, third) = ReplicateFirstAndSendTwoMore("wr", streams, new Random(25));
        WriteOnDestination("wr", "keep me");

        var state = DestinationState();
        var image = Data.Sha256(Destination.SubvolumeImage("wr"));
        var refused = Receive(Destination, "wr", second).ShouldFailWith(5);
        Assert.Contains("written", refused.Stderr);
        Assert.Contains("wr@s1", refused.Stderr);
        Assert.Contains("'subvol snapshot wr'", refused.Stderr);
        Assert.Contains("--force", refused.Stderr);
        AssertUnchanged(state);
        Assert.Equal(image, Data.Sha256(Destination.SubvolumeImage("wr")));
        Assert.True(WrittenSinceSnapshot("wr"), "list --json should show the receiver's writes");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Destination.Incoming, "wr.*"));

        // A snapshot keeps the writes; then the receive goes ahead and the subvolume holds s2.
        Destination.Snapshot("wr@kept");
        Assert.False(WrittenSinceSnapshot("wr"), "a snapshot of the idle subvolume holds everything written to it");
        Receive(Destination, "wr", second).ShouldSucceed();
        Assert.False(WrittenSinceSnapshot("wr"), "the receive moved the subvolume to s2");
        AssertSameSnapshot(Source, Destination, "wr", "s2");
        AssertSubvolumeHolds(Destination, "wr", "s2");
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(Destination.Mount("wr@kept"), "written-on-the-receiver.txt")));
        Destination.Unmount("wr@kept");

        // --force discards them instead.
        WriteOnDestination("wr", "discard me");
        Receive(Destination, "wr", third).ShouldFailWith(5);
        Destination.Run("receive", "wr", "--force", "-f", third).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "wr", "s3");
        AssertSubvolumeHolds(Destination, "wr", "s3");
        Assert.False(File.Exists(Path.Combine(Destination.Mount("wr"), "written-on-the-receiver.txt")), "--force should have discarded the receiver's writes");
        Destination.Unmount("wr");
        Destination.CheckConsistent();
    }

    /// <summary>A receive cannot move a subvolume that is mounted, even with --force: it says where, and writes nothing.</summary>
    [RootFact]
    public void Receive_onto_a_mounted_subvolume_exits_5_naming_the_mount_point_and_writes_nothing()
    {
        var streams = pools.NewDirectory("mounted");
        var (second, _) = ReplicateFirstAndSendTwoMore("mnt", streams, new Random(26));

        var mountPoint = Destination.Mount("mnt");
        var state = DestinationState();
        try
        {
            var refused = Receive(Destination, "mnt", second).ShouldFailWith(5);
            Assert.Contains(mountPoint, refused.Stderr);
            Assert.Contains("subvol umount mnt", refused.Stderr);
            Destination.Run("receive", "mnt", "--force", "-f", second).ShouldFailWith(5);
            // The stream is judged before the subvolume: what is not a stream is refused as such, mounted subvolume or not.
            var notAStream = Variant(streams, "not-a-stream", RandomBytes(4096, 27));
            var garbage = Receive(Destination, "mnt", notAStream).ShouldFailWith(8);
            Assert.DoesNotContain(mountPoint, garbage.Stderr);
            AssertUnchanged(state);
        }
        finally
        {
            Destination.Unmount("mnt");
        }

        // A read-write mount writes to the filesystem, so only --force moves it now.
        Receive(Destination, "mnt", second).ShouldFailWith(5);
        Destination.Run("receive", "mnt", "--force", "-f", second).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "mnt", "s2");
    }

    [RootFact]
    public void Corrupt_streams_flipped_truncated_or_with_garbage_appended_exit_8_and_publish_nothing()
    {
        var streams = pools.NewDirectory("corrupt");
        MakeSnapshots("cor", ["s1", "s2"], new Random(24));
        var full = Send(Source, streams, "cor@s1");
        var incremental = Send(Source, streams, "cor@s2", "cor@s1");
        var bytes = File.ReadAllBytes(incremental);
        var fullBytes = File.ReadAllBytes(full);

        // A full stream that is corrupt creates no subvolume.
        var state = DestinationState();
        var flippedFull = Variant(streams, "full-flipped", fullBytes, copy => copy[copy.Length / 2] ^= 0x01);
        Receive(Destination, "cor", flippedFull).ShouldFailWith(8);
        AssertUnchanged(state);
        Assert.DoesNotContain("cor", Destination.SubvolumeNames());
        Destination.Run("receive", "--abort", "cor").ShouldSucceed();

        Replicate(Source, Destination, streams, "cor", "s1");
        var variants = new Dictionary<string, string>
        {
            ["a byte flipped in the middle"] = Variant(streams, "flipped", bytes, copy => copy[copy.Length / 2] ^= 0x01),
            ["the last byte flipped"] = Variant(streams, "flipped-last", bytes, copy => copy[^1] ^= 0x80),
            ["truncated to half"] = Variant(streams, "truncated", bytes[..(bytes.Length / 2)]),
            ["truncated by one byte"] = Variant(streams, "truncated-1", bytes[..^1]),
            ["garbage appended"] = Variant(streams, "garbage", [.. bytes, .. RandomBytes(4096, 25)]),
        };

        foreach (var (what, file) in variants)
        {
            state = DestinationState();
            var result = Receive(Destination, "cor", file);
            Assert.True(result.ExitCode == 8, $"a stream with {what} should be refused with exit 8: {result}");
            result.ShouldFailWith(8);
            AssertUnchanged(state, what);
            var findings = Destination.CheckConsistent();
            Assert.All(findings, kind => Assert.Equal("partial_receive", kind));
        }

        // The intact stream still applies, over whatever partial state the refused ones left.
        Receive(Destination, "cor", incremental).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "cor", "s2");
        AssertSameSnapshot(Source, Destination, "cor", "s1");
        Assert.Empty(Destination.CheckConsistent());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Destination.Incoming, "cor.*"));
    }

    [RootFact]
    public void Receive_killed_after_syncing_publishes_nothing_and_check_lists_the_partial_receive_until_abort()
    {
        var streams = pools.NewDirectory("killed");
        MakeSnapshots("kill", ["s1", "s2"], new Random(26));
        var full = Send(Source, streams, "kill@s1");
        var incremental = Send(Source, streams, "kill@s2", "kill@s1");

        // A full receive killed before publishing: no subvolume, no snapshot.
        var state = DestinationState();
        using (var receiver = pools.StartPaused("receive-synced", Destination.WithPool("receive", "kill", "-f", full)))
        {
            receiver.Kill();
        }

        AssertUnchanged(state);
        Assert.DoesNotContain("kill", Destination.SubvolumeNames());
        AssertPartialReceiveListed("kill");
        Assert.False(string.IsNullOrWhiteSpace(Destination.Run("receive", "--resume-token", "kill").ShouldSucceed().Stdout));
        Destination.Run("receive", "--abort", "kill").ShouldSucceed();
        Assert.Empty(Destination.CheckConsistent());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Destination.Incoming, "kill.*"));
        Destination.Run("receive", "--resume-token", "kill").ShouldFailWith(3);
        Receive(Destination, "kill", full).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "kill", "s1");

        // An incremental receive killed before publishing leaves its base untouched.
        state = DestinationState();
        using (var receiver = pools.StartPaused("receive-synced", Destination.WithPool("receive", "kill", "-f", incremental)))
        {
            receiver.Kill();
        }

        AssertUnchanged(state);
        AssertPartialReceiveListed("kill");
        Destination.Run("receive", "--abort", "kill").ShouldSucceed();
        Assert.Empty(Destination.CheckConsistent());
        Receive(Destination, "kill", incremental).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "kill", "s2");
        AssertSameSnapshot(Source, Destination, "kill", "s1");
    }

    /// <summary>Killed between publishing the snapshot and moving the subvolume to it, a receive loses nothing: the subvolume still holds its previous snapshot, unwritten.</summary>
    [RootFact]
    public void Receive_killed_after_publishing_leaves_the_subvolume_on_its_previous_snapshot_and_the_next_receive_moves_it()
    {
        var streams = pools.NewDirectory("killed-moving");
        var (second, third) = ReplicateFirstAndSendTwoMore("mov", streams, new Random(29));
        var before = Data.Sha256(Destination.SubvolumeImage("mov"));

        using (var receiver = pools.StartPaused("receive-published", Destination.WithPool("receive", "mov", "-f", second)))
        {
            receiver.Kill();
        }

        AssertSameSnapshot(Source, Destination, "mov", "s2");
        Assert.Equal(before, Data.Sha256(Destination.SubvolumeImage("mov")));
        Destination.CheckConsistent();
        Assert.Empty(Directory.EnumerateFileSystemEntries(Destination.Incoming, "mov.*"));

        Receive(Destination, "mov", third).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "mov", "s3");
        AssertSubvolumeHolds(Destination, "mov", "s3");
    }

    [RootFact]
    public void Planted_receiving_symlink_pointing_outside_the_pool_is_not_followed_by_a_fresh_receive()
    {
        var streams = pools.NewDirectory("symlink-fresh");
        MakeSnapshots("sym", ["s1"], new Random(27));
        var full = Send(Source, streams, "sym@s1");
        var outside = Path.Combine(pools.NewDirectory("outside-fresh"), "victim.img");
        File.WriteAllBytes(outside, RandomBytes(1 << 20, 28));
        var checksum = Data.Sha256(outside);
        Directory.CreateDirectory(Destination.Incoming);
        File.CreateSymbolicLink(Path.Combine(Destination.Incoming, "sym.receiving"), outside);

        var state = DestinationState();
        var result = Receive(Destination, "sym", full);
        Assert.Equal(checksum, Data.Sha256(outside));
        Assert.Equal(1 << 20, new FileInfo(outside).Length);
        if (result.ExitCode == 0)
        {
            AssertSameSnapshot(Source, Destination, "sym", "s1");
        }
        else
        {
            AssertUnchanged(state);
        }

        Assert.False(new FileInfo(Destination.SnapshotImage("sym", "s1")).LinkTarget is not null, "the published snapshot must not be a symbolic link");
    }

    [RootFact]
    public void Planted_receiving_symlink_pointing_outside_the_pool_is_not_followed_when_resuming()
    {
        var streams = pools.NewDirectory("symlink-resume");
        var outside = Path.Combine(pools.NewDirectory("outside-resume"), "victim.img");
        var (rest, full) = InterruptReceive("symr", streams, new Random(29));

        // Swap the partial image for a link to a copy of it outside the pool, which looks just as valid.
        var partial = Path.Combine(Destination.Incoming, "symr.receiving");
        CopySparse(partial, outside);
        var checksum = Data.Sha256(outside);
        File.Delete(partial);
        File.CreateSymbolicLink(partial, outside);

        var state = DestinationState();
        var result = Receive(Destination, "symr", rest);
        Assert.Equal(checksum, Data.Sha256(outside));
        if (result.ExitCode == 0)
        {
            AssertSameSnapshot(Source, Destination, "symr", "s1");
            Assert.Null(new FileInfo(Destination.SnapshotImage("symr", "s1")).LinkTarget);
        }
        else
        {
            AssertUnchanged(state);
            // A fresh receive replaces the link and works.
            Receive(Destination, "symr", full).ShouldSucceed();
            Assert.Equal(checksum, Data.Sha256(outside));
            AssertSameSnapshot(Source, Destination, "symr", "s1");
        }
    }

    [RootFact]
    public void Planted_resume_state_temporary_symlink_pointing_outside_the_pool_is_not_followed_when_resuming()
    {
        var streams = pools.NewDirectory("symlink-state");
        var outside = Path.Combine(pools.NewDirectory("outside-state"), "victim.conf");
        var (rest, full) = InterruptReceive("syms", streams, new Random(30));
        File.WriteAllText(outside, "precious contents outside the pool\n");
        var checksum = Data.Sha256(outside);
        // The receiver writes its checkpoint to NAME.resume.new and renames it over NAME.resume.
        File.CreateSymbolicLink(Path.Combine(Destination.Incoming, "syms.resume.new"), outside);

        var result = Receive(Destination, "syms", rest);
        Assert.True(Data.Sha256(outside) == checksum,
            $"the receive ({(result.ExitCode == 0 ? "succeeded" : $"failed with {result.ExitCode}")}) wrote through {Path.Combine(Destination.Incoming, "syms.resume.new")} into {outside}, which now reads: {File.ReadAllText(outside)}");
        if (result.ExitCode == 0)
        {
            AssertSameSnapshot(Source, Destination, "syms", "s1");
        }
        else
        {
            Receive(Destination, "syms", full).ShouldSucceed();
        }
    }

    /// <summary>Makes NAME (320M) with some data and one snapshot per name, with random writes between.</summary>
    [RootFact]
    public void A_partial_receive_whose_state_does_not_read_gets_no_token_and_is_left_to_abort()
    {
        var streams = pools.NewDirectory("unreadable-state");
        InterruptReceive("unread", streams, new Random(31));
        File.WriteAllBytes(Path.Combine(Destination.Incoming, "unread.resume"), [(byte)'g', 0, 0xff, (byte)'\n']);

        var result = Destination.Run("receive", "--resume-token", "unread").ShouldFailWith(10);

        Assert.Contains("the interrupted receive into 'unread'", result.Stderr);
        Assert.Contains("left state that does not read", result.Stderr);
        Assert.Contains("subvol receive --abort unread", result.Stderr);
        Assert.True(File.Exists(Path.Combine(Destination.Incoming, "unread.receiving")), "asking for a token must not discard the partial receive");
        Destination.Run("receive", "--abort", "unread").ShouldSucceed();
        Assert.Empty(Directory.EnumerateFileSystemEntries(Destination.Incoming, "unread.*"));
        Destination.Run("receive", "--resume-token", "unread").ShouldFailWith(3);
    }

    private void MakeSnapshots(string name, string[] snapshots, Random random)
    {
        Source.Create(name, "320M");
        var mountPoint = Source.Mount(name);
        WriteRandomFile(Path.Combine(mountPoint, "data.bin"), random, 12 * MiB);
        foreach (var snapshot in snapshots)
        {
            WriteAtRandomOffsets(Path.Combine(mountPoint, "data.bin"), random, writes: 20, maxOffset: 14 * MiB, maxLength: 256 * (int)KiB);
            Source.Snapshot($"{name}@{snapshot}");
        }

        Source.Unmount(name);
    }

    private bool WrittenSinceSnapshot(string name) =>
        Destination.Json("list", name).EnumerateArray().Single().GetProperty("written_since_snapshot").GetBoolean();

    /// <summary>Makes NAME@s1, s2 and s3 on the source, replicates s1 in full, and returns the incremental streams of s2 (from s1) and s3 (from s2).</summary>
    private (string Second, string Third) ReplicateFirstAndSendTwoMore(string name, string streams, Random random)
    {
        MakeSnapshots(name, ["s1", "s2", "s3"], random);
        Replicate(Source, Destination, streams, name, "s1");
        return (Send(Source, streams, $"{name}@s2", $"{name}@s1"), Send(Source, streams, $"{name}@s3", $"{name}@s2"));
    }

    private void WriteOnDestination(string name, string text)
    {
        File.WriteAllText(Path.Combine(Destination.Mount(name), "written-on-the-receiver.txt"), text);
        Destination.Unmount(name);
    }

    /// <summary>Leaves an interrupted receive of NAME@s1 in the destination, and returns the stream of the rest and the full stream.</summary>
    private (string RestStream, string FullStream) InterruptReceive(string name, string streams, Random random)
    {
        Source.Create(name, "320M");
        var mountPoint = Source.Mount(name);
        WriteRandomFile(Path.Combine(mountPoint, "data.bin"), random, 24 * MiB);
        Source.Snapshot($"{name}@s1");
        Source.Unmount(name);
        var full = Send(Source, streams, $"{name}@s1");
        var bytes = File.ReadAllBytes(full);
        var truncated = Variant(streams, "truncated", bytes[..(bytes.Length * 6 / 10)]);
        Receive(Destination, name, truncated).ShouldFailWith(8);
        return (SendRest(Source, Destination, streams, name), full);
    }

    private void AssertPartialReceiveListed(string subvolume)
    {
        var result = Destination.Run("check", "--json");
        Assert.True(result.ExitCode == 0, $"an interrupted receive does not make the pool inconsistent: {result}");
        using var report = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.True(report.RootElement.GetProperty("consistent").GetBoolean(), result.ToString());
        Assert.Contains(report.RootElement.GetProperty("findings").EnumerateArray(),
            finding => finding.GetProperty("kind").GetString() == "partial_receive" && finding.GetProperty("subject").GetString() == subvolume);
    }

    private (IReadOnlyList<string> Subvolumes, SortedDictionary<string, string> Snapshots) DestinationState() =>
        (Destination.SubvolumeNames(), Destination.SnapshotChecksums());

    private void AssertUnchanged((IReadOnlyList<string> Subvolumes, SortedDictionary<string, string> Snapshots) before, string what = "")
    {
        Assert.True(before.Subvolumes.SequenceEqual(Destination.SubvolumeNames()), $"{what}: the subvolumes changed: [{string.Join(", ", before.Subvolumes)}] became [{string.Join(", ", Destination.SubvolumeNames())}]");
        var after = Destination.SnapshotChecksums();
        Assert.True(before.Snapshots.SequenceEqual(after),
            $"{what}: the snapshots or their contents changed:\nbefore: {string.Join(", ", before.Snapshots.Select(pair => $"{pair.Key}={pair.Value[..12]}"))}\nafter:  {string.Join(", ", after.Select(pair => $"{pair.Key}={pair.Value[..12]}"))}");
    }

    private static string Variant(string directory, string name, byte[] bytes, Action<byte[]>? change = null)
    {
        var copy = (byte[])bytes.Clone();
        change?.Invoke(copy);
        var path = Path.Combine(directory, name + ".stream");
        File.WriteAllBytes(path, copy);
        return path;
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
