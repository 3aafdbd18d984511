using Subvol.Stream;
using Subvol.Cli.Tests.Infrastructure;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// Streams encrypted with age: send --encrypt-to and receive --identity interoperate with the reference age tool both
/// ways and through pipes; a stream cut, changed or opened with the wrong identity is refused in one line and leaves
/// the receiving pool as it was; identity files must be closed to others, and no key reaches a message.
/// </summary>
public sealed class AgeStreamTests(ReplicationPools pools) : IClassFixture<ReplicationPools>
{
    private const int SealedChunk = 64 * 1024 + 16;

    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    private static string Subvol => SubvolCli.Executable;

    [RootFact]
    public void Send_encrypted_to_two_recipients_is_opened_by_each_ones_identity_with_the_age_tool()
    {
        var directory = pools.NewDirectory("two-recipients");
        var (firstKey, first) = NewKey(directory, "first");
        var (secondKey, second) = NewKey(directory, "second");
        MakeSnapshots("two", ["s1"]);
        var encrypted = Path.Combine(directory, "two.age");
        var sent = Source.Json("send", "two@s1", "--encrypt-to", first, "--encrypt-to", second, "-o", encrypted);
        Assert.StartsWith("age-encryption.org/v1\n-> X25519 ", File.ReadAllText(encrypted)[..40]);

        Tools.Bash($"age -d -i {firstKey} < {encrypted} | {Subvol} receive two --pool {Destination.Path}").ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "two", "s1");

        // The second recipient gets the very stream that was sent: the digest its end record carries is the sender's.
        var decrypted = Path.Combine(directory, "two-second.stream");
        Tools.Run("age", "-d", "-i", secondKey, "-o", decrypted, encrypted).ShouldSucceed();
        Assert.Equal(sent.GetProperty("digest").GetString(), End(pools.Dump(decrypted)).GetProperty("digest").GetString(), StringComparer.OrdinalIgnoreCase);
        // stream dump opens it too, with the second identity.
        var dumped = Destination.Run("stream", "dump", encrypted, "--identity", secondKey, "--json").ShouldSucceed();
        Assert.Contains(sent.GetProperty("digest").GetString()!, dumped.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [RootFact]
    public void Plain_stream_the_age_tool_encrypted_is_received_through_a_pipe_with_a_read_only_identity_file()
    {
        var directory = pools.NewDirectory("age-tool");
        var (key, recipient) = NewKey(directory, "tool");
        // Stricter than 0600 is as good.
        Tools.Run("chmod", "400", key).ShouldSucceed();
        MakeSnapshots("tool", ["s1"]);
        var plain = Send(Source, directory, "tool@s1");

        var received = Tools.Bash($"age -r {recipient} < {plain} | {Subvol} receive tool --identity {key} --json --pool {Destination.Path}").ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "tool", "s1");
        AssertNoSecret(key, received.Stdout + received.Stderr);
    }

