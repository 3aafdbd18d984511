using Subvol.Policies;

namespace Subvol.Tests.Policies;

public sealed class PolicyFileTests
{
    private const string Path = "/etc/subvol/policy.conf";

    /// <summary>The example of the issue that asked for policies, exactly as written there.</summary>
    private const string IssueExample = """
                                            [template:standard]
                                            hourly = 48
                                            daily = 14
                                            monthly = 12

                                            [home]                         # a subvolume of the default pool, or pool = PATH; globs too
                                            use_template = standard
                                            hourly = 24                    # overrides the template
                                            target = ssh://backup@nas/srv/pool
                                            target_keep = 14d 8w *m        # btrbk strings wherever counts are accepted
                                        """;

    [Fact]
    public void TheIssuesExampleReadsAsWritten()
    {
        var file = PolicyFile.Parse(IssueExample, Path);

        var home = Assert.Single(file.Policies);
        Assert.Equal(("home", 6, (string?)null, "home"), (home.Section, home.Line, home.PoolPath, home.SubvolumePattern));
        Assert.True(home.TakeSnapshots);
        Assert.True(home.Prune);
        Assert.False(home.PruneUnreplicated);
        Assert.Equal("24h 14d 12m", home.Retention.ToString());
        Assert.Equal(Interval.Hourly, home.Retention.Finest);
        var target = Assert.Single(home.Targets);
        Assert.Equal(("ssh://backup@nas/srv/pool", 9, "14d 8w *m"), (target.Address, target.Line, target.Retention.ToString()));
        Assert.Equal(PolicyHooks.None, home.Hooks);
    }

    [Fact]
    public void LaterTemplatesWinAndTheSectionsOwnKeysWinOverAll()
    {
        var file = PolicyFile.Parse("""
                                    [template:base]
                                    hourly = 1
                                    daily = 1
                                    weekly = 1
                                    keep_min = 1d
                                    [template:more]
                                    use_template = base
                                    daily = 2
                                    monthly = 2
                                    [template:most]
                                    daily = 3
                                    [data]
                                    use_template = more, most
                                    weekly = 4
                                    """, Path);

        Assert.Equal("1h 3d 4w 2m min 1d", file.Policies[0].Retention.ToString());
    }

    [Fact]
    public void AKeepStringReplacesInheritedCountsAndACountBesideItWinsWhereverItIsWritten()
    {
        var file = PolicyFile.Parse("""
                                    [template:standard]
                                    hourly = 48
                                    monthly = 12
                                    [a]
                                    use_template = standard
                                    keep = 24h 14d
                                    [b]
                                    daily = 7
                                    snapshot_preserve = 24h 14d 2m
                                    """, Path);

        Assert.Equal("24h 14d", file.Policies[0].Retention.ToString());
        Assert.Equal("24h 7d 2m", file.Policies[1].Retention.ToString());
    }

    [Fact]
    public void TargetRetentionBelongsToTheTargetAboveItOrToEveryTargetWithoutItsOwn()
    {
        var file = PolicyFile.Parse("""
                                    [template:offsite]
                                    target_keep = 30d
                                    [home]
                                    use_template = offsite
                                    hourly = 24
                                    keep_min = 2d
                                    target_keep_min = 1d
                                    target = /backup/pool
                                    target = ssh://nas:2222/srv/pool
                                    target_preserve = *m
                                    target_preserve_min = latest
                                    [var]
                                    daily = 7
                                    target = /backup/pool
                                    """, Path);

        var home = file.Policies[0];
        Assert.Equal(["/backup/pool", "ssh://nas:2222/srv/pool"], home.Targets.Select(target => target.Address));
        Assert.Equal("30d min 1d", home.Targets[0].Retention.ToString());
        Assert.Equal("*m", home.Targets[1].Retention.ToString());
        Assert.True(home.Targets[0].OwnRetention);
        var plain = Assert.Single(file.Policies[1].Targets);
        Assert.Equal(file.Policies[1].Retention, plain.Retention);
        Assert.False(plain.OwnRetention);
    }

