namespace Subvol.Cli.Tests.CommandInput;

/// <summary>
/// pool forget and pool default change only this machine's pool list, so they are tried on pools
/// the list names but that are not there, which needs no root.
/// </summary>
public sealed class PoolListSettingsTests : IDisposable
{
    private readonly ScratchMachine _machine = new();

    public PoolListSettingsTests()
    {
        _machine.Knows($"{First}\t", $"{Second}\t{SecondImage}");
        File.WriteAllText(SecondImage, "the image stands for the pool's data");
    }

    private string First => Path.Combine(_machine.Root, "first");

    private string Second => Path.Combine(_machine.Root, "second");

    private string SecondImage => Path.Combine(_machine.Root, "second.img");

    public void Dispose() => _machine.Dispose();

    [Theory]
    [InlineData("pool", "list")]
    [InlineData("pool", "forget", "first")]
    [InlineData("df")]
    public void A_line_of_the_pool_list_holding_a_nul_exits_2_naming_the_line_and_the_list_is_kept(params string[] arguments)
    {
        File.AppendAllText(_machine.PoolList, "/srv/p\0ol\t\n");
        var before = File.ReadAllBytes(_machine.PoolList);
        string[] command = arguments[^1] == "first" ? [.. arguments[..^1], First] : arguments;

        var result = _machine.Run(command).ShouldFailWith(2);

        Assert.Contains($"line 3 of the machine's pool list {_machine.PoolList} has a pool path '/srv/p\\x00ol' holding a control character", result.Stderr);
        Assert.Contains("correct or remove that line", result.Stderr);
        Assert.Equal(before, File.ReadAllBytes(_machine.PoolList));
    }

    [Fact]
    public void Forget_removes_the_pool_from_the_list_and_leaves_its_image_alone()
    {
        var result = _machine.Run("pool", "forget", Second).ShouldSucceed();

        Assert.Contains($"'subvol pool import {Second} --image {SecondImage}'", result.Stdout);
        Assert.DoesNotContain(Second, File.ReadAllText(_machine.PoolList));
        Assert.Contains(First, File.ReadAllText(_machine.PoolList));
        Assert.Equal("the image stands for the pool's data", File.ReadAllText(SecondImage));
    }

    [Fact]
    public void Forgetting_a_pool_the_machine_does_not_know_exits_3_naming_it()
    {
        var unknown = Path.Combine(_machine.Root, "unknown");
        var result = _machine.Run("pool", "forget", unknown).ShouldFailWith(3);

        Assert.Contains(unknown, result.Stderr);
        Assert.Contains("pool list", result.Stderr);
    }

    [Fact]
    public void The_default_pool_is_chosen_when_neither_the_option_nor_the_variable_names_one()
    {
        // Two known pools and no default: the command is refused and says how to set one.
        Assert.Contains("subvol pool default PATH", _machine.Run("df").ShouldFailWith(2).Stderr);

        Assert.Equal($"default pool {First}\n", _machine.Run("pool", "default", First).ShouldSucceed().Stdout);
        Assert.Equal($"{First}\n", _machine.Run("pool", "default").ShouldSucceed().Stdout);

        // The pool is not there, so the command stops at it, which shows which pool it chose.
        Assert.Contains(First, _machine.Run("df").ShouldFailWith(3).Stderr);
        var fromVariable = _machine.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_POOL"] = Second }, "df").ShouldFailWith(3);
        Assert.Contains(Second, fromVariable.Stderr);
        Assert.Contains(Second, _machine.Run("--pool", Second, "df").ShouldFailWith(3).Stderr);
    }

    [Fact]
    public void Clearing_the_default_pool_leaves_standard_output_empty_when_asked_again()
    {
        _machine.Run("pool", "default", First).ShouldSucceed();
        _machine.Run("pool", "default", "--clear").ShouldSucceed();

        var shown = _machine.Run("pool", "default").ShouldSucceed();
        Assert.Empty(shown.Stdout);
        Assert.Contains("no default pool", shown.Stderr);
    }

    [Fact]
    public void Only_a_known_pool_can_be_the_default()
    {
        var unknown = Path.Combine(_machine.Root, "unknown");
        Assert.Contains(unknown, _machine.Run("pool", "default", unknown).ShouldFailWith(3).Stderr);
        Assert.Empty(_machine.Run("pool", "default").ShouldSucceed().Stdout);
    }

    [Fact]
    public void Forgetting_the_default_pool_clears_the_default()
    {
        _machine.Run("pool", "default", First).ShouldSucceed();
        _machine.Run("pool", "forget", First).ShouldSucceed();

        Assert.Empty(_machine.Run("pool", "default").ShouldSucceed().Stdout);
    }
}
