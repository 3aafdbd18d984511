using Subvol.Cli.Tests.Infrastructure;
using Subvol.Stream;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// A receive is admitted as create is: the header's size and every size change are checked against the
/// overcommit ratio before they are applied; a refusal keeps the receive resumable; the recorded size
/// follows the image, so a grown replica sends back in full; and a receive cut after a size change resumes.
/// Subvol's sender never writes a size change, so those streams are written here, from a real snapshot image.
/// </summary>
public sealed class ReplicationAdmissionTests(ReplicationPools pools) : IClassFixture<ReplicationPools>
{
    private const long HeaderSize = MiB;

    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    [RootFact]
    public void Size_change_beyond_the_overcommit_ratio_exits_6_before_growing_and_the_receive_resumes_once_the_ratio_is_raised()
    {
        var streams = pools.NewDirectory("admission-size-change");
        var image = SeedImage();
        var target = Guid.NewGuid();
        const long grown = 5L << 30;
        try
        {
            var refused = Receive(Destination, "grown", GrowingStream(image, target, grown, Path.Combine(streams, "full.stream"))).ShouldFailWith(6);
            Assert.Contains("overcommit", refused.Stderr);
            Assert.Contains("5.0 GiB", refused.Stderr);
            Assert.Contains("--resume-token grown", refused.Stderr);
            Assert.Equal(HeaderSize, new FileInfo(Path.Combine(Destination.Incoming, "grown.receiving")).Length);
            Assert.DoesNotContain("grown", Destination.SubvolumeNames());

            var token = Destination.Run("receive", "--resume-token", "grown").ShouldSucceed().Stdout.Trim();
            Assert.True(ResumeToken.TryDecode(token, out var decoded, out var error), $"'{token}' is not a token: {error}");
            Assert.Equal(HeaderSize, decoded!.Offset);

            Destination.Run("pool", "set", "overcommit", "2").ShouldSucceed();
            var rest = GrowingStream(image, target, grown, Path.Combine(streams, "rest.stream"), resumeOffset: decoded.Offset);
            Receive(Destination, "grown", rest).ShouldSucceed();

            var received = Destination.SnapshotImage("grown", "grown");
            Assert.Equal(grown, new FileInfo(received).Length);
            AssertImageIsSeedFollowedByZeros(image, received, streams);
            Assert.Equal(grown, SubvolumeSize(Destination, "grown"));
            Assert.Empty(Destination.CheckConsistent());
        }
        finally
        {
            Destination.Run("receive", "--abort", "grown");
            Destination.Run("delete", "--recursive", "grown");
            Destination.Run("pool", "set", "overcommit", "1");
        }
    }

    [RootFact]
    public void Grown_received_snapshot_is_recorded_at_its_new_size_and_sends_back_in_full_byte_for_byte()
    {
        var streams = pools.NewDirectory("admission-resend");
        var image = SeedImage();
        const long grown = 640 * MiB;
        try
        {
            Receive(Destination, "widened", GrowingStream(image, Guid.NewGuid(), grown, Path.Combine(streams, "full.stream"))).ShouldSucceed();
            Assert.Equal(grown, SubvolumeSize(Destination, "widened"));
            var snapshot = Destination.Json("list", "-t", "snapshot", "widened").EnumerateArray().Single();
            Assert.Equal(grown, snapshot.GetProperty("size").GetInt64());
            // Only a program that asks to be recorded (the CSI driver) is a creator; a receive is not.
            Assert.Equal(System.Text.Json.JsonValueKind.Null, snapshot.GetProperty("creator").ValueKind);
            Assert.Empty(Destination.CheckConsistent());

            // Everything past the header's size must travel too: the sender bounds its extent map by the recorded size.
            var resent = Send(Destination, streams, "widened@grown");
            Receive(Source, "widened-back", resent).ShouldSucceed();
            AssertSameSnapshot(Destination, Source, "widened", "grown", destinationSubvolume: "widened-back");
            AssertImageIsSeedFollowedByZeros(image, Source.SnapshotImage("widened-back", "grown"), streams);
            Assert.Empty(Source.CheckConsistent());
        }
        finally
        {
            Destination.Run("delete", "--recursive", "widened");
            Source.Run("delete", "--recursive", "widened-back");
        }
    }