    [RootFact]
    public void Full_and_incremental_sends_encrypted_to_a_recipients_file_are_received_through_pipes_with_the_identity_from_a_file_or_a_pipe()
    {
        var directory = pools.NewDirectory("recipients-file");
        var (_, other) = NewKey(directory, "other");
        var (key, recipient) = NewKey(directory, "mine");
        var recipients = Path.Combine(directory, "recipients.txt");
        File.WriteAllText(recipients, $"# off-site copies\n\n{other}\r\n  {recipient}\n# end\n");
        MakeSnapshots("chain", ["s1", "s2"]);

        Tools.Bash($"{Subvol} send chain@s1 --encrypt-to-file {recipients} --pool {Source.Path} | {Subvol} receive chain --identity {key} --pool {Destination.Path}").ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "chain", "s1");
        // The identity may come from a pipe too, as a password manager would hand it over.
        Tools.Bash($"{Subvol} send chain@s2 --from s1 --encrypt-to-file {recipients} --pool {Source.Path} | {Subvol} receive chain --identity <(cat {key}) --pool {Destination.Path}").ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "chain", "s2");
    }

    [RootFact]
    public void Age_stream_cut_short_or_changed_is_refused_in_one_line_and_leaves_nothing_on_the_receiving_pool()
    {
        var directory = pools.NewDirectory("damaged");
        var (key, recipient) = NewKey(directory, "damaged");
        MakeSnapshots("damaged", ["s1"]);
        var encrypted = Path.Combine(directory, "damaged.age");
        Source.Run("send", "damaged@s1", "--encrypt-to", recipient, "-o", encrypted).ShouldSucceed();
        var bytes = File.ReadAllBytes(encrypted);
        var payload = bytes.AsSpan().IndexOf("\n--- "u8) + 1 + 48 + 16;
        var lastChunk = payload + (bytes.Length - payload - 1) / SealedChunk * SealedChunk;
        Assert.True(lastChunk > payload + 10 * SealedChunk, "the stream should span many chunks");

        var variants = new (string Name, byte[] Bytes, string Says)[]
        {
            ("without its last chunk", bytes[..lastChunk], "without its last chunk"),
            ("cut inside a chunk", bytes[..(payload + 5 * SealedChunk + 1000)], "fails authentication"),
            ("with a byte changed in a middle chunk", Changed(bytes, payload + 7 * SealedChunk + 3), "fails authentication"),
            ("with the last chunk's tag changed", Changed(bytes, bytes.Length - 1), "fails authentication"),
            ("with the header's MAC changed", Changed(bytes, payload - 16 - 10, ('A', 'B')), "MAC does not match"),
        };
        foreach (var (name, variant, says) in variants)
        {
            var path = Path.Combine(directory, $"damaged {name}.age");
            File.WriteAllBytes(path, variant);
            var before = (Destination.SubvolumeNames(), Destination.SnapshotChecksums());
            var refused = Destination.Run("receive", "damaged", "-f", path, "--identity", key).ShouldFailWith(8);
            var error = Assert.Single(refused.StderrLines, line => line.StartsWith("subvol: error:", StringComparison.Ordinal));
            Assert.Contains(says, error);
            Assert.Contains("nothing was received", error);
            Assert.Equal(before.Item1, Destination.SubvolumeNames());
            Assert.Equal(before.Item2, Destination.SnapshotChecksums());
            Assert.False(Directory.Exists(Destination.Incoming) && Directory.EnumerateFileSystemEntries(Destination.Incoming).Any(),
                $"a stream {name} should leave nothing in incoming/, but it holds: {string.Join(", ", Directory.Exists(Destination.Incoming) ? Directory.EnumerateFileSystemEntries(Destination.Incoming) : [])}");
            Assert.Empty(Destination.Run("receive", "--resume-token", "damaged").ShouldFailWith(3).Stdout);
            Assert.Empty(Destination.CheckConsistent());
        }

        // The undamaged stream is received, so each refusal above came from the damage alone.
        Destination.Run("receive", "damaged", "-f", encrypted, "--identity", key).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "damaged", "s1");
    }

    [RootFact]
    public void Age_stream_resuming_a_receive_that_fails_authentication_keeps_the_earlier_part_to_resume_from()
    {
        var directory = pools.NewDirectory("resumed-age");
        var (key, recipient) = NewKey(directory, "resumed");
        MakeSnapshots("resumed", ["s1"]);
        var plain = Path.Combine(directory, "plain.stream");
        Source.Run("send", "resumed@s1", "-o", plain).ShouldSucceed();
        var cut = Path.Combine(directory, "cut.stream");
        var whole = File.ReadAllBytes(plain);
        File.WriteAllBytes(cut, whole[..(whole.Length * 6 / 10)]);
        Destination.Run("receive", "resumed", "-f", cut).ShouldFailWith(8);
        var token = Destination.Run("receive", "--resume-token", "resumed").ShouldSucceed().Stdout.Trim();
        var rest = Path.Combine(directory, "rest.age");
        Source.Run("send", "--resume", token, "--encrypt-to", recipient, "-o", rest).ShouldSucceed();
        var bytes = File.ReadAllBytes(rest);
        var payload = bytes.AsSpan().IndexOf("\n--- "u8) + 1 + 48 + 16;
        Assert.True(bytes.Length > payload + 4 * SealedChunk, "the rest should span several chunks");
        var damaged = Path.Combine(directory, "rest damaged.age");
        File.WriteAllBytes(damaged, Changed(bytes, payload + 2 * SealedChunk + 3));

        var refused = Destination.Run("receive", "resumed", "-f", damaged, "--identity", key).ShouldFailWith(8);

        var error = Assert.Single(refused.StderrLines, line => line.StartsWith("subvol: error:", StringComparison.Ordinal));
        Assert.Contains("fails authentication", error);
        Assert.Contains("the part received before it is kept", error);
        Assert.DoesNotContain("resumed", Destination.SubvolumeNames());
        var kept = Destination.Run("receive", "--resume-token", "resumed").ShouldSucceed().Stdout.Trim();
        Assert.True(ResumeToken.TryDecode(token, out var first, out _), token);
        Assert.True(ResumeToken.TryDecode(kept, out var second, out _), kept);
        Assert.True(second!.Offset >= first!.Offset, $"the part received before the damaged stream should stay: {first.Offset}, then {second.Offset}");
        var again = Path.Combine(directory, "again.age");
        Source.Run("send", "--resume", kept, "--encrypt-to", recipient, "-o", again).ShouldSucceed();
        Destination.Run("receive", "resumed", "-f", again, "--identity", key).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, "resumed", "s1");
    }

    [RootFact]
    public void Identity_of_another_recipient_is_refused_with_exit_2_and_nothing_received()
    {
        var directory = pools.NewDirectory("stranger");
        var (_, recipient) = NewKey(directory, "owner");
        var (strangerKey, _) = NewKey(directory, "stranger");
        MakeSnapshots("stranger", ["s1"]);
        var encrypted = Path.Combine(directory, "stranger.age");
        Source.Run("send", "stranger@s1", "--encrypt-to", recipient, "-o", encrypted).ShouldSucceed();

        var refused = Destination.Run("receive", "stranger", "-f", encrypted, "--identity", strangerKey).ShouldFailWith(2);
        Assert.Contains("no identity given opens this age stream", refused.Stderr);
        AssertNoSecret(strangerKey, refused.Stderr);
        Assert.DoesNotContain("stranger", Destination.SubvolumeNames());
    }

    [RootFact]
    public void Identity_file_open_to_others_is_refused_with_chmod_600_before_the_stream_is_read()
    {
        var directory = pools.NewDirectory("loose-key");
        var (key, recipient) = NewKey(directory, "loose");
        MakeSnapshots("loose", ["s1"]);
        var encrypted = Path.Combine(directory, "loose.age");
        Source.Run("send", "loose@s1", "--encrypt-to", recipient, "-o", encrypted).ShouldSucceed();

        foreach (var mode in new[] { "604", "640", "620" })
        {
            Tools.Run("chmod", mode, key).ShouldSucceed();
            var refused = Destination.Run("receive", "loose", "-f", encrypted, "--identity", key).ShouldFailWith(2);
            Assert.Contains($"chmod 600 {key}", refused.Stderr);
            AssertNoSecret(key, refused.Stderr);
            Assert.DoesNotContain("loose", Destination.SubvolumeNames());
        }
    }

    [RootFact]
    public void Age_stream_without_identity_says_to_pass_one_to_receive_and_dump_and_plain_stream_with_identity_says_to_leave_it_out()
    {
        var directory = pools.NewDirectory("which-input");
        var (key, recipient) = NewKey(directory, "which");
        MakeSnapshots("which", ["s1"]);
        var encrypted = Path.Combine(directory, "which.age");
        Source.Run("send", "which@s1", "--encrypt-to", recipient, "-o", encrypted).ShouldSucceed();
        var plain = Send(Source, directory, "which@s1");

        Assert.Contains("pass --identity FILE", Tools.Bash($"{Subvol} receive which --pool {Destination.Path} < {encrypted}").ShouldFailWith(2).Stderr);
        Assert.Contains("pass --identity FILE", Destination.Run("stream", "dump", encrypted).ShouldFailWith(2).Stderr);
        Assert.Contains("leave out --identity", Destination.Run("receive", "which", "-f", plain, "--identity", key).ShouldFailWith(2).Stderr);
        Assert.Contains("age -d", Tools.Bash($"age -a -r {recipient} < {plain} | {Subvol} receive which --identity {key} --pool {Destination.Path}").ShouldFailWith(2).Stderr);
        Assert.DoesNotContain("which", Destination.SubvolumeNames());
    }

    [RootFact]
    public void Secret_key_or_malformed_recipient_given_to_send_is_refused_without_writing_a_stream_or_repeating_the_key()
    {
        var directory = pools.NewDirectory("secret-as-recipient");
        var (key, _) = NewKey(directory, "secret");
        var secret = File.ReadAllLines(key).Single(line => line.StartsWith("AGE-SECRET-KEY-1", StringComparison.Ordinal));
        MakeSnapshots("secret", ["s1"]);
        var output = Path.Combine(directory, "never.age");

        var refused = Source.Run("send", "secret@s1", "--encrypt-to", secret, "-o", output).ShouldFailWith(2);
        Assert.Contains("secret key, not a recipient", refused.Stderr);
        Assert.DoesNotContain(secret[16..], refused.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(output), "a refused send should write no stream");

        var recipients = Path.Combine(directory, "recipients.txt");
        File.WriteAllText(recipients, "# keys\nage1wrong\n");
        Assert.Contains($"line 2 of {recipients}", Source.Run("send", "secret@s1", "--encrypt-to-file", recipients, "-o", output).ShouldFailWith(2).Stderr);
        Assert.False(File.Exists(output), "a refused send should write no stream");
    }

    private static (string IdentityFile, string Recipient) NewKey(string directory, string name)
    {
        var path = Path.Combine(directory, name + ".key");
        Tools.Run("age-keygen", "-o", path).ShouldSucceed();
        return (path, Tools.Run("age-keygen", "-y", path).ShouldSucceed().Stdout.Trim());
    }

    /// <summary>No part of the identity file's secret key appears in <paramref name="text"/>.</summary>
    private static void AssertNoSecret(string identityFile, string text)
    {
        var secret = File.ReadAllLines(identityFile).Single(line => line.StartsWith("AGE-SECRET-KEY-1", StringComparison.Ordinal));
        Assert.DoesNotContain(secret[16..40], text, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Changed(byte[] bytes, int offset, (char From, char To)? text = null)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] = text is { } swap ? (byte)(copy[offset] == swap.From ? swap.To : swap.From) : (byte)(copy[offset] ^ 0x40);
        return copy;
    }

    private void MakeSnapshots(string name, string[] snapshots)
    {
        var random = new Random(name.Length * 31 + name[0]);
        Source.Create(name, "320M");
        var mountPoint = Source.Mount(name);
        WriteRandomFile(Path.Combine(mountPoint, "data.bin"), random, 4 * MiB);
        foreach (var snapshot in snapshots)
        {
            WriteAtRandomOffsets(Path.Combine(mountPoint, "data.bin"), random, writes: 10, maxOffset: 5 * MiB, maxLength: 128 * (int)KiB);
            Source.Snapshot($"{name}@{snapshot}");
        }

        Source.Unmount(name);
    }
}
