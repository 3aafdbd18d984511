using Subvol.Cli.Tests.Infrastructure;
using Subvol.Cli.Tests.ReplicateVerb;

namespace Subvol.Cli.Tests.Policies;

/// <summary>
/// The pools of an automatic run: a source, a backup pool on the same machine, and an off-site pool reached
/// through a real sshd on 127.0.0.1, each named with --pool, under one temporary directory that is cleaned up whatever happens.
/// </summary>
public sealed class AutomaticPools : IDisposable
{
    private readonly TestArea? _area;
    private readonly SshServer? _server;

    public AutomaticPools()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            Cli = new SubvolCli("/nonexistent", null);
            return;
        }

        _area = new TestArea();
        Cli = new SubvolCli(_area.ConfigurationDirectory, defaultPool: null);
        try
        {
            foreach (var pool in new[] { Source, Backup, Offsite })
            {
                Cli.Run("pool", "create", pool, "--image", pool + ".img", "--size", "4G", "--sparse").ShouldSucceed();
            }

            _server = new SshServer(_area.NewDirectory("sshd"), _area.ConfigurationDirectory);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public SubvolCli Cli { get; }

    public string Source => Path.Combine(Area.Root, "source");

    public string Backup => Path.Combine(Area.Root, "backup");

    public string Offsite => Path.Combine(Area.Root, "offsite");

    public SshServer Server => _server ?? throw new InvalidOperationException(Capabilities.SkipReason);

    /// <summary>The off-site pool as a policy names it: through ssh.</summary>
    public string OffsiteAddress => Server.Address(Offsite);

    public string NewDirectory(string name) => Area.NewDirectory(name);

    public ChildProcess Track(ChildProcess child) => Area.Track(child);

    public ChildProcess StartPaused(string point, IReadOnlyDictionary<string, string?> environment, params string[] arguments) => Area.StartPaused(Cli, point, environment, arguments);

    private TestArea Area => _area ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public void Dispose()
    {
        try
        {
            _server?.Dispose();
        }
        finally
        {
            _area?.CleanUp(Cli, [Source, Backup, Offsite]);
        }
    }
}