    [RootFact]
    public void Receive_cut_after_a_size_change_grew_the_image_prints_a_token_and_resumes_to_an_identical_image()
    {
        var streams = pools.NewDirectory("admission-cut");
        var image = SeedImage();
        var target = Guid.NewGuid();
        const long grown = 640 * MiB;
        try
        {
            var full = GrowingStream(image, target, grown, Path.Combine(streams, "full.stream"));
            var cut = GrowingStream(image, target, grown, Path.Combine(streams, "cut.stream"), cutAfter: new FileInfo(full).Length * 3 / 4);
            Receive(Destination, "cut", cut).ShouldFailWith(8);

            var token = Destination.Run("receive", "--resume-token", "cut").ShouldSucceed().Stdout.Trim();
            Assert.True(ResumeToken.TryDecode(token, out var decoded, out var error), $"'{token}' is not a token: {error}");
            Assert.Equal(HeaderSize, decoded!.Offset);
            Assert.Equal(HeaderSize, decoded.ImageSize);

            var rest = GrowingStream(image, target, grown, Path.Combine(streams, "rest.stream"), resumeOffset: decoded.Offset);
            var resumed = Receive(Destination, "cut", rest).ShouldSucceed();
            Assert.Contains("resumed", resumed.Stdout + resumed.Stderr);
            AssertImageIsSeedFollowedByZeros(image, Destination.SnapshotImage("cut", "grown"), streams);
            Assert.Equal(grown, SubvolumeSize(Destination, "cut"));
            Assert.Empty(Destination.CheckConsistent());
        }
        finally
        {
            Destination.Run("receive", "--abort", "cut");
            Destination.Run("delete", "--recursive", "cut");
        }
    }

    [RootFact]
    public void Size_change_to_64_PiB_is_refused_as_more_than_any_ratio_admits_and_nothing_grows()
    {
        var streams = pools.NewDirectory("admission-absurd");
        var file = Path.Combine(streams, "absurd.stream");
        var header = new StreamHeader(StreamHeader.CurrentVersion, HeaderSize, 4096, Guid.NewGuid(), null, "xfs", "crafted", "absurd", DateTimeOffset.UtcNow, 0, StreamCompression.None);
        using (var output = File.Create(file))
        using (var writer = new ReplicationStreamWriter(output, header))
        {
            writer.WriteSizeChange((1L << 56) - 4096);
            writer.Finish();
        }

        try
        {
            var refused = Receive(Destination, "absurd", file).ShouldFailWith(6);
            Assert.Contains("64.0 PiB", refused.Stderr);
            Assert.Contains("largest overcommit ratio", refused.Stderr);
            Assert.Contains("subvol receive --abort absurd", refused.Stderr);
            Assert.Equal(HeaderSize, new FileInfo(Path.Combine(Destination.Incoming, "absurd.receiving")).Length);
            Assert.DoesNotContain("absurd", Destination.SubvolumeNames());
        }
        finally
        {
            Destination.Run("receive", "--abort", "absurd");
        }
    }

