using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>Listing and --json options a script can get wrong are refused before any pool is opened, so these run without root.</summary>
public sealed class ListingUsageTests
{
    private static readonly SubvolCli Cli = new("/nonexistent", defaultPool: null);

    public static TheoryData<string[], string, string> UnknownColumns => new()
    {
        { ["list", "-o", "name,bogus"], "'bogus'", "referenced" },
        { ["list", "-t", "snapshot", "-s", "allocated_bytes"], "'allocated_bytes'", "written_since_snapshot" },
        { ["df", "-S", "used"], "'used'", "shared" },
        { ["pool", "status", "-o", "path"], "'path'", "thin_available" },
        { ["pool", "list", "-s", "path"], "'path'", "state" },
    };

    [Theory]
    [MemberData(nameof(UnknownColumns))]
    public void An_unknown_column_exits_2_with_one_line_naming_it_and_listing_the_valid_ones(string[] arguments, string named, string listed)
    {
        var result = Cli.Run(arguments).ShouldFailWith(2);
        Assert.Single(result.StderrLines);
        Assert.Contains(named, result.Stderr);
        Assert.Contains($"choose from ", result.Stderr);
        Assert.Contains(listed, result.Stderr);
    }

    [Fact]
    public void Sorting_both_ways_at_once_exits_2()
    {
        var result = Cli.Run("list", "-s", "name", "-S", "size").ShouldFailWith(2);
        Assert.Contains("-s and -S", result.Stderr);
    }

    [Theory]
    [InlineData("-H")]
    [InlineData("-p")]
    [InlineData("-Hp")]
    public void Listing_flags_are_options_and_never_subvolume_names(string flag)
    {
        // Without a pool the listing stops at finding one (exit 3); a flag taken as a name would exit 2 first.
        var result = Cli.Run("list", flag).ShouldFailWith(3);
        Assert.Contains("no pool", result.Stderr);
        Assert.DoesNotContain($"'{flag}'", result.Stderr);
    }

    [Fact]
    public void Send_json_without_an_output_file_exits_2_since_the_stream_owns_standard_output()
    {
        var result = Cli.Run("send", "home@s", "--json").ShouldFailWith(2);
        Assert.Contains("-o FILE", result.Stderr);
    }

    [Fact]
    public void Guard_json_without_once_exits_2_since_a_watching_guard_never_finishes_a_document()
    {
        var result = Cli.Run("guard", "--json").ShouldFailWith(2);
        Assert.Contains("--once", result.Stderr);
    }
}
