using System.Globalization;
using System.Text.RegularExpressions;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ErrorBoundary;

/// <summary>
/// No verb shows a stack trace or exception text: each one, against a damaged pool, a missing pool,
/// a read-only pool and bad arguments, ends in exactly one "subvol: error:" line (warnings may come
/// first) and an exit code that the README's table lists.
/// </summary>
public sealed partial class ErrorBoundaryTests(BrokenPoolsFixture pools) : IClassFixture<BrokenPoolsFixture>
{
    private const int Usage = 2;
    private const int NotFound = 3;
    private const int AlreadyExists = 4;
    private const int StreamCorrupt = 8;
    private const int Inconsistent = 10;
    private const int ReadOnly = 11;
    private const int DamagedMetadata = 12;

    /// <summary>The verbs that open a pool, with arguments that would be valid on a healthy one.</summary>
    private static readonly (string Verb, string[] Arguments)[] PoolVerbs =
    [
        ("pool export", ["pool", "export", "{pool}"]),
        ("pool status", ["pool", "status"]),
        ("pool set", ["pool", "set", "overcommit", "1.5"]),
        ("create", ["create", "b", "--size", "320M"]),
        ("list", ["list"]),
        ("mount", ["mount", "a"]),
        ("umount", ["umount", "a"]),
        ("resize", ["resize", "a", "400M"]),
        ("rename", ["rename", "a", "b"]),
        ("delete", ["delete", "a"]),
        ("snapshot", ["snapshot", "a@t"]),
        ("destroy", ["destroy", "a@s"]),
        ("clone", ["clone", "a@s", "b"]),
        ("rollback", ["rollback", "a@s"]),
        ("send", ["send", "a@s", "-o", "{scratch}/out.stream"]),
        ("receive", ["receive", "b", "-f", "{stream}"]),
        ("replicate", ["replicate", "a", "{missing}-destination"]),
        ("df", ["df"]),
        ("trim", ["trim", "a"]),
        ("metrics", ["metrics"]),
        ("guard --once", ["guard", "--once"]),
        ("check", ["check"]),
    ];

