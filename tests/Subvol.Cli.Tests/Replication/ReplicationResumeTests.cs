using Subvol.Cli.Tests.Infrastructure;
using Subvol.Stream;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// An interrupted receive resumes from the receiver's token and finishes an identical snapshot;
/// the sender checks every token against what it holds; send refuses to write to a terminal.
/// </summary>
public sealed class ReplicationResumeTests(ReplicationPools pools) : IClassFixture<ReplicationPools>
{
    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    [RootFact]
    public void Truncated_full_stream_resumes_from_the_receivers_token_to_an_identical_snapshot()
    {
        var streams = pools.NewDirectory("resume-full");
        var full = BigFullStream("s1", streams);
        var fullLength = new FileInfo(full).Length;
        var truncated = Truncated(full, Path.Combine(streams, "truncated.stream"), fullLength * 6 / 10);
        var failed = Receive(Destination, "big", truncated).ShouldFailWith(8);
        Assert.Contains("--resume-token big", failed.Stderr);
        Assert.DoesNotContain("big", Destination.SubvolumeNames());
        Assert.Contains("partial_receive", Destination.CheckConsistent());

        var token = Destination.Run("receive", "--resume-token", "big").ShouldSucceed().Stdout.Trim();
        Assert.True(ResumeToken.TryDecode(token, out var decoded, out var error), $"the receiver printed '{token}', which is not a token: {error}");
        Assert.Equal(Guid.Parse(Source.Guid("big", "s1")), decoded!.TargetGuid);
        Assert.True(decoded.Offset > 0 && decoded.Offset < 512 * MiB, $"the receiver should keep what it received and verified: offset {decoded.Offset}");

        var rest = Path.Combine(streams, "rest.stream");
        Source.Run("send", "--resume", token, "-o", rest).ShouldSucceed();
        var records = pools.Dump(rest);
        Assert.Equal(decoded.Offset, Begin(records).GetProperty("resume_offset").GetInt64());
        Assert.All(records.Where(record => record.GetProperty("record").GetString() is "data" or "hole"),
            record => Assert.True(record.GetProperty("offset").GetInt64() >= decoded.Offset, $"the rest should start at {decoded.Offset}: {record}"));
        Assert.True(new FileInfo(rest).Length < fullLength / 2, $"the rest ({new FileInfo(rest).Length} bytes) should be smaller than half the full stream ({fullLength})");

        var received = Receive(Destination, "big", rest).ShouldSucceed();
        Assert.Contains("resumed", received.Stdout + received.Stderr);
        AssertSameSnapshot(Source, Destination, "big", "s1");
        Assert.Empty(Destination.CheckConsistent());
        Destination.Run("receive", "--resume-token", "big").ShouldFailWith(3);
    }

    [RootFact]
    public void Receive_killed_mid_stream_resumes_from_its_last_periodic_checkpoint_to_an_identical_snapshot()
    {
        var streams = pools.NewDirectory("resume-killed");
        var full = BigFullStream("k1", streams);

        // Feed the receiver 300 MiB of the stream through a pipe that then stays open, so it waits
        // for more after its 256 MiB checkpoint; SIGKILL it there, as a crash would.
        var markers = pools.NewDirectory("resume-killed-output");
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var argument in (string[])["-c", "out=$1; err=$2; shift 2; exec \"$@\" >\"$out\" 2>\"$err\"", "sh", Path.Combine(markers, "out"), Path.Combine(markers, "err"), SubvolCli.Executable, .. Destination.WithPool("receive", "killed")])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SUBVOL_CONFIG_DIR"] = pools.ConfigurationDirectory;
        start.Environment.Remove("SUBVOL_POOL");
        using var receiver = System.Diagnostics.Process.Start(start)!;
        ResumeToken? checkpoint = null;
        try
        {
            using (var input = File.OpenRead(full))
            {
                var buffer = new byte[1 << 20];
                for (var i = 0; i < 300; i++)
                {
                    var read = input.Read(buffer);
                    receiver.StandardInput.BaseStream.Write(buffer, 0, read);
                }

                receiver.StandardInput.BaseStream.Flush();
            }

            Assert.True(Waiting.Eventually(() => TryCheckpoint("killed", out checkpoint) && checkpoint!.Offset >= 256 * MiB, TimeSpan.FromSeconds(120)),
                $"the receiver should checkpoint after 256 MiB; it reached {checkpoint?.Offset.ToString() ?? "nothing"} (exited: {receiver.HasExited}; {File.ReadAllText(Path.Combine(markers, "err"))})");
            Assert.False(receiver.HasExited, $"the receiver should wait for the rest of the stream: {File.ReadAllText(Path.Combine(markers, "err"))}");
        }
        finally
        {
            receiver.Kill();
            receiver.WaitForExit();
        }