    [Fact]
    public void EverySettingIsRead()
    {
        var file = PolicyFile.Parse("""
                                    # Databases are quiesced first.
                                    [db-*]   # every database
                                    pool = /srv/pool/
                                    frequently = 4
                                    frequent_period = 5
                                    hourly = *
                                    autoprune = no
                                    prune_unreplicated = yes
                                    pre_snapshot = /usr/local/bin/db-flush --wait
                                    post_snapshot = /usr/local/bin/db-resume
                                    hook_timeout = 2m
                                    [scratch]
                                    autosnap = no
                                    """, Path);

        var db = file.Policies[0];
        Assert.Equal(("/srv/pool", "db-*", false, true), (db.PoolPath, db.SubvolumePattern, db.Prune, db.PruneUnreplicated));
        Assert.Equal(TimeSpan.FromMinutes(5), db.Retention.FrequentPeriod);
        Assert.Equal(Interval.Frequent, db.Retention.Finest);
        Assert.Equal("4f *h", db.Retention.ToString());
        Assert.Equal(new PolicyHooks("/usr/local/bin/db-flush --wait", "/usr/local/bin/db-resume", TimeSpan.FromMinutes(2)), db.Hooks);
        Assert.False(file.Policies[1].TakeSnapshots);
        Assert.Null(file.Policies[1].Retention.Finest);
    }