    /// <summary>verb, state, arguments (with placeholders), and the exit codes accepted (empty: any error code the README lists).</summary>
    public static TheoryData<string, string, string[], int[]> Cases()
    {
        var cases = new TheoryData<string, string, string[], int[]>();
        foreach (var (verb, arguments) in PoolVerbs)
        {
            cases.Add(verb, "damaged", arguments, [DamagedMetadata]);
            cases.Add(verb, "missing", arguments, [NotFound]);
            cases.Add(verb, "read-only", arguments, [ReadOnly]);
        }

        // Repairing is the remedy for damaged metadata, so check --repair may rebuild the pool instead of refusing.
        // The damaged pool was made by hand without the pool's settings attribute, which the rebuild reports for a person to set.
        cases.Add("check --repair", "damaged", ["check", "--repair"], [0, Inconsistent]);
        cases.Add("check --repair", "missing", ["check", "--repair"], [NotFound]);
        cases.Add("check --repair", "read-only", ["check", "--repair"], [ReadOnly]);

        // The pool-level verbs that do not open a pool first.
        cases.Add("pool create", "damaged", ["pool", "create", "{pool}"], [AlreadyExists]);
        cases.Add("pool create", "read-only", ["pool", "create", "{pool}"], [AlreadyExists]);
        // A missing pool is what pool create makes; a size below the minimum makes sure that nothing is made.
        cases.Add("pool create", "missing", ["pool", "create", "{pool}", "--image", "{missing}-image/pool.img", "--size", "100M"], []);
        cases.Add("pool import", "damaged", ["pool", "import", "{pool}"], [0, DamagedMetadata]);
        cases.Add("pool import", "missing", ["pool", "import", "{pool}"], [NotFound]);
        cases.Add("pool import", "read-only", ["pool", "import", "{pool}"], [0, ReadOnly]);
        foreach (var state in new[] { "damaged", "missing", "read-only" })
        {
            cases.Add("pool list", state, ["pool", "list"], [0]);
            cases.Add("completion", state, ["completion", "bash"], [0]);
        }

        // stream dump reads a file, not a pool: its broken states are a damaged stream and a missing one.
        cases.Add("stream dump", "damaged", ["stream", "dump", "{garbage-stream}"], [StreamCorrupt]);
        cases.Add("stream dump", "missing", ["stream", "dump", "{missing}.stream"], [NotFound]);
        cases.Add("stream dump", "read-only", ["stream", "dump", "{stream}"], [0]);

        // Missing files named on the command line, against the healthy pool.
        cases.Add("stream dump", "missing file", ["stream", "dump", "{missing}/nonexistent.stream"], [NotFound]);
        cases.Add("receive", "missing file", ["receive", "b", "-f", "{missing}/nonexistent.stream"], [NotFound]);
        cases.Add("send", "missing file", ["send", "a@s", "-o", "{missing}/nonexistent/out.stream"], [NotFound]);
        cases.Add("stream dump", "directory for a file", ["stream", "dump", "{scratch}"], [Usage]);

        // Bad arguments, against the healthy pool.
        var tooLong = new string('a', 101);
        AddBad(cases, "pool create", ["pool", "create", "{missing}", "--image", "{missing}-image/pool.img", "--size", "lots"]);
        AddBad(cases, "pool import", ["pool", "import", "--bogus"]);
        AddBad(cases, "pool export", ["pool", "export", "--bogus"]);
        AddBad(cases, "pool status", ["pool", "status", "--bogus"]);
        AddBad(cases, "delete", ["delete", "--bogus"]);
        AddBad(cases, "list", ["list", "--bogus"]);
        AddBad(cases, "pool list", ["pool", "list", "--bogus"]);
        AddBad(cases, "pool set", ["pool", "set", "overcommit", "lots"]);
        AddBad(cases, "create", ["create", "../x", "--size", "320M"]);
        AddBad(cases, "create", ["create", "", "--size", "320M"]);
        AddBad(cases, "create", ["create", tooLong, "--size", "320M"]);
        AddBad(cases, "create", ["create", "b", "--size", "lots"]);
        AddBad(cases, "create", ["create", "b", "--size", "-5G"]);
        AddBad(cases, "create", ["create", "b", "--size", "320M", "--bogus"]);
        AddBad(cases, "list", ["list", "../x"]);
        AddBad(cases, "list", ["list", "-t", "volumes"]);
        AddBad(cases, "mount", ["mount", "../x"]);
        AddBad(cases, "umount", ["umount", ""]);
        AddBad(cases, "resize", ["resize", "a", "lots"]);
        AddBad(cases, "resize", ["resize", tooLong, "400M"]);
        AddBad(cases, "rename", ["rename", "a", "../b"]);
        AddBad(cases, "delete", ["delete", ""]);
        AddBad(cases, "snapshot", ["snapshot", "a@../t"]);
        AddBad(cases, "snapshot", ["snapshot", "@{response-file}"]);
        AddBad(cases, "destroy", ["destroy", "a@"]);
        AddBad(cases, "clone", ["clone", "a@s", "evil/name"]);
        AddBad(cases, "rollback", ["rollback", "a"]);
        AddBad(cases, "send", ["send", "../x@s", "-o", "{scratch}/bad.stream"]);
        AddBad(cases, "receive", ["receive", "../x", "-f", "{stream}"]);
        AddBad(cases, "replicate", ["replicate", "../x", "{missing}-destination"]);
        AddBad(cases, "stream dump", ["stream", "dump", "--bogus"]);
        AddBad(cases, "df", ["df", "--bogus"]);
        AddBad(cases, "trim", ["trim", "../x"]);
        AddBad(cases, "guard --once", ["guard", "--once", "--critical", "lots"]);
        AddBad(cases, "check", ["check", "--bogus"]);
        AddBad(cases, "check --repair", ["check", "--repair", "--bogus"]);
        AddBad(cases, "completion", ["completion", "fish"]);
        AddBad(cases, "response file", ["@{response-file}"]);
        return cases;
    }

