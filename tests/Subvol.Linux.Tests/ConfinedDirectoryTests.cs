using System.Runtime.Versioning;

namespace Subvol.Linux.Tests;

/// <summary>
/// Names beneath a confined directory are never resolved through a symbolic link or out of the directory,
/// and what it creates has exactly the mode asked for, whatever the umask.
/// </summary>
[SupportedOSPlatform("linux")]
[Collection(XfsPoolCollection.Name)]
public sealed class ConfinedDirectoryTests(XfsPoolFixture pool)
{
    private const string Content = "outside\n";

    [RootFact]
    public void A_link_at_the_last_step_or_on_the_way_is_refused_and_its_target_is_untouched()
    {
        var (root, outside) = NewRootAndOutsideFile();
        File.CreateSymbolicLink(Path.Combine(root, "image.img"), outside);
        Directory.CreateDirectory(Path.Combine(root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(root, "linked"), Path.GetDirectoryName(outside)!);
        using var directory = ConfinedDirectory.Open(root);

        var last = Assert.Throws<ConfinementException>(() => directory.OpenFile("image.img", FileAccess.ReadWrite).Dispose());
        Assert.Equal(Path.Combine(root, "image.img"), last.Path);
        Assert.Throws<ConfinementException>(() => directory.OpenFile("linked/outside", FileAccess.Read).Dispose());
        Assert.Throws<ConfinementException>(() => directory.CreateFile("linked/new", 0x180).Dispose());
        Assert.Throws<ConfinementException>(() => directory.OpenFile("real/../../" + Path.GetFileName(Path.GetDirectoryName(outside)) + "/outside", FileAccess.Read).Dispose());
        Assert.Throws<ConfinementException>(() => directory.Delete("linked/outside"));
        Assert.Throws<ConfinementException>(() => directory.CreateDirectory("linked", 0x1C0));
        Assert.Equal(EntryKind.SymbolicLink, directory.Status("image.img").Kind);
        Assert.Equal(EntryKind.SymbolicLink, directory.Status("linked").Kind);

        // Removing the name removes the link only.
        Assert.True(directory.Delete("image.img"));
        Assert.False(File.Exists(Path.Combine(root, "image.img")));
        Assert.Equal(Content, File.ReadAllText(outside));
    }

    [RootFact]
    public void A_link_is_never_marked_immutable_through_an_open_descriptor()
    {
        var (root, outside) = NewRootAndOutsideFile();
        File.CreateSymbolicLink(Path.Combine(root, "snapshot.img"), outside);
        using var directory = ConfinedDirectory.Open(root);

        Assert.Throws<ConfinementException>(() => directory.OpenFile("snapshot.img", FileAccess.Read).Dispose());
        Assert.False(ImmutableAttribute.Get(outside));
    }

    [RootFact]
    public void Files_and_directories_get_exactly_the_mode_asked_for_whatever_the_umask()
    {
        var (root, _) = NewRootAndOutsideFile();
        using var directory = ConfinedDirectory.Open(root);

        // 0711 although the mkdir(2) mode is filtered by any umask; 0600 for a file.
        Assert.True(directory.CreateDirectory("mounts", 0x1C9));
        Assert.False(directory.CreateDirectory("mounts", 0x1C9));
        using (var file = directory.CreateFile("mounts-sibling.img", 0x180))
        {
            Assert.Equal(0x180, ConfinedDirectory.Status(file, "mounts-sibling.img").Mode);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(Path.Combine(root, "mounts")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "mounts-sibling.img")));
        Assert.Throws<SystemCallException>(() => directory.CreateFile("mounts-sibling.img", 0x180).Dispose());
    }

    [RootFact]
    public void Rename_without_replace_refuses_an_existing_name_and_never_follows_a_link_there()
    {
        var (root, outside) = NewRootAndOutsideFile();
        using var directory = ConfinedDirectory.Open(root);
        directory.CreateFile("partial", 0x180).Dispose();
        File.CreateSymbolicLink(Path.Combine(root, "published"), outside);

        var exception = Assert.Throws<SystemCallException>(() => directory.Rename("partial", "published", replace: false));
        Assert.Equal(Errno.EEXIST, exception.Errno);
        directory.Rename("partial", "published", replace: true);
        Assert.Equal(EntryKind.File, directory.Status("published").Kind);
        Assert.Equal(Content, File.ReadAllText(outside));
    }

    [RootFact]
    public void A_program_given_the_descriptor_path_reaches_the_opened_file_even_after_the_name_is_swapped()
    {
        var (root, outside) = NewRootAndOutsideFile();
        using var directory = ConfinedDirectory.Open(root);
        using (var file = directory.CreateFile("image.img", 0x180))
        {
            RandomAccess.Write(file, "inside\n"u8, 0);
            File.Move(Path.Combine(root, "image.img"), Path.Combine(root, "moved.img"));
            File.CreateSymbolicLink(Path.Combine(root, "image.img"), outside);
            using var inherited = InheritedFile.Share(file, Path.Combine(root, "image.img"));
            var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", "echo appended >> \"$0\"", inherited.Path]) { UseShellExecute = false };
            using var child = System.Diagnostics.Process.Start(start)!;
            child.WaitForExit();
            Assert.Equal(0, child.ExitCode);
        }

        Assert.Equal("inside\nappended\n", File.ReadAllText(Path.Combine(root, "moved.img")));
        Assert.Equal(Content, File.ReadAllText(outside));
    }

    private (string Root, string Outside) NewRootAndOutsideFile()
    {
        var parent = pool.NewDirectory();
        var root = Path.Combine(parent, "pool");
        Directory.CreateDirectory(root);
        var outsideDirectory = Path.Combine(parent, "elsewhere");
        Directory.CreateDirectory(outsideDirectory);
        var outside = Path.Combine(outsideDirectory, "outside");
        File.WriteAllText(outside, Content);
        return (root, outside);
    }
}