    [Theory]
    [InlineData("[home]\nhourley = 24", 2, "unknown key 'hourley'")]
    [InlineData("[home]\nhourly = lots", 2, "hourly = 24")]
    [InlineData("[home]\nkeep = 24h 14x", 2, "'14x'")]
    [InlineData("[home]\nhourly = 1\nkeep_min = 2 days", 3, "such as 2d")]
    [InlineData("[home]\nhourly = 1\nautosnap = maybe", 3, "autosnap = yes")]
    [InlineData("[home]\nhourly = 1\npool = srv/pool", 3, "pool = /srv/pool")]
    [InlineData("[home]\nhourly = 1\ntarget = rsync://nas/pool", 3, "ssh://[user@]host[:port]/POOL")]
    [InlineData("[home]\nhourly = 1\ntarget = backup", 3, "absolute path")]
    [InlineData("[home]\nhourly = 1\ntarget = ssh://nas", 3, "ssh://backup@nas/srv/pool")]
    [InlineData("[home]\nhourly = 1\nhook_timeout = 30", 3, "hook_timeout = 30s")]
    [InlineData("[home]\nhourly = 1\nfrequent_period = 0", 3, "frequent_period = 15")]
    [InlineData("[home]\nhourly = 1\n\n[home]\ndaily = 1", 4, "merge the two")]
    [InlineData("[template:a]\nhourly = 1\n[template:a]", 3, "one section")]
    [InlineData("[home/x]\nhourly = 1", 1, "a glob such as [home*]")]
    [InlineData("[home[ab]\nhourly = 1", 1, "not closed")]
    [InlineData("[Template:a]\nhourly = 1", 1, "[template:a]")]
    [InlineData("[template:]\nhourly = 1", 1, "[template:NAME]")]
    [InlineData("[home]\nuse_template = template:a", 2, "use_template = a")]
    [InlineData("[home]\nuse_template = standard", 2, "[template:standard]")]
    [InlineData("[template:a]\nuse_template = b\n[template:b]\nuse_template = a\n[home]\nuse_template = a\nhourly = 1", 4, "a -> b -> a")]
    [InlineData("[home]\ntarget = /backup/pool", 1, "hourly = 24")]
    [InlineData("hourly = 24\n[home]", 1, "before any section")]
    [InlineData("[home]\nhourly 24", 2, "KEY = VALUE")]
    [InlineData("[home]\nhourly = 24\nhourly = 48", 3, "already set on line 2")]
    [InlineData("[home]\nkeep = 24h\nsnapshot_preserve = 48h", 3, "already set on line 2")]
    [InlineData("[home] daily\nhourly = 24", 1, "alone on the line")]
    [InlineData("[home]\nhourly = 24\npool = /srv/pool\ntarget = /srv/pool", 4, "another pool")]
    [InlineData("[home]\nhourly = 24\ntarget = /b\ntarget_keep = 1d\ntarget_keep = 2d", 5, "target on line 3")]
    [InlineData("[home]\nhourly = 24\ntarget = /b\ntarget = /b/", 4, "named twice")]
    [InlineData("[home]\nhourly =", 2, "hourly = VALUE")]
    public void EveryMistakeIsOneErrorNamingItsLineAndWhatToWrite(string text, int line, string hint)
    {
        var error = Assert.Throws<SubvolException>(() => PolicyFile.Parse(text, Path));

        Assert.Equal(SubvolErrorCode.InvalidArgument, error.Code);
        Assert.StartsWith($"{Path}:{line}: ", error.Message);
        Assert.Contains(hint, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TheFirstPolicyThatMatchesASubvolumeGovernsIt()
    {
        var file = PolicyFile.Parse("""
                                    [db-[12]]
                                    hourly = 24
                                    [db-?]
                                    daily = 7
                                    [*]
                                    pool = /srv/other
                                    monthly = 1
                                    [*]
                                    weekly = 2
                                    """, Path);

        Assert.Equal("db-[12]", file.For("/srv/pool", "db-1", "/srv/pool")?.Section);
        Assert.Equal("db-?", file.For("/srv/pool", "db-3", "/srv/pool")?.Section);
        Assert.Equal(["db-[12]", "db-?", "*"], file.Matching("/srv/pool", "db-2", "/srv/pool").Select(policy => policy.Section));
        Assert.Equal(1, file.For("/srv/other/", "db-1", "/srv/pool")?.Retention.Count(Interval.Monthly));
        Assert.Null(file.For("/srv/third", "db-1", "/srv/pool"));
    }

    [Theory]
    [InlineData("home", "home", true)]
    [InlineData("home", "home2", false)]
    [InlineData("*", "anything.at-all", true)]
    [InlineData("vm-?", "vm-1", true)]
    [InlineData("vm-?", "vm-10", false)]
    [InlineData("vm-[0-9]*", "vm-10", true)]
    [InlineData("vm-[!0-9]*", "vm-10", false)]
    [InlineData("vm-[^0-9]*", "vm-a", true)]
    [InlineData("*-data", "db-data", true)]
    [InlineData("*-data", "db-data-old", false)]
    public void GlobsMatchWholeSubvolumeNames(string pattern, string subvolume, bool matches)
    {
        var policy = PolicyFile.Parse($"[{pattern}]\nhourly = 1", Path).Policies[0];

        Assert.Equal(matches, policy.Matches(subvolume));
    }

    [Fact]
    public void CommentsBlankLinesAndWindowsLineEndsAreIgnored()
    {
        var file = PolicyFile.Parse("# policies\r\n\r\n[home] # mine\r\n  hourly = 24 # a day\r\n\r\n", Path);

        Assert.Equal(("home", 3, 24), (file.Policies[0].Section, file.Policies[0].Line, file.Policies[0].Retention.Count(Interval.Hourly)));
    }

    [Fact]
    public void AMissingFileIsNotFoundNamingIt()
    {
        var missing = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"subvol-policy-{Guid.NewGuid():N}.conf");

        var error = Assert.Throws<SubvolException>(() => PolicyFile.Load(missing));

        Assert.Equal(SubvolErrorCode.NotFound, error.Code);
        Assert.Contains(missing, error.Message);
        Assert.NotNull(error.Remedy);
    }

    [Fact]
    public void TheFileNamedOnTheCommandLineComesFirst()
    {
        Assert.Equal(System.IO.Path.GetFullPath("policy.conf"), PolicyFile.Locate("policy.conf"));
        Assert.Equal("/srv/policy.conf", PolicyFile.Locate("/srv/policy.conf"));
    }
}
