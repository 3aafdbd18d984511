using System.Text.Json;
using Subvol.Cli.Tests.CommandInput;

namespace Subvol.Cli.Tests.Policies;

/// <summary>
/// policy check on files whose pools are not there, which needs no root: the file is checked, and a
/// pool that cannot be read is reported in the plan instead of failing it.
/// </summary>
public sealed class PolicyCheckTests : IDisposable
{
    private readonly ScratchMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    private string Missing => Path.Combine(_machine.Root, "missing-pool");

    private string WriteFile(string text)
    {
        var path = Path.Combine(_machine.Root, "policy.conf");
        File.WriteAllText(path, text);
        return path;
    }

    private string ValidFile() => WriteFile($"""
                                             [template:standard]
                                             hourly = 48
                                             daily = 14
                                             monthly = 12

                                             [home]                         # a subvolume of the default pool
                                             use_template = standard
                                             hourly = 24                    # overrides the template
                                             target = ssh://backup@nas/srv/pool
                                             target_keep = 14d 8w *m
                                             target = /backup/pool

                                             [db-*]
                                             pool = {Missing}
                                             keep = 4f 24h
                                             keep_min = 2d
                                             frequent_period = 5
                                             pre_snapshot = /usr/local/bin/db-flush
                                             hook_timeout = 30s
                                             prune_unreplicated = yes
                                             """);

    [Fact]
    public void A_valid_file_prints_each_policy_with_its_retention_targets_and_hooks()
    {
        var path = ValidFile();

        var result = _machine.Run("policy", "check", "--config", path).ShouldSucceed();

        Assert.StartsWith($"policy file {path} is valid: 2 policies", result.Stdout);
        Assert.Contains("[home] line 6", result.Stdout);
        Assert.Contains("keep                24h 14d 12m", result.Stdout);
        Assert.Contains("target              ssh://backup@nas/srv/pool (line 9) keep 14d 8w *m", result.Stdout);
        Assert.Contains("target              /backup/pool (line 11) keep 24h 14d 12m (as the source)", result.Stdout);
        Assert.Contains("snapshots           hourly", result.Stdout);
        Assert.Contains("[db-*] line 13", result.Stdout);
        Assert.Contains("snapshots           frequent, every 5 minutes", result.Stdout);
        Assert.Contains("keep                4f 24h min 2d", result.Stdout);
        Assert.Contains("hooks               before: /usr/local/bin/db-flush; timeout 30s", result.Stdout);
        Assert.Contains("prune_unreplicated  yes", result.Stdout);
        // No pool is known, so the default pool cannot be chosen, and the named pool is not there: both are in the plan.
        Assert.Contains("the default pool, which cannot be chosen: no pool given and this machine knows none", result.Stdout);
        Assert.Contains($"{Missing}, which cannot be read: pool {Missing} does not exist", result.Stdout);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public void Json_gives_the_plan_as_one_object()
    {
        var path = ValidFile();

        var result = _machine.Run("policy", "check", "--config", path, "--json").ShouldSucceed();

        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        Assert.Equal(path, root.GetProperty("path").GetString());
        Assert.True(root.GetProperty("valid").GetBoolean());
        var home = root.GetProperty("policies")[0];
        Assert.Equal("home", home.GetProperty("section").GetString());
        Assert.Equal(6, home.GetProperty("line").GetInt32());
        Assert.Equal(JsonValueKind.Null, home.GetProperty("pool").ValueKind);
        Assert.True(home.GetProperty("default_pool").GetBoolean());
        Assert.Contains("knows none", home.GetProperty("pool_error").GetString());
        Assert.Equal("hourly", home.GetProperty("finest_interval").GetString());
        Assert.Equal("24h 14d 12m", home.GetProperty("keep").GetString());
        Assert.Equal("latest", home.GetProperty("keep_min").GetString());
        var targets = home.GetProperty("targets");
        Assert.Equal("ssh://backup@nas/srv/pool", targets[0].GetProperty("address").GetString());
        Assert.Equal("14d 8w *m", targets[0].GetProperty("keep").GetString());
        Assert.True(targets[0].GetProperty("own_retention").GetBoolean());
        Assert.False(targets[1].GetProperty("own_retention").GetBoolean());
        var db = root.GetProperty("policies")[1];
        Assert.Equal(Missing, db.GetProperty("pool").GetString());
        Assert.Equal("frequent", db.GetProperty("finest_interval").GetString());
        Assert.Equal(5, db.GetProperty("frequent_period_minutes").GetInt32());
        Assert.Equal("2d", db.GetProperty("keep_min").GetString());
        Assert.Equal(30, db.GetProperty("hooks").GetProperty("timeout_seconds").GetInt32());
        Assert.Equal("/usr/local/bin/db-flush", db.GetProperty("hooks").GetProperty("pre_snapshot").GetString());
        Assert.True(db.GetProperty("prune_unreplicated").GetBoolean());
    }

    [Fact]
    public void An_invalid_file_exits_2_with_one_line_naming_the_file_and_line()
    {
        var path = WriteFile("[home]\nhourly = 24\ndialy = 7\n");

        var result = _machine.Run("policy", "check", "--config", path).ShouldFailWith(2);

        Assert.StartsWith($"subvol: error: {path}:3: unknown key 'dialy'", result.StderrLines[0]);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public void An_invalid_file_with_json_prints_nothing_on_standard_output()
    {
        var path = WriteFile("[home]\nuse_template = standard\n");

        var result = _machine.Run("policy", "check", "--config", path, "--json").ShouldFailWith(2);

        Assert.Contains($"{path}:2: unknown template 'standard'", result.Stderr);
    }

    [Fact]
    public void A_missing_file_exits_3_naming_it()
    {
        var path = Path.Combine(_machine.Root, "nowhere.conf");

        var result = _machine.Run("policy", "check", "--config", path).ShouldFailWith(3);

        Assert.Contains($"the policy file {path} does not exist", result.Stderr);
    }

    [Fact]
    public void The_variable_names_the_file_when_the_option_does_not()
    {
        var path = WriteFile("[scratch]\nautosnap = no\n");

        var result = _machine.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_CONFIG"] = path }, "policy", "check").ShouldSucceed();

        Assert.StartsWith($"policy file {path} is valid: 1 policy", result.Stdout);
        Assert.Contains("snapshots           no (autosnap = no)", result.Stdout);
    }
}
