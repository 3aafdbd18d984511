namespace Subvol.Cli.Tests.CommandInput;

/// <summary>Sizes are read as zfs reads them, and a refused size says how it was read; no pool or root is needed to see it.</summary>
public sealed class SizeArgumentTests : IDisposable
{
    private readonly ScratchMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void A_bare_number_too_small_for_a_subvolume_says_it_was_read_as_bytes_and_how_to_write_gigabytes()
    {
        var result = _machine.Run("--pool", _machine.Root, "create", "home", "--size", "100").ShouldFailWith(2);
        Assert.Equal(
            "subvol: error: size '100' was read as 100 bytes; an xfs subvolume needs at least 300.0 MiB; write 100G for gigabytes (or 100M for megabytes)",
            result.StderrLines[0]);
    }

    [Fact]
    public void A_size_with_a_unit_too_small_says_what_it_was_read_as()
    {
        var result = _machine.Run("--pool", _machine.Root, "create", "home", "--size", "1k", "--fs", "ext4").ShouldFailWith(2);
        Assert.Contains("size '1k' was read as 1.0 KiB (1024 bytes); an ext4 subvolume needs at least 16.0 MiB; give at least 16M", result.Stderr);
    }

    [Fact]
    public void A_fraction_without_a_unit_is_refused_as_a_fraction_of_a_byte()
    {
        var result = _machine.Run("--pool", _machine.Root, "create", "home", "--size", "1.5").ShouldFailWith(2);
        Assert.Contains("it was read as 1.5 bytes", result.Stderr);
        Assert.Contains("1.5G for gigabytes", result.Stderr);
    }

    [Fact]
    public void A_resize_to_a_bare_number_says_it_was_read_as_bytes()
    {
        var result = _machine.Run("--pool", _machine.Root, "resize", "home", "20").ShouldFailWith(2);
        Assert.Contains("size '20' was read as 20 bytes", result.Stderr);
        Assert.Contains("write 20G for gigabytes", result.Stderr);
    }

    [Fact]
    public void A_pool_image_size_without_a_unit_says_it_was_read_as_bytes()
    {
        var image = Path.Combine(_machine.Root, "pool.img");
        var result = _machine.Run("pool", "create", Path.Combine(_machine.Root, "pool"), "--image", image, "--size", "100").ShouldFailWith(2);
        Assert.Contains("size '100' was read as 100 bytes; a file-backed pool needs at least 300.0 MiB", result.Stderr);
        Assert.False(File.Exists(image));
    }

    [Theory]
    [InlineData("314572800")]
    [InlineData("314572800B")]
    [InlineData("400MB")]
    [InlineData("1GiB")]
    [InlineData("1gb")]
    [InlineData("0.5T")]
    public void Sizes_written_as_zfs_takes_them_pass_the_size_check(string size)
    {
        // The size is read before the pool is looked for, so a size that passes reaches the missing pool.
        var missing = Path.Combine(_machine.Root, "no-pool");
        var result = _machine.Run("--pool", missing, "create", "home", "--size", size).ShouldFailWith(3);
        Assert.Contains(missing, result.Stderr);
    }

    [Fact]
    public void An_unknown_unit_is_named()
    {
        var result = _machine.Run("--pool", _machine.Root, "create", "home", "--size", "10X").ShouldFailWith(2);
        Assert.Contains("invalid size '10X': 'X' is not a unit", result.Stderr);
    }
}
