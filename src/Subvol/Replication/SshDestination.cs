using System.Text.Json;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;

namespace Subvol.Replication;

/// <summary>
/// A pool on another machine: each step runs 'subvol' there through the system's ssh, so keys,
/// agents and ~/.ssh/config work as they do for any ssh user. The remote host needs subvol on its PATH.
/// </summary>
internal sealed class SshDestination(DestinationAddress address, string sshProgram, string remoteProgram) : IReplicationDestination
{
    // Every step is one ssh command; as syncoid does, they share one connection (OpenSSH's ControlMaster), so a run
    // that lists, sends and prunes pays for one handshake. The socket lives in a directory only this user can enter.
    private readonly string _connectionDirectory = Directory.CreateTempSubdirectory("subvol-ssh-").FullName;

    public string Address => address.ToString();

    public IReadOnlyList<DestinationSnapshot>? Snapshots(string subvolume)
    {
        var result = Run(["list", "-t", "snapshot", subvolume, "--json"]);
        if (result.ExitCode == ExitCodes.NotFound)
        {
            return null;
        }

        Check(result, "list the destination's snapshots");
        try
        {
            var snapshots = JsonSerializer.Deserialize(result.StandardOutput, RemoteSnapshotJson.Default.ListRemoteSnapshot)
                ?? throw new JsonException("the listing is null");
            return snapshots
                .Select(snapshot => new DestinationSnapshot(snapshot.Name, snapshot.Guid, snapshot.Created) { BaseFor = snapshot.BaseFor ?? [], MountPoint = snapshot.MountPoint })
                .ToList();
        }
        catch (JsonException exception)
        {
            throw new SubvolException(SubvolErrorCode.Failed,
                $"could not read the destination's snapshots at {address}: its snapshot listing is not one this subvol can read ({exception.Message})",
                new Remedy.Advice("install the same version of subvol on both hosts"), exception);
        }
    }

    public string? ResumeToken(string subvolume)
    {
        var result = Run(["receive", "--resume-token", subvolume]);
        if (result.ExitCode == ExitCodes.NotFound)
        {
            return null;
        }

        Check(result, "ask the destination for a resume token");
        return result.StandardOutput.Trim();
    }

    public void AbortReceive(string subvolume) => Check(Run(["receive", "--abort", subvolume]), "discard the interrupted receive on the destination");

    public void Receive(string subvolume, bool force, Action<System.IO.Stream> send, CancellationToken cancellation)
    {
        using var process = PipedProcess.Start(Command(force ? ["receive", "--force", subvolume] : ["receive", subvolume]));
        try
        {
            send(process.Input);
        }
        catch (IOException) when (!cancellation.IsCancellationRequested)
        {
            // A broken pipe means the remote receive stopped; its exit status and message say why.
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
            // The stream ends here: the remote receive, finding it cut short, syncs and keeps what it verified if it is let
            // finish, where killing the connection could stop it before that sync.
            process.Finish();
            throw;
        }

        Check(process.Finish(), "receive on the destination");
    }

    public void Destroy(string subvolume, IReadOnlyList<string> snapshots)
    {
        if (snapshots.Count == 0)
        {
            return;
        }

        Destroy(snapshots.Select(snapshot => new SnapshotReference(subvolume, snapshot)).ToList());
    }

    public void Destroy(IReadOnlyList<SnapshotReference> snapshots)
    {
        if (snapshots.Count == 0)
        {
            return;
        }

        var result = Run(["destroy", .. snapshots.Select(snapshot => snapshot.ToString())]);
        // The remote destroys every one it holds and exits NotFound for any it did not: those are gone as asked.
        if (result.ExitCode != ExitCodes.NotFound)
        {
            Check(result, "destroy snapshots on the destination");
        }
    }

    /// <summary>Closes the shared connection, if one was opened, and removes its socket's directory.</summary>
    public void Dispose()
    {
        try
        {
            if (File.Exists(ControlPath))
            {
                using var process = PipedProcess.Start([sshProgram, "-o", $"ControlPath={ControlPath}", "-O", "exit", Host]);
                process.Finish();
            }
        }
        catch (Exception exception) when (exception is IOException or ExternalToolException or System.ComponentModel.Win32Exception)
        {
            // The master exits by itself a minute after its last session (ControlPersist).
        }

        try
        {
            Directory.Delete(_connectionDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A socket the master has not yet removed; the directory is in the temporary directory, which is cleaned.
        }
    }

    private string ControlPath => Path.Combine(_connectionDirectory, "master");

    private string Host => address.User is null ? address.Host! : $"{address.User}@{address.Host}";

    private ToolResult Run(IReadOnlyList<string> arguments)
    {
        using var process = PipedProcess.Start(Command(arguments));
        return process.Finish();
    }

    private List<string> Command(IReadOnlyList<string> arguments)
    {
        var command = new List<string>
        {
            sshProgram, "-o", "BatchMode=yes",
            "-o", "ControlMaster=auto", "-o", $"ControlPath={ControlPath}", "-o", "ControlPersist=60",
        };
        if (address.Port is { } port)
        {
            command.AddRange(["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        command.Add(Host);
        // ssh hands the remote shell one string, so every word is quoted for sh.
        command.Add(string.Join(' ', new[] { remoteProgram, "--pool", address.Pool }.Concat(arguments).Select(Quote)));
        return command;
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void Check(ToolResult result, string what)
    {
        if (result.ExitCode == 0)
        {
            return;
        }

        var message = result.StandardError.Trim().Split('\n').LastOrDefault(line => line.Length > 0) ?? "(no message)";
        var code = ExitCodes.CodeOf(result.ExitCode);
        throw new SubvolException(code, $"could not {what} at {address} (exit {result.ExitCode}): {Printable.Quote(message)}");
    }
}