    [RootTheory]
    [MemberData(nameof(Cases))]
    public void Every_verb_ends_in_one_error_line_and_a_documented_exit_code(string verb, string state, string[] arguments, int[] accepted)
    {
        var pool = state switch
        {
            "damaged" => pools.Damaged,
            "missing" => pools.Missing,
            "read-only" => pools.ReadOnly,
            _ => pools.Healthy.PoolPath,
        };
        if (state == "damaged")
        {
            pools.Damage();
        }

        pools.ForgetImportedPools();

        Assert.False(Directory.Exists(pools.Missing), $"{pools.Missing} should not exist; an earlier case made it");
        var expanded = arguments.Select(argument => argument
            .Replace("{pool}", pool, StringComparison.Ordinal)
            .Replace("{missing}", pools.Missing, StringComparison.Ordinal)
            .Replace("{scratch}", Path.GetDirectoryName(pools.Stream)!, StringComparison.Ordinal)
            .Replace("{garbage-stream}", pools.GarbageStream, StringComparison.Ordinal)
            .Replace("{stream}", pools.Stream, StringComparison.Ordinal)
            .Replace("{response-file}", pools.ResponseFile, StringComparison.Ordinal)).ToArray();
        var result = pools.Healthy.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_POOL"] = pool }, expanded);

        Assert.DoesNotContain("Unhandled exception", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
        // The last resort for faults in subvol itself; no verb may need it.
        Assert.DoesNotContain("fault in subvol itself", result.Stderr);
        Assert.DoesNotContain(result.StderrLines, line => line.StartsWith("   at ", StringComparison.Ordinal));
        if (result.ExitCode == 0)
        {
            Assert.True(accepted.Contains(0), $"{verb} against a {state} pool should fail: {result}");
            Assert.DoesNotContain("subvol: error:", result.Stderr);
            return;
        }

        if (result.ExitCode == Inconsistent && verb.StartsWith("check", StringComparison.Ordinal))
        {
            // A check that finds something left to do reports it as findings, not as an error.
            Assert.True(accepted.Contains(Inconsistent), $"{verb} against a {state} pool should not find anything left to do: {result}");
            Assert.DoesNotContain("subvol: error:", result.Stderr);
            return;
        }

        var errors = result.StderrLines.Count(line => line.StartsWith("subvol: error: ", StringComparison.Ordinal));
        Assert.True(errors == 1, $"expected exactly one 'subvol: error:' line: {result}");
        var unexplained = result.StderrLines.Where(line =>
            !line.StartsWith("subvol: error: ", StringComparison.Ordinal)
            && !line.StartsWith("subvol: warning: ", StringComparison.Ordinal)
            && !line.StartsWith("subvol: note: ", StringComparison.Ordinal)
            && line != "Try 'subvol --help' for usage.").ToList();
        Assert.True(unexplained.Count == 0, $"stderr should hold only warnings, notes and the error: {result}");
        Assert.True(DocumentedExitCodes.Value.Contains(result.ExitCode), $"exit {result.ExitCode} is not in the README's table ({string.Join(", ", DocumentedExitCodes.Value)}): {result}");
        Assert.True(accepted.Length == 0 || accepted.Contains(result.ExitCode), $"expected exit {string.Join(" or ", accepted)}: {result}");
    }

    [RootTheory]
    [InlineData("garbage", "list")]
    [InlineData("empty", "list")]
    [InlineData("truncated", "list")]
    [InlineData("truncated", "df")]
    [InlineData("truncated", "snapshot")]
    public void A_damaged_database_is_reported_once_with_the_file_and_the_repair(string damage, string verb)
    {
        pools.Damage(damage);
        var result = pools.Healthy.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_POOL"] = pools.Damaged }, verb == "snapshot" ? [verb, "a@t"] : [verb])
            .ShouldFailWith(DamagedMetadata);
        Assert.Single(result.StderrLines);
        Assert.Contains(Path.Combine(pools.Damaged, ".subvol", "pool.db"), result.Stderr);
        Assert.Contains("subvol check --repair", result.Stderr);
    }

    [RootFact]
    public void Snapshot_of_an_at_name_takes_it_literally_and_never_reads_the_file()
    {
        var result = pools.Healthy.Run("snapshot", "@" + pools.ResponseFile).ShouldFailWith(Usage);
        Assert.Contains("cannot be empty", result.Stderr);
        Assert.DoesNotContain("a@from-a-response-file", pools.Healthy.AllSnapshotFullNames());
    }

    [RootFact]
    public void A_stream_file_that_may_not_be_written_is_named_with_permission_denied()
    {
        // Root passes every mode check, but not the immutable attribute: open(2) fails with EPERM.
        var output = Path.Combine(Path.GetDirectoryName(pools.Stream)!, "immutable.stream");
        File.WriteAllText(output, "");
        Tools.Run("chattr", "+i", output).ShouldSucceed();
        try
        {
            var result = pools.Healthy.Run("send", "a@s", "-o", output).ShouldFailWith(1);
            Assert.Contains($"{output}: permission denied", result.Stderr);
            Assert.Contains("lsattr", result.Stderr);
            Assert.Single(result.StderrLines);
        }
        finally
        {
            Tools.Run("chattr", "-i", output);
        }
    }

    private static void AddBad(TheoryData<string, string, string[], int[]> cases, string verb, string[] arguments) =>
        cases.Add(verb, "bad arguments", arguments, [Usage]);

    /// <summary>The codes in the README's "Exit codes" table, 0 aside.</summary>
    private static readonly Lazy<IReadOnlySet<int>> DocumentedExitCodes = new(() =>
    {
        var readme = File.ReadAllText(Path.Combine(SubvolCli.RepositoryRoot, "README.md"));
        var table = readme[readme.IndexOf("### Exit codes", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", table.IndexOf("| --- |", StringComparison.Ordinal), StringComparison.Ordinal)];
        return ExitCodeRow().Matches(table).Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).Where(code => code != 0).ToHashSet();
    });

    [GeneratedRegex(@"^\| (\d+) \|", RegexOptions.Multiline)]
    private static partial Regex ExitCodeRow();
}
