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

    /// <summary>The pool a verb names as its own argument (pool status PATH), else the chosen one.</summary>
    public string PoolPath(string? named)
    {
        var explicitPool = ParseResult.GetValue(GlobalOptions.Pool);
        if (named is not null && explicitPool is not null && PoolRegistry.Normalize(named) != PoolRegistry.Normalize(explicitPool))
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, $"two pools given: {PoolRegistry.Normalize(named)} and --pool {PoolRegistry.Normalize(explicitPool)}") { Remedy = new Remedy.Advice("name the pool once") };
        }

        return named is null ? PoolPath() : PoolRegistry.Normalize(named);
    }

    public Pool OpenPool(string? named) => Open(PoolPath(named));

    public Pool OpenPool() => Open(PoolPath());

    private Pool Open(string path)
    {
        var pool = Pool.Open(path, Registry);
        foreach (var mountPoint in pool.RecoveredFreezes)
        {
            Reporter.Warning($"thawed {mountPoint}, which a killed subvol process had left frozen");
        }

        if (pool.SpaceWarning() is { } warning)
        {
            Reporter.Warning($"{warning.Message}; {RemedyWording.For(warning.Remedy)}");
        }

        if (DeletedPoolImage.Check(pool.Path, Registry.Find(pool.Path)?.Image) is { } deleted)
        {
            Reporter.Warning($"{deleted.Message}; {RemedyWording.For(deleted.Remedy!)}");
        }

        return pool;
    }
}
