using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.Policies;

/// <summary>
/// 'subvol auto' run as a timer runs it, with the clock set by SUBVOL_NOW: snapshots taken when due, sent to a
/// backup pool on this machine and to an off-site pool through ssh, and pruned on all three to exactly what the
/// policy keeps, without ever breaking the incremental chain.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class AutomaticRunTests(AutomaticPools pools) : IClassFixture<AutomaticPools>
{
    private const int SubvolumeBytes = 64 << 20;

    [RootFact]
    public void Two_days_every_quarter_hour_then_a_month_of_daily_runs_keep_exactly_what_the_policy_says_on_every_side()
    {
        CreateSubvolume("home");
        CreateSubvolume("archive");
        pools.Cli.Run("snapshot", "home@before-policy", "--pool", pools.Source).ShouldSucceed();
        var config = WritePolicy("chain.conf", $"""
            [template:quarter]
            frequently = 4
            frequent_period = 15
            hourly = 6
            daily = 3

            [home]
            use_template = quarter
            target = {pools.Backup}
            target_keep = 3h 2d
            target = {pools.OffsiteAddress}
            target_keep = 2h 3d

            [archive]                  # one snapshot a day
            daily = 7
            weekly = 4
            monthly = 2
            target = {pools.Backup}
            target = {pools.OffsiteAddress}
            target_keep = 5d 2w 2m
            """);
        var random = new Random(20280228);
        var actions = new List<JsonElement>();

        // Two days, a leap day among them, every fifteen minutes, with writes between the runs.
        var start = At("2028-02-28T00:00");
        for (var now = start; now < start.AddDays(2); now = now.AddMinutes(15))
        {
            WriteSome("home", random);
            if (now.TimeOfDay == TimeSpan.Zero)
            {
                WriteSome("archive", random);
            }

            actions.AddRange(Auto(config, now));
        }

        AssertKept(pools.Source, "home", "2028-02-28T00:00", "2028-02-29T00:00", "2028-02-29T18:00", "2028-02-29T19:00", "2028-02-29T20:00",
            "2028-02-29T21:00", "2028-02-29T22:00", "2028-02-29T23:00", "2028-02-29T23:15", "2028-02-29T23:30", "2028-02-29T23:45");
        AssertKept(pools.Backup, "home", "2028-02-28T00:00", "2028-02-29T00:00", "2028-02-29T21:00", "2028-02-29T22:00", "2028-02-29T23:00", "2028-02-29T23:45");
        AssertKept(pools.Offsite, "home", "2028-02-28T00:00", "2028-02-29T00:00", "2028-02-29T22:00", "2028-02-29T23:00", "2028-02-29T23:45");
        AssertKept(pools.Source, "archive", "2028-02-28T00:00", "2028-02-29T00:00");
        AssertTargetsIdentical("home");

        // A month at each instant the daily policy is due.
        for (var now = At("2028-03-01T00:00"); now <= At("2028-03-31T00:00"); now = now.AddDays(1))
        {
            WriteSome("home", random);
            WriteSome("archive", random);
            actions.AddRange(Auto(config, now));
        }

        string[] homeTargets = ["2028-03-29T00:00", "2028-03-30T00:00", "2028-03-31T00:00"];
        AssertKept(pools.Source, "home", "2028-03-26T00:00", "2028-03-27T00:00", "2028-03-28T00:00", "2028-03-29T00:00", "2028-03-30T00:00", "2028-03-31T00:00");
        AssertKept(pools.Backup, "home", homeTargets);
        AssertKept(pools.Offsite, "home", homeTargets);
        string[] archiveHere = ["2028-02-28T00:00", "2028-03-01T00:00", "2028-03-06T00:00", "2028-03-13T00:00", "2028-03-20T00:00", "2028-03-25T00:00",
            "2028-03-26T00:00", "2028-03-27T00:00", "2028-03-28T00:00", "2028-03-29T00:00", "2028-03-30T00:00", "2028-03-31T00:00"];
        AssertKept(pools.Source, "archive", archiveHere);
        AssertKept(pools.Backup, "archive", archiveHere);
        AssertKept(pools.Offsite, "archive", "2028-02-28T00:00", "2028-03-01T00:00", "2028-03-20T00:00", "2028-03-27T00:00",
            "2028-03-28T00:00", "2028-03-29T00:00", "2028-03-30T00:00", "2028-03-31T00:00");
        AssertTargetsIdentical("home");
        AssertTargetsIdentical("archive");

        // The chain never fell back to a full send: one full send per subvolume and target, the first.
        var full = actions.Where(action => Text(action, "action") == "sent_full").Select(action => $"{Text(action, "subvolume")} {Text(action, "target")}").ToList();
        Assert.Equal(4, full.Count);
        Assert.Equal(4, full.Distinct().Count());
        Assert.Contains("before-policy", SnapshotNames(pools.Source, "home"));
    }

    [RootFact]
    public void A_target_away_for_a_day_loses_nothing_and_the_next_run_catches_up_incrementally()
    {
        CreateSubvolume("laptop");
        var config = WritePolicy("away.conf", $"""
            [laptop]
            hourly = 4
            daily = 2
            target = {pools.OffsiteAddress}
            target_keep = 24h 2d
            """);
        var random = new Random(7);
        var start = At("2028-05-01T00:00");
        WriteSome("laptop", random);
        Auto(config, start);
        var heldBefore = SnapshotNames(pools.Offsite, "laptop");
        Assert.Single(heldBefore);

        var unreachable = WriteProgram("ssh-unreachable", "echo 'ssh: connect to host 127.0.0.1 port 22: Connection refused' >&2; exit 255");
        for (var now = start.AddHours(1); now < start.AddDays(1); now = now.AddHours(1))
        {
            WriteSome("laptop", random);
            var result = RunAuto(now, config, unreachable, "--json");
            Assert.Equal(1, result.ExitCode);
            var failed = Actions(result).Where(action => Text(action, "action") == "target_failed").ToList();
            Assert.Single(failed);
            Assert.Contains("Connection refused", Text(failed[0], "detail"));
            Assert.Equal(heldBefore, SnapshotNames(pools.Offsite, "laptop"));
            Assert.Contains(heldBefore[0], SnapshotNames(pools.Source, "laptop"));
        }

        // Every hourly of the day away is still here, since the target's retention keeps them and it has not received them.
        Assert.Equal(24, SnapshotNames(pools.Source, "laptop").Count);

        var back = Auto(config, start.AddDays(1));
        var sent = back.Where(action => Text(action, "action") is "sent_incremental" or "sent_full").ToList();
        Assert.All(sent, action => Assert.Equal("sent_incremental", Text(action, "action")));
        Assert.Equal(24, sent.Count);
        AssertKept(pools.Offsite, "laptop", Enumerable.Range(1, 24).Select(hour => start.AddHours(hour).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture)).Prepend("2028-05-01T00:00").ToArray());
        AssertKept(pools.Source, "laptop", "2028-05-01T00:00", "2028-05-01T21:00", "2028-05-01T22:00", "2028-05-01T23:00", "2028-05-02T00:00");
        // The target keeps a day of hourlies that this machine, keeping four, has pruned since they were sent.
        AssertTargetsIdentical("laptop", [pools.Offsite], prunedHereFirst: true);
    }

    [RootFact]
    public void Two_runs_at_once_take_one_snapshot_and_both_succeed()
    {
        CreateSubvolume("twice");
        var config = WritePolicy("twice.conf", $"""
            [twice]
            hourly = 24
            target = {pools.Backup}
            """);
        var now = At("2028-06-01T12:00");
        var first = pools.Track(pools.Cli.Start(Environment(now, pools.Server.ProgramPath), "auto", "--config", config, "--pool", pools.Source, "--json"));
        var second = pools.Track(pools.Cli.Start(Environment(now, pools.Server.ProgramPath), "auto", "--config", config, "--pool", pools.Source, "--json"));
        var results = new[] { first.Finish(SubvolCli.Timeout), second.Finish(SubvolCli.Timeout) };

        Assert.All(results, result => result.ShouldSucceed());
        var taken = results.SelectMany(Actions).Count(action => Text(action, "action") == "took_snapshot");
        Assert.Equal(1, taken);
        Assert.Single(SnapshotNames(pools.Source, "twice"));
        Assert.Single(SnapshotNames(pools.Backup, "twice"));
    }

    [RootFact]
    public void A_dry_run_says_what_is_due_and_changes_nothing()
    {
        CreateSubvolume("dry");
        var config = WritePolicy("dry.conf", $"""
            [dry]
            hourly = 24
            target = {pools.Backup}
            """);

        var result = RunAuto(At("2028-07-01T08:00"), config, pools.Server.ProgramPath, "--dry-run").ShouldSucceed();

        Assert.Contains("would take dry@auto-2028-07-01T0800Z-", result.Stdout);
        Assert.Contains("would send dry@auto-2028-07-01T0800Z-", result.Stdout);
        Assert.Empty(SnapshotNames(pools.Source, "dry"));
        Assert.Equal(3, pools.Cli.Run("list", "-t", "snapshot", "dry", "--pool", pools.Backup).ExitCode);
    }

    [RootFact]
    public void Hooks_run_around_the_snapshot_with_its_names_in_their_environment()
    {
        CreateSubvolume("hooked");
        var log = Path.Combine(pools.NewDirectory("hooked-log"), "hooks.log");
        var config = WritePolicy("hooked.conf", $"""
            [hooked]
            hourly = 24
            pre_snapshot = echo "before $SUBVOL_SUBVOLUME@$SUBVOL_SNAPSHOT in $SUBVOL_POOL" >> {log}
            post_snapshot = echo "after $SUBVOL_SNAPSHOT" >> {log}
            """);

        Auto(config, At("2028-08-01T10:00"));

        var snapshot = Assert.Single(SnapshotNames(pools.Source, "hooked"));
        Assert.Equal([$"before hooked@{snapshot} in {pools.Source}", $"after {snapshot}"], File.ReadAllLines(log));
    }

    [RootFact]
    public void A_failing_pre_snapshot_hook_takes_no_snapshot_still_runs_the_post_snapshot_hook_and_fails_the_run()
    {
        CreateSubvolume("quiesce");
        var log = Path.Combine(pools.NewDirectory("quiesce-log"), "hooks.log");
        var config = WritePolicy("quiesce.conf", $"""
            [quiesce]
            hourly = 24
            pre_snapshot = echo 'database would not flush' >&2; exit 3
            post_snapshot = echo released >> {log}
            """);

        var result = RunAuto(At("2028-08-01T10:00"), config, pools.Server.ProgramPath, "--json");

        Assert.Equal(1, result.ExitCode);
        var failed = Assert.Single(Actions(result), action => Text(action, "action") == "hook_failed");
        Assert.Contains("pre_snapshot exited 3: database would not flush", Text(failed, "detail"));
        Assert.Empty(SnapshotNames(pools.Source, "quiesce"));
        Assert.Equal(["released"], File.ReadAllLines(log));
    }

    [RootFact]
    public void A_signal_stops_a_run_in_its_transfer_leaves_the_rest_to_the_next_run_and_that_run_resumes_it()
    {
        CreateSubvolume("halted-a");
        CreateSubvolume("halted-b");
        var random = new Random(130);
        for (var block = 0; block < 32; block++)
        {
            WriteSome("halted-a", random);
            WriteSome("halted-b", random);
        }

        var config = WritePolicy("halted.conf", $"""
            [halted-*]
            hourly = 24
            target = {pools.Backup}
            """);
        var now = At("2028-09-01T10:00");
        var child = pools.StartPaused("send-sending", Environment(now, pools.Server.ProgramPath), "auto", "--config", config, "--pool", pools.Source, "--json");
        child.Signal("TERM");
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), "the first SIGTERM should stop the run at the transfer's next record");
        var stopped = child.Result(child.ExitCode);

        Assert.True(stopped.ExitCode == 130, $"interrupted means exit 130: {stopped}");
        var actions = Actions(stopped);
        Assert.Equal(["took_snapshot", "interrupted"], actions.Select(action => Text(action, "action")));
        Assert.Equal("halted-a", Text(actions[1], "subvolume"));
        Assert.Equal(pools.Backup, Text(actions[1], "target"));
        Assert.Contains("was interrupted", Text(actions[1], "detail"));
        Assert.Empty(SnapshotNames(pools.Source, "halted-b"));
        Assert.Equal(3, pools.Cli.Run("list", "-t", "snapshot", "halted-a", "--pool", pools.Backup).ExitCode);

        var resumed = Actions(RunAuto(now, config, pools.Server.ProgramPath, "--json").ShouldSucceed());
        Assert.Contains(resumed, action => Text(action, "action") == "resumed" && Text(action, "subvolume") == "halted-a");
        Assert.Contains(resumed, action => Text(action, "action") == "sent_full" && Text(action, "subvolume") == "halted-b");
        AssertTargetsIdentical("halted-a", [pools.Backup]);
        AssertTargetsIdentical("halted-b", [pools.Backup]);
    }

    [RootFact]
    public void A_hook_that_outlives_its_timeout_is_stopped_and_no_snapshot_is_taken()
    {
        CreateSubvolume("stuck");
        var config = WritePolicy("stuck.conf", """
            [stuck]
            hourly = 24
            pre_snapshot = sleep 600
            hook_timeout = 1s
            """);

        var result = RunAuto(At("2028-08-01T10:00"), config, pools.Server.ProgramPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("pre_snapshot took longer than 1 s and was stopped", result.Stderr);
        Assert.Empty(SnapshotNames(pools.Source, "stuck"));
        Assert.DoesNotContain(Kernel.ProcessesWithEnvironment(pools.Cli.ConfigurationDirectory), pid => Kernel.CommandLine(pid).Contains("sleep 600", StringComparison.Ordinal));
    }

    [RootFact]
    public void Status_shows_the_last_and_next_snapshot_what_is_kept_and_how_far_a_target_is_behind()
    {
        CreateSubvolume("watched");
        var config = WritePolicy("watched.conf", $"""
            [watched]
            hourly = 24
            daily = 7
            target = {pools.Backup}
            """);
        Auto(config, At("2028-09-01T10:00"));
        Auto(config, At("2028-09-01T11:00"));

        var upToDate = Status(config, At("2028-09-01T11:30"));
        Assert.Equal("watched", Text(upToDate, "subvolume"));
        Assert.Equal("watched", Text(upToDate, "policy"));
        Assert.Equal("auto-2028-09-01T1100Z-hourly", Text(upToDate, "last_snapshot"));
        Assert.Equal(At("2028-09-01T12:00"), upToDate.GetProperty("next_due").GetDateTimeOffset());
        Assert.Equal(2, upToDate.GetProperty("automatic_snapshots").GetInt32());
        Assert.Equal(pools.Backup, Text(upToDate, "target"));
        Assert.Equal("auto-2028-09-01T1100Z-hourly", Text(upToDate, "last_replicated"));
        Assert.Equal(0, upToDate.GetProperty("snapshots_behind").GetInt32());

        // The backup goes away for an hour: one snapshot more here, none there.
        pools.Cli.Run("pool", "export", pools.Backup).ShouldSucceed();
        try
        {
            // With nothing due, a run decides so from this pool's records and never reaches for the target.
            var idle = RunAuto(At("2028-09-01T11:40"), config, pools.Server.ProgramPath, "--json").ShouldSucceed();
            Assert.Equal(["up_to_date"], Actions(idle).Select(action => Text(action, "action")));

            var away = RunAuto(At("2028-09-01T12:00"), config, pools.Server.ProgramPath);
            Assert.Equal(1, away.ExitCode);
            Assert.Contains($"could not replicate watched to {pools.Backup}", away.Stderr);
        }
        finally
        {
            pools.Cli.Run("pool", "import", pools.Backup).ShouldSucceed();
        }

        var behind = Status(config, At("2028-09-01T12:10"));
        Assert.Equal("auto-2028-09-01T1200Z-hourly", Text(behind, "last_snapshot"));
        Assert.Equal("auto-2028-09-01T1100Z-hourly", Text(behind, "last_replicated"));
        Assert.Equal(1, behind.GetProperty("snapshots_behind").GetInt32());
        Assert.Equal(3600, behind.GetProperty("seconds_behind").GetInt64());
    }

    [RootFact]
    public void A_mounted_snapshot_due_for_pruning_is_left_and_reported_while_the_others_go()
    {
        CreateSubvolume("browsed");
        var keepThree = WritePolicy("browsed-three.conf", """
            [browsed]
            hourly = 3
            """);
        var keepOne = WritePolicy("browsed-one.conf", """
            [browsed]
            hourly = 1
            """);
        Auto(keepThree, At("2028-10-01T08:00"));
        Auto(keepThree, At("2028-10-01T09:00"));
        Auto(keepThree, At("2028-10-01T10:00"));
        const string oldest = "auto-2028-10-01T0800Z-hourly";
        Assert.Equal(oldest, SnapshotNames(pools.Source, "browsed")[0]);
        pools.Cli.Run("mount", $"browsed@{oldest}", "--pool", pools.Source).ShouldSucceed();
        try
        {
            var result = RunAuto(At("2028-10-01T11:00"), keepOne, pools.Server.ProgramPath, "--json");

            Assert.Equal(1, result.ExitCode);
            var actions = Actions(result);
            Assert.Equal(oldest, Text(Assert.Single(actions, action => Text(action, "action") == "prune_failed"), "snapshot"));
            Assert.Equal(
                ["auto-2028-10-01T0900Z-hourly", "auto-2028-10-01T1000Z-hourly"],
                actions.Where(action => Text(action, "action") == "pruned").Select(action => Text(action, "snapshot")).Order(StringComparer.Ordinal));
        }
        finally
        {
            pools.Cli.Run("umount", $"browsed@{oldest}", "--pool", pools.Source).ShouldSucceed();
        }

        Auto(keepOne, At("2028-10-01T12:00"));
        Assert.Equal(["auto-2028-10-01T1200Z-hourly"], SnapshotNames(pools.Source, "browsed"));
    }

    private void CreateSubvolume(string name) =>
        pools.Cli.Run("create", name, "--size", "64M", "--fs", "ext4", "--pool", pools.Source).ShouldSucceed();

    private string WritePolicy(string name, string text)
    {
        var path = Path.Combine(pools.NewDirectory("policy-" + Path.GetFileNameWithoutExtension(name)), name);
        File.WriteAllText(path, text + "\n");
        return path;
    }

    private string WriteProgram(string name, string body)
    {
        var path = Path.Combine(pools.NewDirectory(name), name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Writes 64 KiB somewhere in the subvolume's image, as a running machine changes its disk between runs.</summary>
    private void WriteSome(string subvolume, Random random)
    {
        var bytes = new byte[64 << 10];
        random.NextBytes(bytes);
        using var image = new FileStream(Path.Combine(pools.Source, "subvolumes", subvolume + ".img"), FileMode.Open, FileAccess.Write);
        image.Position = random.NextInt64(SubvolumeBytes / bytes.Length) * bytes.Length;
        image.Write(bytes);
    }

    private List<JsonElement> Auto(string config, DateTimeOffset now)
    {
        return Actions(RunAuto(now, config, pools.Server.ProgramPath, "--json").ShouldSucceed());
    }

    /// <summary>Runs subvol auto on the source pool at <paramref name="now"/>, reaching ssh targets through <paramref name="ssh"/>.</summary>
    private CliResult RunAuto(DateTimeOffset now, string config, string ssh, params string[] options) =>
        pools.Cli.RunWith(Environment(now, ssh), ["auto", "--config", config, "--pool", pools.Source, .. options]);

    private JsonElement Status(string config, DateTimeOffset now)
    {
        var result = pools.Cli.RunWith(Environment(now, pools.Server.ProgramPath), "auto", "status", "--config", config, "--pool", pools.Source, "--json").ShouldSucceed();
        using var document = JsonDocument.Parse(result.Stdout);
        return Assert.Single(document.RootElement.EnumerateArray()).Clone();
    }

    private static Dictionary<string, string?> Environment(DateTimeOffset now, string ssh) => new()
    {
        ["SUBVOL_NOW"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["SUBVOL_SSH"] = ssh,
    };

    private static List<JsonElement> Actions(CliResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.GetProperty("actions").EnumerateArray().Select(action => action.Clone()).ToList();
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset At(string minute) => DateTimeOffset.ParseExact(minute, "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private IReadOnlyList<string> SnapshotNames(string pool, string subvolume) =>
        JsonDocument.Parse(pools.Cli.Run("list", "-t", "snapshot", subvolume, "--json", "--pool", pool).ShouldSucceed().Stdout).RootElement
            .EnumerateArray().Select(item => item.GetProperty("snapshot").GetString()!).Order(StringComparer.Ordinal).ToList();

    /// <summary>The automatic snapshots of a subvolume in a pool are exactly those taken at the given UTC minutes.</summary>
    private void AssertKept(string pool, string subvolume, params string[] minutes)
    {
        var kept = SnapshotNames(pool, subvolume)
            .Where(name => name.StartsWith("auto-", StringComparison.Ordinal))
            .Select(name => name["auto-".Length..(name.LastIndexOf('-'))])
            .Select(stamp => DateTimeOffset.ParseExact(stamp, "yyyy-MM-dd'T'HHmm'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))
            .Order()
            .ToList();
        Assert.Equal(minutes.Select(At).Order().ToList(), kept);
    }

    /// <summary>
    /// Every snapshot a target holds has the same bytes as the snapshot of that name here, and (unless this machine
    /// keeps fewer than the target) is still here.
    /// </summary>
    private void AssertTargetsIdentical(string subvolume, IReadOnlyList<string>? targets = null, bool prunedHereFirst = false)
    {
        foreach (var target in targets ?? [pools.Backup, pools.Offsite])
        {
            var names = SnapshotNames(target, subvolume);
            Assert.NotEmpty(names);
            foreach (var name in names)
            {
                var source = Path.Combine(pools.Source, "snapshots", subvolume, name + ".img");
                if (prunedHereFirst && !File.Exists(source))
                {
                    continue;
                }

                Assert.True(File.Exists(source), $"{target} holds {subvolume}@{name}, which the source pruned first");
                Assert.Equal(Data.Sha256(source), Data.Sha256(Path.Combine(target, "snapshots", subvolume, name + ".img")));
            }
        }
    }
}
