using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.CommandInput;

/// <summary>A refused pool create removes the directories it made, and only those; these refusals need no root.</summary>
public sealed class PoolCreateRefusalTests : IDisposable
{
    private readonly ScratchMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void A_create_refused_on_a_directory_that_cannot_reflink_leaves_no_directory_it_made()
    {
        RequireHostWithoutReflink();
        var pool = Path.Combine(_machine.Root, "new", "deeper", "pool");

        _machine.Run("pool", "create", pool).ShouldFailWith(7);

        Assert.False(Directory.Exists(Path.Combine(_machine.Root, "new")));
        Assert.False(File.Exists(_machine.PoolList));
    }

    [Fact]
    public void A_create_refused_on_a_directory_that_was_there_leaves_that_directory()
    {
        RequireHostWithoutReflink();
        var pool = Path.Combine(_machine.Root, "existing");
        Directory.CreateDirectory(pool);

        _machine.Run("pool", "create", pool).ShouldFailWith(7);

        Assert.True(Directory.Exists(pool));
    }

    [Fact]
    public void A_file_backed_pool_refused_for_space_leaves_neither_its_image_directory_nor_its_pool_directory()
    {
        var image = Path.Combine(_machine.Root, "images", "pool", "pool.img");
        var pool = Path.Combine(_machine.Root, "pool");

        var result = _machine.Run("pool", "create", pool, "--image", image, "--size", "4E").ShouldFailWith(6);

        Assert.Contains("free", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_machine.Root, "images")));
        Assert.False(Directory.Exists(pool));
    }

    [Fact]
    public void A_file_backed_pool_refused_for_space_keeps_the_image_directory_that_was_there()
    {
        var images = Path.Combine(_machine.Root, "images");
        Directory.CreateDirectory(images);

        _machine.Run("pool", "create", Path.Combine(_machine.Root, "pool"), "--image", Path.Combine(images, "sub", "pool.img"), "--size", "4E").ShouldFailWith(6);

        Assert.True(Directory.Exists(images));
        Assert.False(Directory.Exists(Path.Combine(images, "sub")));
    }

    [Theory]
    [InlineData("create")]
    [InlineData("import")]
    public void A_pool_named_by_a_symbolic_link_is_refused_naming_the_link_and_nothing_is_made(string verb)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_machine.Root, "real")).FullName;
        var link = Path.Combine(_machine.Root, "link");
        File.CreateSymbolicLink(link, directory);
        var image = Path.Combine(_machine.Root, "images", "pool.img");

        string[] sizing = verb == "create" ? ["--size", "1G"] : [];

        var result = _machine.Run(["pool", verb, link, "--image", image, .. sizing]).ShouldFailWith(2);

        Assert.Contains($"{link} is a symbolic link (to {directory})", result.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        Assert.False(Directory.Exists(Path.Combine(_machine.Root, "images")));
        Assert.False(File.Exists(_machine.PoolList));
    }

    [Theory]
    [InlineData("create")]
    [InlineData("import")]
    public void A_pool_beneath_a_symbolic_link_is_refused_naming_where_it_leads_and_nothing_is_made(string verb)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_machine.Root, "real")).FullName;
        var link = Path.Combine(_machine.Root, "link");
        File.CreateSymbolicLink(link, directory);
        var image = Path.Combine(_machine.Root, "images", "pool.img");

        string[] sizing = verb == "create" ? ["--size", "1G"] : [];

        var result = _machine.Run(["pool", verb, Path.Combine(link, "pool"), "--image", image, .. sizing]).ShouldFailWith(2);

        Assert.Contains($"{Path.Combine(link, "pool")} lies beneath a symbolic link: it is {Path.Combine(directory, "pool")}; give that path as the pool", result.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        Assert.False(Directory.Exists(Path.Combine(_machine.Root, "images")));
        Assert.False(File.Exists(_machine.PoolList));
    }

    [Theory]
    [InlineData("create", "\t")]
    [InlineData("create", "\n")]
    [InlineData("import", "\t")]
    [InlineData("import", "\n")]
    public void A_pool_path_with_a_tab_or_a_line_break_is_refused_before_anything_is_made_or_listed(string verb, string character)
    {
        var pool = Path.Combine(_machine.Root, $"a{character}b");
        var image = Path.Combine(_machine.Root, "images", "pool.img");
        string[] sizing = verb == "create" ? ["--size", "1G"] : [];

        var result = _machine.Run(["pool", verb, pool, "--image", image, .. sizing]).ShouldFailWith(2);

        Assert.Contains($"the pool path '{_machine.Root}/a{(character == "\t" ? "\\t" : "\\n")}b' holds a control character", result.Stderr);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_machine.Root), entry => Path.GetFileName(entry).StartsWith('a'));
        Assert.False(Directory.Exists(Path.Combine(_machine.Root, "images")));
        Assert.False(File.Exists(_machine.PoolList));
    }

    [Fact]
    public void A_pool_image_inside_the_pools_own_directory_is_refused_before_anything_is_made()
    {
        var pool = Path.Combine(_machine.Root, "inside");
        var image = Path.Combine(pool, "pool.img");

        var result = _machine.Run("pool", "create", pool, "--image", image, "--size", "1G").ShouldFailWith(2);

        Assert.Contains($"the image {image} lies inside the pool's directory {pool}, where the pool mounted over it would hide it", result.Stderr);
        Assert.False(Directory.Exists(pool));
        Assert.False(File.Exists(_machine.PoolList));
    }

    private void RequireHostWithoutReflink()
    {
        var type = Tools.Run("stat", "-f", "-c", "%T", _machine.Root).ShouldSucceed().Stdout.Trim();
        Assert.True(type is "ext2/ext3" or "tmpfs", $"this test needs a temporary directory that cannot reflink, not {type}");
    }
}
