using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ReplicateVerb;

/// <summary>
/// A real OpenSSH server on 127.0.0.1, with a throwaway host key and client key made for this run,
/// and a client configuration that trusts only that host key. Sessions find the built subvol first
/// on their PATH and see <paramref name="remoteConfigurationDirectory"/> as their pool list, as the
/// remote host of a replication would.
/// </summary>
public sealed class SshServer : IDisposable
{
    public const string Daemon = "/usr/sbin/sshd";

    private readonly ChildProcess _daemon;

    public SshServer(string directory, string remoteConfigurationDirectory)
    {
        Assert.True(File.Exists(Daemon), $"{Daemon} is missing: install openssh-server (scripts/install-dependencies does)");
        Directory.CreateDirectory(directory);
        var hostKey = Path.Combine(directory, "host_ed25519");
        var clientKey = Path.Combine(directory, "client_ed25519");
        Tools.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "subvol-test-host", "-f", hostKey).ShouldSucceed();
        Tools.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "subvol-test-client", "-f", clientKey).ShouldSucceed();
        File.Copy(clientKey + ".pub", Path.Combine(directory, "authorized_keys"));
        Port = FreePort();
        File.WriteAllText(Path.Combine(directory, "known_hosts"), $"[127.0.0.1]:{Port} {File.ReadAllText(hostKey + ".pub").Trim()}\n");

        var path = $"{Path.GetDirectoryName(SubvolCli.Executable)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        var serverConfiguration = Path.Combine(directory, "sshd_config");
        File.WriteAllLines(serverConfiguration,
        [
            "ListenAddress 127.0.0.1",
            $"Port {Port}",
            $"HostKey {hostKey}",
            $"AuthorizedKeysFile {Path.Combine(directory, "authorized_keys")}",
            $"PidFile {Path.Combine(directory, "sshd.pid")}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            // The keys live under the world-writable /tmp, which strict modes would refuse.
            "StrictModes no",
            $"SetEnv PATH={path} SUBVOL_CONFIG_DIR={remoteConfigurationDirectory}",
        ]);

        ClientConfiguration = Path.Combine(directory, "ssh_config");
        File.WriteAllLines(ClientConfiguration,
        [
            "Host *",
            $"  IdentityFile {clientKey}",
            "  IdentitiesOnly yes",
            $"  UserKnownHostsFile {Path.Combine(directory, "known_hosts")}",
            "  GlobalKnownHostsFile /dev/null",
            "  StrictHostKeyChecking yes",
            "  LogLevel ERROR",
        ]);

        // sshd keeps its privilege-separated children in this empty directory, which its service would create.
        Directory.CreateDirectory("/run/sshd");
        Tools.Run(Daemon, "-t", "-f", serverConfiguration).ShouldSucceed();
        _daemon = ChildProcess.Start(Daemon, ["-D", "-e", "-f", serverConfiguration]);
        if (!Waiting.Eventually(() => _daemon.HasExited || Accepts(Port), TimeSpan.FromSeconds(20)) || _daemon.HasExited)
        {
            _daemon.Dispose();
            Assert.Fail($"sshd did not start listening on 127.0.0.1:{Port}: {_daemon.Result(-1)}");
        }

        ProgramPath = WriteProgram(Path.Combine(directory, "ssh"), "");
    }

    public int Port { get; }

    /// <summary>The client configuration: this server's key, and only it, is trusted.</summary>
    public string ClientConfiguration { get; }

    /// <summary>A program for SUBVOL_SSH: the system's ssh with <see cref="ClientConfiguration"/>.</summary>
    public string ProgramPath { get; }

    /// <summary>The destination address of a pool reached through this server.</summary>
    public string Address(string pool) => $"ssh://root@127.0.0.1:{Port}{pool}";

    /// <summary>
    /// A program for SUBVOL_SSH whose connection drops after <paramref name="bytes"/> bytes of what is sent
    /// through it, as a network failure would cut a transfer.
    /// </summary>
    public string ProgramDroppingAfter(string directory, long bytes) =>
        WriteProgram(Path.Combine(directory, "ssh-dropping"), $"head -c {bytes.ToString(CultureInfo.InvariantCulture)} | ");

    public void Dispose() => _daemon.Dispose();

    private string WriteProgram(string path, string inputFilter)
    {
        File.WriteAllText(path, $"#!/bin/sh\n{inputFilter}exec /usr/bin/ssh -F '{ClientConfiguration}' \"$@\"\n");
        Tools.Run("chmod", "+x", path).ShouldSucceed();
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
