using System.Runtime.Versioning;

namespace Subvol.Tests.Replication;

/// <summary>A stream file written whole or not at all, beside the file it replaces, private unless it replaces another.</summary>
[SupportedOSPlatform("linux")]
public sealed class StreamOutputFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-stream-output-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Output => Path.Combine(_directory.FullName, "backup.stream");

    [Fact]
    public void A_new_stream_file_is_its_owners_alone_and_appears_only_when_committed()
    {
        using (var file = StreamOutputFile.Create(Output, 4096))
        {
            file.Stream.Write("stream"u8);
            Assert.False(File.Exists(Output), "the file appears only once the stream is whole");
            file.Commit();
        }

        Assert.Equal("stream", File.ReadAllText(Output));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Output));
        Assert.Equal(["backup.stream"], Directory.EnumerateFileSystemEntries(_directory.FullName).Select(Path.GetFileName));
    }

    [Fact]
    public void A_stream_that_is_not_committed_leaves_the_earlier_file_and_its_mode()
    {
        File.WriteAllText(Output, "earlier");
        File.SetUnixFileMode(Output, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        using (var file = StreamOutputFile.Create(Output, 4096))
        {
            file.Stream.Write("half a stream"u8);
        }

        Assert.Equal("earlier", File.ReadAllText(Output));
        Assert.Equal(["backup.stream"], Directory.EnumerateFileSystemEntries(_directory.FullName).Select(Path.GetFileName));

        using (var file = StreamOutputFile.Create(Output, 4096))
        {
            file.Stream.Write("whole"u8);
            file.Commit();
        }

        Assert.Equal("whole", File.ReadAllText(Output));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Output));
    }

    [Fact]
    public void A_link_planted_at_the_partial_files_name_is_never_written_through()
    {
        var victim = Path.Combine(_directory.FullName, "victim");
        File.WriteAllText(victim, "not to be written");
        File.CreateSymbolicLink(Path.Combine(_directory.FullName, $".backup.stream.partial-{Environment.ProcessId}"), victim);

        using (var file = StreamOutputFile.Create(Output, 4096))
        {
            file.Stream.Write("stream"u8);
            file.Commit();
        }

        Assert.Equal("not to be written", File.ReadAllText(victim));
        Assert.Equal("stream", File.ReadAllText(Output));
    }

    [Fact]
    public void A_device_is_written_in_place_with_nothing_made_beside_it()
    {
        using (var file = StreamOutputFile.Create("/dev/null", 4096))
        {
            file.Stream.Write("stream"u8);
            file.Commit();
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries("/dev", ".null.partial-*"));
    }
}
