using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>
/// What the built subvol says to input it refuses before it touches a pool: help, usage errors
/// and bad names. None of it needs root or loop devices, so these tests run on every machine,
/// as whichever user runs the tests, with a pool list of their own that knows no pool.
/// </summary>
public sealed class UsageTests : IDisposable
{
    private readonly DirectoryInfo _configuration = Directory.CreateTempSubdirectory("subvol-usage-");
    private readonly SubvolCli _cli;

    public UsageTests()
    {
        _cli = new SubvolCli(_configuration.FullName, defaultPool: null);
    }

    public static TheoryData<string[], string> BadNames => new()
    {
        { ["snapshot", "../x"], "cannot contain '..'" },
        { ["snapshot", ""], "cannot be empty" },
        { ["snapshot", new string('a', 101)], "at most 100 characters (this one has 101)" },
        { ["snapshot", "a/b"], "cannot contain '/'" },
        { ["snapshot", ".hidden"], "cannot start with '-' or '.'" },
        { ["snapshot", "--", "-x"], "cannot start with '-' or '.'" },
        { ["snapshot", "a b"], "can contain only" },
        { ["snapshot", "a\u001bb"], "\\x1b" },
        { ["snapshot", "a\nb"], "\\n" },
        { ["snapshot", "x@../y"], "cannot contain '..'" },
        { ["snapshot", "x@"], "cannot be empty" },
        { ["snapshot", "x@" + new string('s', 101)], "at most 100 characters" },
        { ["destroy", "x@../y"], "cannot contain '..'" },
        { ["destroy", "x"], "NAME@SNAPSHOT" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void A_bad_name_exits_2_with_the_rule_on_one_line_before_any_pool_is_looked_for(string[] arguments, string rule)
    {
        var result = _cli.Run(arguments).ShouldFailWith(2);

        Assert.Contains(rule, result.Stderr);
        Assert.DoesNotContain('\u001b', result.Stderr);
        Assert.Single(result.StderrLines);
    }

    public static TheoryData<string[], string> UsageErrors => new()
    {
        { [], "command" },
        { ["frobnicate"], "'frobnicate'" },
        { ["list", "--bogus"], "'--bogus'" },
        { ["list", "-t", "volumes"], "'volumes'" },
        { ["create", "no-size"], "'--size'" },
        { ["create", "bad-fs", "--size", "320M", "--fs", "ntfs"], "'ntfs'" },
        { ["create", "bad-size", "--size", "lots"], "'lots'" },
        { ["pool", "create"], "missing" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public void A_usage_error_exits_2_with_one_error_line_naming_what_was_wrong(string[] arguments, string named)
    {
        var result = _cli.Run(arguments).ShouldFailWith(2);

        Assert.Contains(named, result.StderrLines[0]);
    }

    [Fact]
    public void Help_goes_to_stdout_and_exits_0()
    {
        var help = _cli.Run("--help").ShouldSucceed();
        Assert.Contains("Usage:", help.Stdout);
        Assert.Contains("snapshot", help.Stdout);
        Assert.Empty(help.Stderr);

        var verbHelp = _cli.Run("create", "--help").ShouldSucceed();
        Assert.Contains("--size", verbHelp.Stdout);
        Assert.Empty(verbHelp.Stderr);
    }

    [Fact]
    public void A_machine_that_knows_no_pool_exits_3_and_says_how_to_make_one()
    {
        var result = _cli.Run("list").ShouldFailWith(3);

        Assert.Single(result.StderrLines);
        Assert.Contains("pool create", result.Stderr);
        Assert.Contains("--pool", result.Stderr);
    }

    public void Dispose() => _configuration.Delete(recursive: true);
}
