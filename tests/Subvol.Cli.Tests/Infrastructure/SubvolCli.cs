namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>Runs the built native executable, artifacts/bin/subvol, with a test's own pool list and default pool.</summary>
public sealed class SubvolCli(string configurationDirectory, string? defaultPool)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    private static readonly string[] InheritedVariables = ["SUBVOL_POOL", "SUBVOL_CONFIG_DIR", "SUBVOL_TEST_PAUSE", "SUBVOL_TEST_PAUSE_MARKER"];

    private static readonly Lazy<string> RepositoryRootValue = new(FindRepositoryRoot);

    public static string RepositoryRoot => RepositoryRootValue.Value;

    public static string Executable
    {
        get
        {
            var path = Path.Combine(RepositoryRoot, "artifacts", "bin", "subvol");
            Assert.True(File.Exists(path), $"{path} does not exist; build it with ./build first");
            return path;
        }
    }

    public string ConfigurationDirectory { get; } = configurationDirectory;

    public string? DefaultPool { get; } = defaultPool;

    public CliResult Run(params string[] arguments) => RunWith(null, arguments);

    public CliResult RunWith(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        using var child = Start(environment, arguments);
        return child.Finish(Timeout);
    }

    public ChildProcess Start(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var variables = new Dictionary<string, string?> { ["SUBVOL_CONFIG_DIR"] = ConfigurationDirectory };
        if (DefaultPool is not null)
        {
            variables["SUBVOL_POOL"] = DefaultPool;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return ChildProcess.Start(Executable, arguments, variables, InheritedVariables);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Subvol.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Subvol.slnx above {AppContext.BaseDirectory}");
    }
}
