using Subvol.Cli.Tests.Infrastructure;
using Subvol.Cli.Tests.ReplicateVerb;

namespace Subvol.Cli.Tests.CommandInput;

/// <summary>
/// Who draws a progress bar in 'send | receive': the sender on a terminal, the receiver only with -v or when it reads
/// a file, and nobody when standard error is not a terminal. The terminal is a pseudo-terminal that script(1) records.
/// </summary>
public sealed class TransferProgressTests(ReplicatePools pools) : IClassFixture<ReplicatePools>
{
    private PoolFixture Source => pools.SourceFixture;

    private PoolFixture Destination => pools.DestinationFixture;

    [RootFact]
    public void In_send_piped_to_receive_on_a_terminal_the_sender_draws_the_bar_and_the_receiver_none()
    {
        Snapshot("bar-pipe");

        var screen = OnTerminal($"{Subvol(Source)} send bar-pipe@s | {Subvol(Destination)} receive bar-pipe");

        Assert.Contains("sending", screen);
        Assert.Contains("100%", screen);
        Assert.DoesNotContain("receiving", screen);
        Assert.Contains("received bar-pipe@s", screen);
    }

    [RootFact]
    public void With_verbose_the_receiver_draws_a_bar_too()
    {
        Snapshot("bar-verbose");

        var screen = OnTerminal($"{Subvol(Source)} send bar-verbose@s | {Subvol(Destination)} receive -v bar-verbose");

        Assert.Contains("sending", screen);
        Assert.Contains("receiving", screen);
    }

    [RootFact]
    public void A_receive_that_reads_a_file_draws_its_bar()
    {
        Snapshot("bar-file");
        var stream = Path.Combine(Destination.NewDirectory("bar-file"), "s.stream");
        Source.Run("send", "bar-file@s", "-o", stream).ShouldSucceed();

        var screen = OnTerminal($"{Subvol(Destination)} receive bar-file -f '{stream}'");

        Assert.Contains("receiving", screen);
        Assert.Contains("received bar-file@s", screen);
    }

    [RootFact]
    public void Nothing_is_drawn_when_standard_error_is_not_a_terminal()
    {
        Snapshot("bar-none");

        var piped = Tools.Bash($"{Subvol(Source)} send bar-none@s | {Subvol(Destination)} receive -v bar-none").ShouldSucceed();

        Assert.Equal("", piped.Stderr);
        Assert.StartsWith("received bar-none@s", piped.Stdout);
    }

    [RootFact]
    public void On_a_terminal_receive_and_stream_dump_refuse_to_wait_for_a_stream_typed_there()
    {
        foreach (var command in new[] { $"{Subvol(Destination)} receive typed", $"'{SubvolCli.Executable}' stream dump" })
        {
            var result = Tools.RunWithTimeout(TimeSpan.FromSeconds(30), "script", "--quiet", "--flush", "--return", "--command", command, "/dev/null");

            Assert.True(result.ExitCode == 2, $"a terminal is no stream: {result}");
            Assert.Contains("standard input is a terminal", result.Stdout);
        }
    }

    private void Snapshot(string name)
    {
        Source.Create(name, "320M");
        Source.Run("snapshot", $"{name}@s").ShouldSucceed();
    }

    /// <summary>Runs a shell command on a fresh pseudo-terminal and returns everything it drew there.</summary>
    private static string OnTerminal(string command)
    {
        var result = Tools.Run("script", "--quiet", "--flush", "--return", "--command", command, "/dev/null").ShouldSucceed();
        return result.Stdout;
    }

    private static string Subvol(PoolFixture pool) =>
        $"env -u SUBVOL_POOL SUBVOL_CONFIG_DIR='{pool.ConfigurationDirectory}' '{SubvolCli.Executable}' --pool '{pool.PoolPath}'";
}
