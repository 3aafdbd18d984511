using Subvol.Cli.Tests.Infrastructure;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// An encrypted subvolume replicates as ciphertext: its streams and the receiving pool's images hold no file contents
/// or names, the receiver needs no key, and the replica opens only with the passphrase or key file, the newest one.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EncryptedReplicationTests(ReplicationPools pools) : IClassFixture<ReplicationPools>
{
    private const int InvalidArgument = 2;

    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    [RootFact]
    public void A_marker_is_in_no_stream_or_received_image_of_an_encrypted_subvolume_but_in_its_unencrypted_twins_and_in_the_mounted_replica()
    {
        var streams = pools.NewDirectory("ciphertext");
        var passphrase = Secrets.PassphraseFile(pools.NewDirectory("ciphertext-keys"), "replica passphrase");
        var (first, second) = (Secrets.Marker(), Secrets.Marker());
        Source.Run("create", "vault", "--size", "32M", "--fs", "ext4", "--provisioning", "thin", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        Source.Create("open", "32M", "ext4");
        foreach (var (name, key) in new[] { ("vault", new[] { "--passphrase-file", passphrase }), ("open", Array.Empty<string>()) })
        {
            Source.Run(["mount", name, .. key]).ShouldSucceed();
            var mountPoint = Path.Combine(Source.Path, "mounts", name);
            Secrets.WriteMarker(mountPoint, first);
            Source.Snapshot($"{name}@s1");
            Directory.CreateDirectory(Path.Combine(mountPoint, "later"));
            Secrets.WriteMarker(Path.Combine(mountPoint, "later"), second);
            Source.Snapshot($"{name}@s2");
            Source.Unmount(name);
        }

        var vaultStreams = new[] { Send(Source, streams, "vault@s1"), Send(Source, streams, "vault@s2", "vault@s1") };
        var openStreams = new[] { Send(Source, streams, "open@s1"), Send(Source, streams, "open@s2", "open@s1") };
        Assert.Equal(2, Begin(pools.Dump(vaultStreams[1])).GetProperty("version").GetInt32());
        Assert.Equal(1, Begin(pools.Dump(openStreams[1])).GetProperty("version").GetInt32());
        Assert.True(Secrets.Holds(openStreams[0], first) && Secrets.Holds(openStreams[0], Secrets.NameOf(first)), "the unencrypted twin's full stream should show the marker, or the test proves nothing");
        Assert.True(Secrets.Holds(openStreams[1], second) && Secrets.Holds(openStreams[1], Secrets.NameOf(second)), "the unencrypted twin's incremental stream should show the second marker");

        // No key on the receiving side: the receive stores ciphertext.
        foreach (var stream in vaultStreams)
        {
            Receive(Destination, "vault", stream).ShouldSucceed();
        }

        var seen = vaultStreams.Concat([Destination.SubvolumeImage("vault"), Destination.SnapshotImage("vault", "s1"), Destination.SnapshotImage("vault", "s2")]);
        foreach (var file in seen)
        {
            foreach (var marker in new[] { first, second, Secrets.NameOf(first), Secrets.NameOf(second) })
            {
                Assert.False(Secrets.Holds(file, marker), $"{file} shows {marker}");
            }
        }

        AssertSameSnapshot(Source, Destination, "vault", "s2", "ext4");
        Assert.True(Destination.Json("list", "vault").EnumerateArray().Single().GetProperty("encrypted").GetBoolean());
        Destination.Run("mount", "vault").ShouldFailWith(InvalidArgument);
        Assert.Null(Kernel.MountAt(Path.Combine(Destination.Path, "mounts", "vault")));

        Destination.Run("mount", "vault", "--passphrase-file", passphrase).ShouldSucceed();
        var replica = Path.Combine(Destination.Path, "mounts", "vault");
        Assert.Equal(first, File.ReadAllText(Path.Combine(replica, Secrets.NameOf(first))));
        Assert.Equal(second, File.ReadAllText(Path.Combine(replica, "later", Secrets.NameOf(second))));
        Destination.Unmount("vault");
        Destination.CheckConsistent();
    }

    [RootFact]
    public void After_key_change_an_incremental_stream_carries_the_new_wrapping_and_the_replica_opens_with_the_new_passphrase_only()
    {
        var streams = pools.NewDirectory("rekey");
        var keys = pools.NewDirectory("rekey-keys");
        var old = Secrets.PassphraseFile(keys, "the old passphrase");
        var next = Secrets.PassphraseFile(keys, "the new passphrase");
        Source.Run("create", "rotated", "--size", "32M", "--fs", "ext4", "--provisioning", "thin", "--encrypt", "--passphrase-file", old).ShouldSucceed();
        var mountPoint = Path.Combine(Source.Path, "mounts", "rotated");
        Source.Run("mount", "rotated", "--passphrase-file", old).ShouldSucceed();
        File.WriteAllText(Path.Combine(mountPoint, "before.txt"), "written before the change");
        Source.Snapshot("rotated@s1");
        Source.Unmount("rotated");
        Receive(Destination, "rotated", Send(Source, streams, "rotated@s1")).ShouldSucceed();

        Source.Run("key", "change", "rotated", "--passphrase-file", old, "--new-passphrase-file", next).ShouldSucceed();
        Source.Run("mount", "rotated", "--passphrase-file", next).ShouldSucceed();
        File.WriteAllText(Path.Combine(mountPoint, "after.txt"), "written after the change");
        Source.Snapshot("rotated@s2");
        Source.Unmount("rotated");
        Receive(Destination, "rotated", Send(Source, streams, "rotated@s2", "rotated@s1")).ShouldSucceed();

        Destination.Run("mount", "rotated", "--passphrase-file", old).ShouldFailWith(InvalidArgument);
        Destination.Run("mount", "rotated@s1", "--passphrase-file", old).ShouldFailWith(InvalidArgument);
        Destination.Run("mount", "rotated", "--passphrase-file", next).ShouldSucceed();
        var replica = Path.Combine(Destination.Path, "mounts", "rotated");
        Assert.Equal("written before the change", File.ReadAllText(Path.Combine(replica, "before.txt")));
        Assert.Equal("written after the change", File.ReadAllText(Path.Combine(replica, "after.txt")));
        Destination.Unmount("rotated");
        Destination.Run("mount", "rotated@s1", "--passphrase-file", next).ShouldSucceed();
        Assert.Equal("written before the change", File.ReadAllText(Path.Combine(Destination.Path, "mounts", "rotated@s1", "before.txt")));
        Destination.Unmount("rotated@s1");
        Destination.CheckConsistent();
    }

    [RootFact]
    public void An_encrypted_stream_is_refused_into_an_unencrypted_subvolume_and_a_plain_one_into_an_encrypted_subvolume()
    {
        var streams = pools.NewDirectory("mixed");
        var passphrase = Secrets.PassphraseFile(pools.NewDirectory("mixed-keys"), "mixed");
        Source.Run("create", "sealed", "--size", "32M", "--fs", "ext4", "--provisioning", "thin", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        Source.Create("bare", "32M", "ext4");
        foreach (var name in new[] { "sealed", "bare" })
        {
            Source.Snapshot($"{name}@s1");
            Source.Snapshot($"{name}@s2");
        }

        // Each subvolume's full stream lands under the other's name, then the other's incremental stream follows it.
        Receive(Destination, "sealed-here", Send(Source, streams, "bare@s1")).ShouldSucceed();
        Receive(Destination, "bare-here", Send(Source, streams, "sealed@s1")).ShouldSucceed();
        var sealedIncremental = Send(Source, streams, "sealed@s2", "sealed@s1");
        var bareIncremental = Send(Source, streams, "bare@s2", "bare@s1");
        Assert.Contains("is encrypted, and the stream is not", Receive(Destination, "bare-here", bareIncremental).ShouldFailWith(9).Stderr);
        Assert.Contains("here is not encrypted", Receive(Destination, "sealed-here", sealedIncremental).ShouldFailWith(9).Stderr);
    }
}
