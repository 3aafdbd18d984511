using System.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.CommandLine;

/// <summary>What a verb's behaviour needs: the parsed values, the reporter, and the way to the pool.</summary>
internal sealed class CommandContext(ParseResult parseResult, Reporter reporter)
{
    /// <summary>Overrides where the machine's pool list lives; used by tests and by packagers.</summary>
    public const string ConfigurationDirectoryVariable = "SUBVOL_CONFIG_DIR";

    public const string PoolVariable = "SUBVOL_POOL";

    public ParseResult ParseResult { get; } = parseResult;

    public Reporter Reporter { get; } = reporter;

    public bool Json => ParseResult.GetValue(GlobalOptions.Json);

    public PoolRegistry Registry { get; } = new(Environment.GetEnvironmentVariable(ConfigurationDirectoryVariable) is { Length: > 0 } directory
        ? directory
        : PoolRegistry.DefaultDirectory);

    public T Get<T>(Option<T> option) => ParseResult.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => ParseResult.GetValue(argument)!;

    public string PoolPath() =>
        PoolLocator.Resolve(ParseResult.GetValue(GlobalOptions.Pool), Environment.GetEnvironmentVariable(PoolVariable), Registry.Imported(), Registry.DefaultPool());

    public Pool OpenPool()
    {
        var pool = Pool.Open(PoolPath(), Registry);
        foreach (var mountPoint in pool.RecoveredFreezes)
        {
            Reporter.Warning($"thawed {mountPoint}, which a killed subvol process had left frozen");
        }

        if (pool.SpaceWarning() is { } warning)
        {
            Reporter.Warning(warning);
        }

        return pool;
    }
}
