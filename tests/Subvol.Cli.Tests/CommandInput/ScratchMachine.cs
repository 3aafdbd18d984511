using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.CommandInput;

/// <summary>
/// A machine of the test's own for commands that need no pool and no root: an empty pool list, a
/// scratch directory, and a command line that names no pool unless the test does.
/// </summary>
public sealed class ScratchMachine : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-cli-input-");

    public ScratchMachine()
    {
        Directory.CreateDirectory(ConfigurationDirectory);
        Cli = new SubvolCli(ConfigurationDirectory, defaultPool: null);
    }

    public string Root => _directory.FullName;

    public string ConfigurationDirectory => Path.Combine(Root, "config");

    public string PoolList => Path.Combine(ConfigurationDirectory, "pools");

    public SubvolCli Cli { get; }

    public CliResult Run(params string[] arguments) => Cli.Run(arguments);

    /// <summary>Writes the machine's pool list as a pool create or import would have left it.</summary>
    public void Knows(params string[] lines) => File.WriteAllLines(PoolList, lines);

    public void Dispose() => _directory.Delete(recursive: true);
}
