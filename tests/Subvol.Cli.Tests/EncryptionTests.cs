using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>An encrypted ext4 subvolume: what its images hide, what unlocks it, and what its keys do.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EncryptionTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const int InvalidArgument = 2;
    private const int Busy = 5;

    [RootFact]
    public void A_marker_in_a_files_contents_and_name_is_in_no_image_of_an_encrypted_subvolume_but_in_its_unencrypted_twins()
    {
        var passphrase = Secrets.PassphraseFile(pool.NewDirectory("marker-keys"), "correct horse battery staple");
        var marker = Secrets.Marker();
        pool.Run("create", "hidden", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        pool.Create("plain", "32M", "ext4");
        foreach (var (name, key) in new[] { ("hidden", new[] { "--passphrase-file", passphrase }), ("plain", Array.Empty<string>()) })
        {
            pool.Run(["mount", name, .. key]).ShouldSucceed();
            Secrets.WriteMarker(pool.DefaultMountPoint(name), marker);
            pool.Run("snapshot", $"{name}@s1").ShouldSucceed();
            pool.Unmount(name);
        }

        Assert.False(Secrets.Holds(pool.SubvolumeImage("hidden"), marker), "the encrypted subvolume's image shows the marker");
        Assert.False(Secrets.Holds(pool.SnapshotImage("hidden", "s1"), marker), "the encrypted snapshot's image shows the marker");
        Assert.False(Secrets.Holds(pool.SubvolumeImage("hidden"), Secrets.NameOf(marker)), "the encrypted image shows the file's name");
        Assert.False(Secrets.Holds(pool.SnapshotImage("hidden", "s1"), Secrets.NameOf(marker)), "the encrypted snapshot's image shows the file's name");
        Assert.True(Secrets.Holds(pool.SubvolumeImage("plain"), marker), "the unencrypted twin's image should show the marker, or the test proves nothing");
        Assert.True(Secrets.Holds(pool.SubvolumeImage("plain"), Secrets.NameOf(marker)), "the unencrypted twin's image should show the file's name");
        Assert.True(Secrets.Holds(pool.SnapshotImage("plain", "s1"), marker), "the unencrypted twin's snapshot should show the marker");

        // The snapshot keeps the subvolume's key: it mounts read-only with the same passphrase, and shows the marker.
        pool.Run("mount", "hidden@s1", "--passphrase-file", passphrase).ShouldSucceed();
        Assert.Equal(marker, File.ReadAllText(Path.Combine(pool.DefaultMountPoint("hidden@s1"), Secrets.NameOf(marker))));
        Assert.True(Kernel.MountAt(pool.DefaultMountPoint("hidden@s1"))!.ReadOnly, "a snapshot mounts read-only");
        pool.Unmount("hidden@s1");
        pool.Run("mount", "hidden@s1").ShouldFailWith(InvalidArgument);
        Assert.Null(Kernel.MountAt(pool.DefaultMountPoint("hidden@s1")));
    }

    [RootTheory]
    [InlineData("link")]
    [InlineData("file")]
    public void An_image_whose_encrypted_directory_was_replaced_is_refused_and_nothing_it_points_to_is_mounted(string replacement)
    {
        var name = "forged-" + replacement;
        var keyFile = Secrets.KeyFile(pool.NewDirectory(name + "-keys"), 32);
        pool.Run("create", name, "--size", "32M", "--fs", "ext4", "--encrypt", "--key-file", keyFile).ShouldSucceed();
        // What a sender who means harm could put in a stream: the image's top-level directory swapped for a link to the host's root.
        var opened = pool.NewDirectory(name + "-opened");
        Tools.Run("mount", "-o", "loop", pool.SubvolumeImage(name), opened).ShouldSucceed();
        try
        {
            Directory.Move(Path.Combine(opened, "encrypted"), Path.Combine(opened, "moved"));
            if (replacement == "link")
            {
                File.CreateSymbolicLink(Path.Combine(opened, "encrypted"), "/");
            }
            else
            {
                File.WriteAllText(Path.Combine(opened, "encrypted"), "not a directory");
            }
        }
        finally
        {
            Tools.Run("umount", opened).ShouldSucceed();
        }

        var result = pool.Run("mount", name, "--key-file", keyFile).ShouldFailWith(10);

        Assert.Contains("the image's top-level directory 'encrypted' is missing or not a directory", result.Stderr);
        Assert.Null(Kernel.MountAt(pool.DefaultMountPoint(name)));
        Assert.DoesNotContain(Kernel.MountsUnder(pool.PoolPath), mount => !mount.Source.StartsWith("/dev/loop", StringComparison.Ordinal));
        pool.Run("delete", name).ShouldSucceed();
    }

    [RootFact]
    public void A_wrong_passphrase_or_key_file_is_refused_clearly_with_nothing_mounted_and_nothing_changed()
    {
        var keys = pool.NewDirectory("wrong-keys");
        var passphrase = Secrets.PassphraseFile(keys, "the right one");
        var wrong = Secrets.PassphraseFile(keys, "the wrong one");
        var keyFile = Secrets.KeyFile(keys, 32);
        var otherKeyFile = Secrets.KeyFile(keys, 64);
        pool.Run("create", "locked", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        pool.Run("create", "keyed", "--size", "32M", "--fs", "ext4", "--encrypt", "--key-file", keyFile).ShouldSucceed();
        var images = new[] { pool.SubvolumeImage("locked"), pool.SubvolumeImage("keyed") }.Select(Data.Sha256).ToList();
        var listing = pool.Run("list", "--json").ShouldSucceed().Stdout;

        var refusals = new[]
        {
            (pool.Run("mount", "locked", "--passphrase-file", wrong), "the passphrase does not unlock subvolume 'locked'"),
            (pool.Run("mount", "keyed", "--key-file", otherKeyFile), "the key file does not unlock subvolume 'keyed'"),
            (pool.Run("mount", "keyed", "--passphrase-file", passphrase), "subvolume 'keyed' is locked with a key file, not a passphrase"),
            (pool.Run("mount", "locked"), "subvolume 'locked' is encrypted; give its key"),
            (pool.Run("key", "change", "locked", "--passphrase-file", wrong, "--new-passphrase-file", wrong), "the passphrase does not unlock subvolume 'locked'"),
        };
        foreach (var (result, sentence) in refusals)
        {
            result.ShouldFailWith(InvalidArgument);
            Assert.Single(result.StderrLines);
            Assert.Contains(sentence, result.Stderr);
            Assert.DoesNotContain("the right one", result.Stderr + result.Stdout);
        }

        Assert.Null(Kernel.MountAt(pool.DefaultMountPoint("locked")));
        Assert.Null(Kernel.MountAt(pool.DefaultMountPoint("keyed")));
        Assert.DoesNotContain(Kernel.LoopDevices(), loop => loop.BackingFile == pool.SubvolumeImage("locked") || loop.BackingFile == pool.SubvolumeImage("keyed"));
        Assert.Equal(images, new[] { pool.SubvolumeImage("locked"), pool.SubvolumeImage("keyed") }.Select(Data.Sha256).ToList());
        Assert.Equal(listing, pool.Run("list", "--json").ShouldSucceed().Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(pool.PoolPath, ".subvol"), "mounting-*"));

        // A key for a subvolume that has none is a mistake said as such, not ignored.
        pool.Create("keyless", "32M", "ext4");
        Assert.Contains("keyless is not encrypted; mount it without a key", pool.Run("mount", "keyless", "--passphrase-file", passphrase).ShouldFailWith(InvalidArgument).Stderr);
        Assert.Null(Kernel.MountAt(pool.DefaultMountPoint("keyless")));

        // The right ones still work after all that.
        pool.Run("mount", "keyed", "--key-file", keyFile).ShouldSucceed();
        pool.Unmount("keyed");
    }

    [RootFact]
    public void A_key_file_or_passphrase_file_that_others_can_read_is_refused_with_chmod_600()
    {
        var keys = pool.NewDirectory("open-keys");
        var keyFile = Secrets.KeyFile(keys, 32);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var result = pool.Run("create", "open", "--size", "32M", "--fs", "ext4", "--encrypt", "--key-file", keyFile).ShouldFailWith(InvalidArgument);
        Assert.Contains($"chmod 600 {keyFile}", result.Stderr);
        Assert.DoesNotContain("open", pool.SubvolumeNames());

        var shortKey = Path.Combine(keys, "short.key");
        File.WriteAllBytes(shortKey, new byte[16]);
        File.SetUnixFileMode(shortKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Contains("holds 16 bytes; a key file holds exactly 32 or 64", pool.Run("create", "open", "--size", "32M", "--fs", "ext4", "--encrypt", "--key-file", shortKey).ShouldFailWith(InvalidArgument).Stderr);
    }

    [RootFact]
    public void Encrypt_with_xfs_is_refused_with_the_reason()
    {
        var passphrase = Secrets.PassphraseFile(pool.NewDirectory("xfs-keys"), "whatever");
        var result = pool.Run("create", "xfs-secret", "--size", "320M", "--fs", "xfs", "--encrypt", "--passphrase-file", passphrase).ShouldFailWith(7);
        Assert.Contains("XFS has no file-based encryption (fscrypt) as of Linux 6.18", result.Stderr);
        Assert.DoesNotContain("xfs-secret", pool.SubvolumeNames());
    }

    [RootFact]
    public void The_mount_point_carries_the_encryption_flag_and_a_v2_policy_naming_the_subvolumes_key()
    {
        var passphrase = Secrets.PassphraseFile(pool.NewDirectory("policy-keys"), "policy passphrase");
        pool.Run("create", "flagged", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        pool.Run("mount", "flagged", "--passphrase-file", passphrase).ShouldSucceed();
        var mountPoint = pool.DefaultMountPoint("flagged");
        try
        {
            var flags = Tools.Run("lsattr", "-d", mountPoint).ShouldSucceed().Stdout.Split(' ')[0];
            Assert.Contains('E', flags);

            var policy = Linux.FileSystemEncryption.GetPolicy(mountPoint);
            Assert.NotNull(policy);
            Assert.Equal(2, policy.Version);
            Assert.Equal(Secrets.KeyIdentifierOf(pool.SubvolumeImage("flagged")), Convert.ToHexString(policy.KeyIdentifier));

            Assert.Null(Linux.FileSystemEncryption.GetPolicy(pool.PoolPath));
        }
        finally
        {
            pool.Unmount("flagged");
        }
    }

    [RootFact]
    public void Key_unload_locks_a_mounted_subvolumes_files_and_key_load_unlocks_them_and_list_says_which()
    {
        var passphrase = Secrets.PassphraseFile(pool.NewDirectory("load-keys"), "load and unload");
        pool.Run("create", "toggled", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        pool.Run("key", "unload", "toggled").ShouldFailWith(InvalidArgument);
        Assert.Equal("unloaded", KeyState("toggled"));
        pool.Run("mount", "toggled", "--passphrase-file", passphrase).ShouldSucceed();
        var mountPoint = pool.DefaultMountPoint("toggled");
        Directory.CreateDirectory(Path.Combine(mountPoint, "deeper"));
        File.WriteAllText(Path.Combine(mountPoint, "deeper", "letter.txt"), "dear diary");
        Tools.Run("sync").ShouldSucceed();
        Assert.Equal("loaded", KeyState("toggled"));

        File.WriteAllText(Path.Combine(mountPoint, "on-top.txt"), "right under the mount point");
        Tools.Run("sync").ShouldSucceed();

        pool.Run("key", "unload", "toggled").ShouldSucceed();
        Assert.Equal("unloaded", KeyState("toggled"));
        Assert.ThrowsAny<IOException>(() => File.ReadAllText(Path.Combine(mountPoint, "deeper", "letter.txt")));
        var topNames = Directory.GetFileSystemEntries(mountPoint).Select(Path.GetFileName).ToList();
        Assert.Equal(2, topNames.Count);
        Assert.DoesNotContain("on-top.txt", topNames);
        Assert.DoesNotContain("deeper", topNames);
        Assert.NotNull(Kernel.MountAt(mountPoint));

        pool.Run("key", "load", "toggled", "--passphrase-file", passphrase).ShouldSucceed();
        Assert.Equal("loaded", KeyState("toggled"));
        Assert.Equal("dear diary", File.ReadAllText(Path.Combine(mountPoint, "deeper", "letter.txt")));
        Assert.Equal("right under the mount point", File.ReadAllText(Path.Combine(mountPoint, "on-top.txt")));
        pool.Unmount("toggled");
        Assert.Equal("unloaded", KeyState("toggled"));
        var row = pool.Json("list", "toggled").EnumerateArray().Single();
        Assert.True(row.GetProperty("encrypted").GetBoolean());
        Assert.DoesNotContain("load and unload", row.ToString());
    }

    [RootFact]
    public void Key_unload_refuses_while_a_file_under_the_mount_point_is_open_and_leaves_the_key_loaded()
    {
        var passphrase = Secrets.PassphraseFile(pool.NewDirectory("busy-keys"), "held open");
        pool.Run("create", "held", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        pool.Run("mount", "held", "--passphrase-file", passphrase).ShouldSucceed();
        var mountPoint = pool.DefaultMountPoint("held");
        var file = Path.Combine(mountPoint, "open.txt");
        File.WriteAllText(file, "in use");

        using (File.OpenRead(file))
        {
            var refusal = pool.Run("key", "unload", "held");
            refusal.ShouldFailWith(Busy);
            Assert.Contains("in use", refusal.Stderr, StringComparison.Ordinal);
            Assert.Equal("loaded", KeyState("held"));
            Assert.Equal("in use", File.ReadAllText(file));
        }

        pool.Run("key", "unload", "held").ShouldSucceed();
        Assert.Equal("unloaded", KeyState("held"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(pool.PoolPath, ".subvol"), "mounting-*"));
        pool.Unmount("held");
    }

    [RootFact]
    public void A_passphrase_handed_over_through_a_pipe_mounts_as_one_from_a_file_does()
    {
        var passphrase = Secrets.PassphraseFile(pool.NewDirectory("piped-keys"), "through a pipe");
        pool.Run("create", "piped", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        var subvol = $"env -u SUBVOL_POOL SUBVOL_CONFIG_DIR='{pool.ConfigurationDirectory}' '{SubvolCli.Executable}' --pool '{pool.PoolPath}'";

        // A password manager hands a secret over as a pipe, whose size reads as 0 until it is read.
        Tools.Bash($"{subvol} mount piped --passphrase-file <(cat '{passphrase}')").ShouldSucceed();

        Assert.Equal("loaded", KeyState("piped"));
        pool.Unmount("piped");
    }

    [RootFact]
    public void Key_change_rewraps_the_subvolume_and_its_snapshots_so_only_the_new_passphrase_mounts_them()
    {
        var keys = pool.NewDirectory("change-keys");
        var old = Secrets.PassphraseFile(keys, "old passphrase");
        var next = Secrets.KeyFile(keys, 64);
        pool.Run("create", "rekeyed", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", old).ShouldSucceed();
        pool.Run("mount", "rekeyed", "--passphrase-file", old).ShouldSucceed();
        File.WriteAllText(Path.Combine(pool.DefaultMountPoint("rekeyed"), "kept.txt"), "still here");
        pool.Run("snapshot", "rekeyed@before").ShouldSucceed();
        pool.Unmount("rekeyed");
        var image = Data.Sha256(pool.SubvolumeImage("rekeyed"));

        pool.Run("key", "change", "rekeyed", "--passphrase-file", old, "--new-key-file", next).ShouldSucceed();
        Assert.Equal(image, Data.Sha256(pool.SubvolumeImage("rekeyed")));
        pool.Run("mount", "rekeyed", "--passphrase-file", old).ShouldFailWith(InvalidArgument);
        pool.Run("mount", "rekeyed@before", "--passphrase-file", old).ShouldFailWith(InvalidArgument);
        foreach (var target in new[] { "rekeyed", "rekeyed@before" })
        {
            pool.Run("mount", target, "--key-file", next).ShouldSucceed();
            Assert.Equal("still here", File.ReadAllText(Path.Combine(pool.DefaultMountPoint(target), "kept.txt")));
            pool.Unmount(target);
        }

        pool.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void A_rebuilt_metadata_database_still_unlocks_encrypted_subvolumes_and_their_snapshots_from_the_images()
    {
        using var rebuilt = new PoolFixture();
        var passphrase = Secrets.PassphraseFile(rebuilt.NewDirectory("rebuild-keys"), "rebuild me");
        rebuilt.Run("create", "kept", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        rebuilt.Run("mount", "kept", "--passphrase-file", passphrase).ShouldSucceed();
        File.WriteAllText(Path.Combine(rebuilt.DefaultMountPoint("kept"), "note.txt"), "survives");
        rebuilt.Run("snapshot", "kept@s1").ShouldSucceed();
        rebuilt.Unmount("kept");
        var database = Path.Combine(rebuilt.PoolPath, ".subvol", "pool.db");
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            File.Delete(file);
        }

        rebuilt.Run("check", "--repair").ShouldSucceed();
        Assert.True(rebuilt.Json("list", "kept").EnumerateArray().Single().GetProperty("encrypted").GetBoolean());
        foreach (var target in new[] { "kept", "kept@s1" })
        {
            rebuilt.Run("mount", target, "--passphrase-file", passphrase).ShouldSucceed();
            Assert.Equal("survives", File.ReadAllText(Path.Combine(rebuilt.DefaultMountPoint(target), "note.txt")));
            rebuilt.Unmount(target);
        }

        rebuilt.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void A_clone_of_an_encrypted_snapshot_keeps_its_master_key_and_a_key_file_named_in_the_pool_settings_mounts_it()
    {
        // A pool of its own: the key file in its settings would answer for every other test's subvolumes.
        using var pool = new PoolFixture();
        var keyFile = Secrets.KeyFile(pool.NewDirectory("clone-keys"), 32);
        pool.Run("create", "origin", "--size", "32M", "--fs", "ext4", "--encrypt", "--key-file", keyFile).ShouldSucceed();
        pool.Run("pool", "set", "key-file", keyFile).ShouldSucceed();
        pool.Run("mount", "origin").ShouldSucceed();
        File.WriteAllText(Path.Combine(pool.DefaultMountPoint("origin"), "shared.txt"), "from the origin");
        pool.Run("snapshot", "origin@base").ShouldSucceed();
        pool.Unmount("origin");
        pool.Run("clone", "origin@base", "copy").ShouldSucceed();
        Assert.True(pool.Json("list", "copy").EnumerateArray().Single().GetProperty("encrypted").GetBoolean());
        pool.Run("mount", "copy").ShouldSucceed();
        Assert.Equal("from the origin", File.ReadAllText(Path.Combine(pool.DefaultMountPoint("copy"), "shared.txt")));
        pool.Unmount("copy");
        Assert.Equal(
            Secrets.KeyIdentifierOf(pool.SubvolumeImage("origin")),
            Secrets.KeyIdentifierOf(pool.SubvolumeImage("copy")));
    }

    private string? KeyState(string name) => pool.Json("list", name).EnumerateArray().Single().GetProperty("key").GetString();
}
