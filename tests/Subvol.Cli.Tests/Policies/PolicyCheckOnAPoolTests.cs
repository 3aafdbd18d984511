using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.Policies;

/// <summary>policy check on a real pool: the subvolumes each policy governs now, and the ones an earlier policy takes.</summary>
public sealed class PolicyCheckOnAPoolTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    [RootFact]
    public void The_plan_lists_the_subvolumes_each_policy_governs_and_the_ones_an_earlier_policy_takes()
    {
        pool.Create("home", "300M");
        pool.Create("www", "300M");
        var path = Path.Combine(pool.NewDirectory("policy"), "policy.conf");
        File.WriteAllText(path, "[home]\nhourly = 24\n\n[*]\ndaily = 7\n");

        var text = pool.Run("policy", "check", "--config", path).ShouldSucceed();
        var json = pool.Json("policy", "check", "--config", path);

        Assert.Contains($"pool                {pool.PoolPath} (the default pool)", text.Stdout);
        Assert.Contains("subvolumes          www", text.Stdout);
        Assert.Contains("shadowed            home follows [home] line 1, the first policy that matches it", text.Stdout);
        var policies = json.GetProperty("policies");
        Assert.Equal(["home"], policies[0].GetProperty("subvolumes").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal(["www"], policies[1].GetProperty("subvolumes").EnumerateArray().Select(name => name.GetString()));
        var shadowed = Assert.Single(policies[1].GetProperty("shadowed").EnumerateArray());
        Assert.Equal(("home", "home", 1), (shadowed.GetProperty("subvolume").GetString(), shadowed.GetProperty("governed_by").GetString(), shadowed.GetProperty("governed_by_line").GetInt32()));
        Assert.Equal(JsonValueKind.Null, policies[1].GetProperty("pool_error").ValueKind);
    }
}
