using System.Text.Json;
using Csi.V1;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

/// <summary>subvold's command line: help and version, one error line and exit code 2 for a bad one, and the log format.</summary>
[Collection(DaemonCollection.Name)]
public sealed class CommandLineTests(DaemonFixture fixture)
{
    [Fact]
    public void HelpListsEveryOptionAndExitsZero()
    {
        var (exitCode, output, error) = DaemonProcess.RunToExit("--help");
        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        foreach (var option in new[] { "--endpoint", "--pool", "--node-id", "--mode", "--metrics-address", "--log-format", "--log-level", "--version" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void VersionPrintsTheVersionAndExitsZero()
    {
        var (exitCode, output, _) = DaemonProcess.RunToExit("--version");
        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    [Fact]
    public void TheMetadataClientNamesTheSocketNobodyAnswersOnInOneLine()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"subvold-absent-{Guid.NewGuid():N}.sock");

        var (exitCode, output, error) = DaemonProcess.RunToExit("metadata", "allocated", "home@daily", "--endpoint", $"unix://{socket}");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"subvold: error: no subvold answers on {socket}; start subvold there, or give the socket of one that runs with --endpoint", Assert.Single(lines));
    }

    [Fact]
    public void AnUnknownOptionExitsTwoNamingIt()
    {
        var (exitCode, output, error) = DaemonProcess.RunToExit("--pool", "/nonexistent", "--endpoint", "unix:///nonexistent/csi.sock", "--bogus-option");
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("--bogus-option", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("subvold: error:", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void ABadLogFormatExitsTwoNamingTheOptionAndTheValue()
    {
        var (exitCode, _, error) = DaemonProcess.RunToExit("--pool", "/nonexistent", "--endpoint", "unix:///nonexistent/csi.sock", "--log-format", "xml");
        Assert.Equal(2, exitCode);
        var first = error.Split('\n')[0];
        Assert.Contains("--log-format", first, StringComparison.Ordinal);
        Assert.Contains("'xml'", first, StringComparison.Ordinal);
    }

    [Fact]
    public void AMetricsAddressWithoutAPortExitsTwoNamingTheOption()
    {
        var (exitCode, _, error) = DaemonProcess.RunToExit("--pool", "/nonexistent", "--endpoint", "unix:///nonexistent/csi.sock", "--metrics-address", "9810");
        Assert.Equal(2, exitCode);
        Assert.Contains("--metrics-address", error.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingPoolExitsTwoSayingWhatToGive()
    {
        var (exitCode, _, error) = DaemonProcess.RunToExit("--endpoint", "unix:///nonexistent/csi.sock");
        Assert.Equal(2, exitCode);
        Assert.Contains("--pool", error.Split('\n')[0], StringComparison.Ordinal);
    }

    [RootFact]
    public void JsonLogFormatWritesEveryLineAsAJsonObject()
    {
        var daemon = fixture.StartOther(Path.Combine(fixture.Root, "no-such-pool"), "--log-format", "json");
        using (daemon)
        {
            daemon.Identity.Probe(new ProbeRequest());
        }

        // Stopped, so the output is complete: at least the start line, the missing pool and the stop.
        var lines = daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.True(document.RootElement.TryGetProperty("EventId", out _), line);
        }

        Assert.Contains(lines, line => line.Contains("\"EventId\":1,", StringComparison.Ordinal));
    }
}
