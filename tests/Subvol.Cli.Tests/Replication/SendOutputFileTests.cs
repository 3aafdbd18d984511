using System.Runtime.Versioning;
using Subvol.Cli.Tests.Infrastructure;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// The file that send -o names is replaced whole or not at all: a send that is refused or fills the disk leaves the
/// file that was there, which may be the last good stream, and a finished one takes its place, keeping its mode.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SendOutputFileTests(ReplicationPools pools) : IClassFixture<ReplicationPools>
{
    private const string Earlier = "an earlier stream, the only copy";

    private ReplicationPool Source => pools.Source;

    [RootFact]
    public void A_refused_send_leaves_the_file_it_was_to_write_as_it_was()
    {
        MakeSnapshot("out-refused");
        var directory = pools.NewDirectory("out-refused");
        var output = Path.Combine(directory, "backup.stream");
        File.WriteAllText(output, Earlier);

        Source.Run("send", "out-refused@missing", "-o", output).ShouldFailWith(3);
        Source.Run("send", "out-refused@s1", "--from", "missing", "-o", output).ShouldFailWith(3);

        Assert.Equal(Earlier, File.ReadAllText(output));
        Assert.Equal(["backup.stream"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName));
    }

    [RootFact]
    public void A_send_that_fills_the_disk_leaves_the_earlier_stream_and_no_partial_file()
    {
        MakeSnapshot("out-full");
        var directory = pools.NewDirectory("out-full");
        Tools.Run("mount", "-t", "tmpfs", "-o", "size=1m", "subvol-test-small", directory).ShouldSucceed();
        try
        {
            var output = Path.Combine(directory, "backup.stream");
            File.WriteAllText(output, Earlier);

            var failed = Source.Run("send", "out-full@s1", "-o", output).ShouldFailWith(6);

            Assert.Contains("subvol: error:", failed.Stderr);
            Assert.Equal(Earlier, File.ReadAllText(output));
            Assert.Equal(["backup.stream"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName));
        }
        finally
        {
            Tools.Run("umount", directory);
        }
    }

    [RootFact]
    public void A_finished_send_replaces_the_file_through_its_link_and_keeps_its_mode()
    {
        MakeSnapshot("out-done");
        var directory = pools.NewDirectory("out-done");
        var output = Path.Combine(directory, "backup.stream");
        File.WriteAllText(output, Earlier);
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(directory, "latest");
        File.CreateSymbolicLink(link, "backup.stream");

        Source.Run("send", "out-done@s1", "-o", link).ShouldSucceed();

        Assert.Equal("backup.stream", new FileInfo(link).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(output));
        Assert.Equal("begin", pools.Dump(output)[0].GetProperty("record").GetString());
        Assert.Equal(["backup.stream", "latest"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order());
    }

    [RootFact]
    public void A_link_that_leads_nowhere_is_refused_and_nothing_is_written()
    {
        MakeSnapshot("out-dangling");
        var directory = pools.NewDirectory("out-dangling");
        var link = Path.Combine(directory, "latest");
        File.CreateSymbolicLink(link, "missing/backup.stream");

        var refused = Source.Run("send", "out-dangling@s1", "-o", link).ShouldFailWith(2);

        Assert.Contains($"{link} is a symbolic link to missing/backup.stream, which does not exist", refused.Stderr);
        Assert.Equal(["latest"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName));
    }

    [RootFact]
    public void A_killed_send_leaves_the_file_it_was_writing_as_it_was_and_nothing_beside_it()
    {
        MakeSnapshot("out-killed");
        var directory = pools.NewDirectory("out-killed");
        var output = Path.Combine(directory, "backup.stream");
        File.WriteAllText(output, Earlier);

        var child = pools.StartPaused("send-sending", Source.WithPool("send", "out-killed@s1", "-o", output));
        child.Kill();
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), "SIGKILL ends the send");

        Assert.Equal(Earlier, File.ReadAllText(output));
        Assert.Equal(["backup.stream"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName));
    }

    [RootFact]
    public void A_finished_send_gives_the_new_file_the_owner_group_and_mode_of_the_one_it_replaces()
    {
        MakeSnapshot("out-owner");
        var directory = pools.NewDirectory("out-owner");
        var output = Path.Combine(directory, "backup.stream");
        File.WriteAllText(output, Earlier);
        Tools.Run("chown", "4321:4322", output).ShouldSucceed();
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        Source.Run("send", "out-owner@s1", "-o", output).ShouldSucceed();

        Assert.Equal("4321:4322 640", Tools.Run("stat", "-c", "%u:%g %a", output).ShouldSucceed().Stdout.Trim());
        Assert.Equal("begin", pools.Dump(output)[0].GetProperty("record").GetString());
        Assert.Equal(["backup.stream"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName));
    }

    private void MakeSnapshot(string name)
    {
        Source.Create(name, "320M");
        WriteRandomFile(Path.Combine(Source.Mount(name), "data.bin"), new Random(name.Length), 4 << 20);
        Source.Snapshot($"{name}@s1");
        Source.Unmount(name);
    }
}