    [RootFact]
    public void Incremental_receive_that_grows_a_thin_subvolume_beyond_the_overcommit_ratio_exits_6_and_goes_through_once_raised()
    {
        var streams = pools.NewDirectory("admission-incremental");
        try
        {
            Source.Create("widen", "320M");
            WriteRandomFile(Path.Combine(Source.Mount("widen"), "data.bin"), new Random(41), 4 * MiB);
            Source.Snapshot("widen@s1");
            Source.Unmount("widen");
            Replicate(Source, Destination, streams, "widen", "s1");
            Source.Run("pool", "set", "overcommit", "2").ShouldSucceed();
            Source.Run("resize", "widen", "4G").ShouldSucceed();
            Source.Snapshot("widen@s2");
            var incremental = Send(Source, streams, "widen@s2", "widen@s1");
            var s1 = Data.Sha256(Destination.SnapshotImage("widen", "s1"));

            var refused = Receive(Destination, "widen", incremental).ShouldFailWith(6);
            Assert.Contains("overcommit", refused.Stderr);
            Assert.Contains("grows from 320.0 MiB to 4.0 GiB", refused.Stderr);
            Assert.Equal(["widen@s1"], Destination.AllSnapshots().Where(name => name.StartsWith("widen@", StringComparison.Ordinal)));
            Assert.Equal(320 * MiB, SubvolumeSize(Destination, "widen"));
            Assert.Equal(s1, Data.Sha256(Destination.SnapshotImage("widen", "s1")));

            Destination.Run("pool", "set", "overcommit", "2").ShouldSucceed();
            Receive(Destination, "widen", incremental).ShouldSucceed();
            AssertSameSnapshot(Source, Destination, "widen", "s2");
            Assert.Equal(4L << 30, SubvolumeSize(Destination, "widen"));
            Assert.Empty(Destination.CheckConsistent());
        }
        finally
        {
            Destination.Run("delete", "--recursive", "widen");
            Source.Run("delete", "--recursive", "widen");
            Destination.Run("pool", "set", "overcommit", "1");
            Source.Run("pool", "set", "overcommit", "1");
        }
    }

    /// <summary>The image of seed@s1: a 320M XFS holding 8 MiB of random data, made once per class.</summary>
    private string SeedImage()
    {
        lock (pools)
        {
            if (!Source.SubvolumeNames().Contains("seed"))
            {
                Source.Create("seed", "320M");
                WriteRandomFile(Path.Combine(Source.Mount("seed"), "data.bin"), new Random(40), 8 * MiB);
                Source.Unmount("seed");
                Source.Snapshot("seed@s1");
            }
        }

        return Source.SnapshotImage("seed", "s1");
    }

    /// <summary>
    /// A full stream of <paramref name="image"/> whose header declares only its first <see cref="HeaderSize"/> bytes; a size
    /// change to <paramref name="grownSize"/> follows them, then the rest of the image (all-zero MiBs as holes). A resumed
    /// stream replays the same operations, as a sender must; <paramref name="cutAfter"/> leaves the end record out, as a cut connection does.
    /// </summary>
    private static string GrowingStream(string image, Guid target, long grownSize, string file, long resumeOffset = 0, long? cutAfter = null)
    {
        var header = new StreamHeader(StreamHeader.CurrentVersion, HeaderSize, 4096, target, null, "xfs", "seed", "grown",
            new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero), resumeOffset, StreamCompression.None);
        using var output = File.Create(file);
        using var writer = new ReplicationStreamWriter(output, header);
        using var input = File.OpenRead(image);
        var buffer = new byte[MiB];
        for (long offset = 0; offset < input.Length; offset += buffer.Length)
        {
            if (offset == HeaderSize)
            {
                writer.WriteSizeChange(grownSize);
            }

            input.ReadExactly(buffer);
            if (buffer.AsSpan().ContainsAnyExcept((byte)0))
            {
                writer.WriteData(offset, buffer);
            }
            else
            {
                writer.WriteHole(offset, buffer.Length);
            }

            if (cutAfter is { } limit && writer.BytesWritten >= limit)
            {
                writer.Flush();
                return file;
            }
        }

        writer.Finish();
        return file;
    }

    /// <summary>The received image is the seed image's bytes, then zeros up to its own length (cmp against a sparse, extended copy).</summary>
    private static void AssertImageIsSeedFollowedByZeros(string seed, string received, string scratch)
    {
        var expected = Path.Combine(scratch, Guid.NewGuid().ToString("N") + ".expected");
        CopySparse(seed, expected);
        Tools.Run("truncate", "-s", new FileInfo(received).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), expected).ShouldSucceed();
        var cmp = Tools.RunWithTimeout(TimeSpan.FromSeconds(300), "cmp", expected, received);
        File.Delete(expected);
        Assert.True(cmp.ExitCode == 0, $"{received} should hold the seed image followed by zeros: {cmp}");
    }

    private static long SubvolumeSize(ReplicationPool pool, string name) =>
        pool.Json("list").EnumerateArray().Single(item => item.GetProperty("name").GetString() == name).GetProperty("size").GetInt64();
}
