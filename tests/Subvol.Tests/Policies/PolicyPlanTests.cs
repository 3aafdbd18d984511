using Subvol.Policies;

namespace Subvol.Tests.Policies;

public sealed class PolicyPlanTests
{
    private static readonly PolicyFile File = PolicyFile.Parse("""
                                                               [home]
                                                               hourly = 24
                                                               [*]
                                                               daily = 7
                                                               [*]
                                                               pool = /srv/gone
                                                               daily = 7
                                                               """, "/etc/subvol/policy.conf");

    [Fact]
    public void EachSubvolumeIsGovernedByTheFirstPolicyAndShownAsShadowedUnderTheOthers()
    {
        var plan = PolicyPlan.Build(File, () => "/srv/pool", Subvolumes);

        Assert.Equal(["home"], plan.Policies[0].Subvolumes);
        Assert.Equal(["var", "www"], plan.Policies[1].Subvolumes);
        var shadowed = Assert.Single(plan.Policies[1].Shadowed);
        Assert.Equal(("home", "home", 1), (shadowed.Subvolume, shadowed.GovernedBy.Section, shadowed.GovernedBy.Line));
        Assert.Equal("/srv/pool", plan.Policies[1].Pool);
    }

    [Fact]
    public void APoolThatCannotBeReadIsReportedForItsPoliciesAlone()
    {
        var plan = PolicyPlan.Build(File, () => "/srv/pool", Subvolumes);

        Assert.Null(plan.Policies[0].PoolProblem);
        Assert.Equal(SubvolErrorCode.NotFound, plan.Policies[2].PoolProblem?.Code);
        Assert.Contains("/srv/gone", plan.Policies[2].PoolProblem?.Message);
        Assert.Empty(plan.Policies[2].Subvolumes);
    }

    [Fact]
    public void WithoutADefaultPoolThePoliciesOfTheDefaultPoolSayWhy()
    {
        var plan = PolicyPlan.Build(File, () => throw SubvolException.Invalid("this machine knows 2 pools"), Subvolumes);

        Assert.Null(plan.Policies[0].Pool);
        Assert.Contains("knows 2 pools", plan.Policies[0].PoolProblem?.Message);
        Assert.Equal("/srv/gone", plan.Policies[2].Pool);
        Assert.Equal(SubvolErrorCode.NotFound, plan.Policies[2].PoolProblem?.Code);
    }

    private static IReadOnlyList<string> Subvolumes(string pool) => pool == "/srv/pool"
        ? ["www", "home", "var"]
        : throw SubvolException.NotFound($"pool {pool} does not exist");
}