        Assert.DoesNotContain("killed", Destination.SubvolumeNames());
        Assert.Contains("partial_receive", Destination.CheckConsistent());
        var token = Destination.Run("receive", "--resume-token", "killed").ShouldSucceed().Stdout.Trim();
        Assert.True(ResumeToken.TryDecode(token, out var decoded, out _) && decoded!.Offset >= 256 * MiB, $"the token should resume after the checkpoint: {token}");
        var rest = Path.Combine(streams, "rest.stream");
        Source.Run("send", "--resume", token, "-o", rest).ShouldSucceed();
        Receive(Destination, "killed", rest).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "big", "k1", destinationSubvolume: "killed");
        Assert.Empty(Destination.CheckConsistent());
    }

    [RootFact]
    public void Truncated_incremental_stream_resumes_to_an_identical_snapshot_and_tokens_are_checked_by_the_sender()
    {
        var streams = pools.NewDirectory("resume-incremental");
        var random = new Random(32);
        Source.Create("inc", "320M");
        var mountPoint = Source.Mount("inc");
        WriteRandomFile(Path.Combine(mountPoint, "data.bin"), random, 32 * MiB);
        Source.Snapshot("inc@s1");
        Replicate(Source, Destination, streams, "inc", "s1");
        WriteAtRandomOffsets(Path.Combine(mountPoint, "data.bin"), random, writes: 60, maxOffset: 40 * MiB, maxLength: 512 * (int)KiB);
        Source.Snapshot("inc@s2");
        Source.Unmount("inc");
        var incremental = Send(Source, streams, "inc@s2", "inc@s1");
        var s1 = Data.Sha256(Destination.SnapshotImage("inc", "s1"));

        Receive(Destination, "inc", Truncated(incremental, Path.Combine(streams, "truncated.stream"), new FileInfo(incremental).Length / 2)).ShouldFailWith(8);
        Assert.Equal(["inc@s1"], Destination.AllSnapshots().Where(name => name.StartsWith("inc@", StringComparison.Ordinal)));
        Assert.Equal(s1, Data.Sha256(Destination.SnapshotImage("inc", "s1")));
        var token = Destination.Run("receive", "--resume-token", "inc").ShouldSucceed().Stdout.Trim();
        Assert.True(ResumeToken.TryDecode(token, out var decoded, out _));
        Assert.Equal(Guid.Parse(Source.Guid("inc", "s1")), decoded!.BaseGuid);

        // A token with one character changed is refused, with a message that says so.
        var index = token.Length / 2;
        var tampered = token[..index] + (token[index] == 'A' ? 'B' : 'A') + token[(index + 1)..];
        var refused = Source.Run("send", "--resume", tampered, "-o", Path.Combine(streams, "tampered.stream")).ShouldFailWith(2);
        Assert.Contains("resume token", refused.Stderr);

        // A token for a snapshot the sender does not have: the receiving pool has never published it.
        Destination.Run("send", "--resume", token, "-o", Path.Combine(streams, "elsewhere.stream")).ShouldFailWith(3);
        // Well-formed tokens that name nothing, or pair what may not be paired, or lie about the size.
        var size = new FileInfo(Source.SnapshotImage("inc", "s2")).Length;
        Source.Run("send", "--resume", new ResumeToken(Guid.NewGuid(), null, 0, size).Encode(), "-o", Path.Combine(streams, "unknown.stream")).ShouldFailWith(3);
        Source.Run("send", "--resume", new ResumeToken(decoded.TargetGuid, Guid.NewGuid(), decoded.Offset, size).Encode(), "-o", Path.Combine(streams, "unknown-base.stream")).ShouldFailWith(3);
        Source.Create("other", "320M");
        Source.Snapshot("other@o1");
        var foreignBase = Guid.Parse(Source.Guid("other", "o1"));
        Source.Run("send", "--resume", new ResumeToken(decoded.TargetGuid, foreignBase, decoded.Offset, size).Encode(), "-o", Path.Combine(streams, "foreign.stream")).ShouldFailWith(2);
        Source.Run("send", "--resume", new ResumeToken(decoded.TargetGuid, decoded.BaseGuid, decoded.Offset, size + 4096).Encode(), "-o", Path.Combine(streams, "size.stream")).ShouldFailWith(2);
        // The base asking for its successor's data backwards: target and base swapped.
        Source.Run("send", "--resume", new ResumeToken(decoded.BaseGuid!.Value, decoded.TargetGuid, 0, size).Encode(), "-o", Path.Combine(streams, "swapped.stream")).ShouldFailWith(2);

        var rest = Path.Combine(streams, "rest.stream");
        Source.Run("send", "--resume", token, "-o", rest).ShouldSucceed();
        Assert.Equal(decoded.Offset, Begin(pools.Dump(rest)).GetProperty("resume_offset").GetInt64());
        Receive(Destination, "inc", rest).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "inc", "s2");
        Assert.Equal(s1, Data.Sha256(Destination.SnapshotImage("inc", "s1")));
        Assert.Empty(Destination.CheckConsistent());
    }

    /// <summary>The receiver applies a record only once its checksum verified, so what it keeps after a corrupt record is good, and a resume from there is exact.</summary>
    [RootFact]
    public void Stream_with_a_flipped_byte_resumes_from_the_last_verified_record_to_an_identical_snapshot()
    {
        var streams = pools.NewDirectory("resume-flipped");
        Source.Create("flip", "320M");
        var mountPoint = Source.Mount("flip");
        WriteRandomFile(Path.Combine(mountPoint, "data.bin"), new Random(33), 24 * MiB);
        Source.Snapshot("flip@s1");
        Source.Unmount("flip");
        var full = Send(Source, streams, "flip@s1");
        var bytes = File.ReadAllBytes(full);
        foreach (var fraction in new[] { 0.5, 0.8 })
        {
            var corrupt = Path.Combine(streams, $"flipped-{fraction}.stream");
            var copy = (byte[])bytes.Clone();
            copy[(int)(copy.Length * fraction)] ^= 0x10;
            File.WriteAllBytes(corrupt, copy);
            Receive(Destination, "flip", corrupt).ShouldFailWith(8);
        }

        var token = Destination.Run("receive", "--resume-token", "flip").ShouldSucceed().Stdout.Trim();
        Assert.True(ResumeToken.TryDecode(token, out var decoded, out _) && decoded!.Offset > 0, $"the records before the corrupt one verified, so the receiver should keep them: {token}");
        var rest = Path.Combine(streams, "rest.stream");
        Source.Run("send", "--resume", token, "-o", rest).ShouldSucceed();
        Receive(Destination, "flip", rest).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "flip", "s1");
    }

    [RootFact]
    public void Send_to_a_terminal_is_refused_with_exit_2()
    {
        Source.Create("tty", "320M");
        Source.Snapshot("tty@s1");
        var command = $"'{SubvolCli.Executable}' send tty@s1 --pool '{Source.Path}'";
        using var child = ChildProcess.Start("script", ["-q", "-e", "-c", command, "/dev/null"],
            new Dictionary<string, string?> { ["SUBVOL_CONFIG_DIR"] = pools.ConfigurationDirectory },
            ["SUBVOL_POOL", "SUBVOL_TEST_PAUSE", "SUBVOL_TEST_PAUSE_MARKER"]);
        var result = child.Finish(TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 2, $"send with a terminal for standard output should exit 2: {result}");
        Assert.Contains("terminal", result.Stdout + result.Stderr);
        Assert.True(result.Stdout.Length < 4096, $"nothing of the stream may reach the terminal: {result.Stdout.Length} bytes were written");
    }

    /// <summary>The full stream of big@SNAP: a 512M subvolume holding 320 MiB of random data, made once per class.</summary>
    private string BigFullStream(string snapshot, string streams)
    {
        lock (pools)
        {
            if (!Source.SubvolumeNames().Contains("big"))
            {
                Source.Create("big", "512M");
                var mountPoint = Source.Mount("big");
                WriteRandomFile(Path.Combine(mountPoint, "data.bin"), new Random(31), 320 * MiB);
                Source.Unmount("big");
            }

            Source.Snapshot($"big@{snapshot}");
        }

        var full = Send(Source, streams, $"big@{snapshot}");
        Assert.True(new FileInfo(full).Length > 300 * MiB, $"the full stream should be over 300 MiB: {new FileInfo(full).Length} bytes");
        return full;
    }

    private bool TryCheckpoint(string subvolume, out ResumeToken? token)
    {
        token = null;
        var result = Destination.Run("receive", "--resume-token", subvolume);
        return result.ExitCode == 0 && ResumeToken.TryDecode(result.Stdout.Trim(), out token, out _);
    }

    private static string Truncated(string from, string to, long length)
    {
        using (var input = File.OpenRead(from))
        using (var output = File.Create(to))
        {
            var buffer = new byte[1 << 20];
            for (long copied = 0; copied < length;)
            {
                var read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, length - copied));
                Assert.True(read > 0);
                output.Write(buffer, 0, read);
                copied += read;
            }
        }

        return to;
    }
}
