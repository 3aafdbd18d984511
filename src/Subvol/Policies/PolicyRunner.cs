using Subvol.Errors;
using Subvol.Metadata;
using Subvol.Pools;
using Subvol.Replication;

namespace Subvol.Policies;

/// <summary>
/// Does what a policy asks of one subvolume, in the order sanoid and syncoid do it: the snapshot that is due, then
/// every target brought up to date, then pruning on the targets and here. A target that fails is reported and the
/// run goes on; nothing is ever deleted on a target that could not be reached, and nothing here that it still needs.
/// Interrupted, it stops the transfer under way between two records, or before its next step, and prunes nothing.
/// </summary>
internal sealed class PolicyRunner(Pool pool, PoolSession session, ReplicationTransfer transfer)
{
    /// <summary>Who a policy's snapshots are recorded as taken by.</summary>
    public const string Creator = "subvol auto";

    public IReadOnlyList<AutomaticAction> Run(
        string subvolume, Policy policy, AutomaticRunOptions options, DateTimeOffset now, TargetConnections targets, TargetPruning targetPruning, Action<AutomaticAction>? report,
        CancellationToken cancellation = default)
    {
        var actions = new List<AutomaticAction>();
        void Add(AutomaticAction action)
        {
            actions.Add(action);
            report?.Invoke(action);
        }

        var local = pool.RecordedSnapshots(subvolume);
        if (policy.TakeSnapshots && TakeDueSnapshot(subvolume, policy, options, now, local, Add) is { } taken)
        {
            local = [.. local, taken];
        }

        var bases = new Dictionary<string, PolicySnapshot?>(StringComparer.Ordinal);
        var recorded = pool.ReplicationBases(subvolume);
        foreach (var target in policy.Targets)
        {
            if (cancellation.IsCancellationRequested)
            {
                return actions;
            }

            var address = DestinationAddress.Parse(target.Address).ToString();
            var known = recorded.FirstOrDefault(entry => entry.Target == address);
            var baseSnapshot = known is null ? null : local.FirstOrDefault(snapshot => snapshot.Guid == known.Snapshot);
            try
            {
                baseSnapshot = Replicate(subvolume, target, address, baseSnapshot, local, options, now, targets, targetPruning, Add, cancellation) ?? baseSnapshot;
            }
            catch (SubvolException exception) when (exception.Code == SubvolErrorCode.Interrupted)
            {
                Add(new AutomaticAction(AutomaticActionKind.Interrupted, pool.Path, subvolume, Target: address, Detail: exception.Message));
                return actions;
            }
            catch (Exception exception) when (StepFailure.Is(exception))
            {
                Add(new AutomaticAction(AutomaticActionKind.TargetFailed, pool.Path, subvolume, Target: address, Detail: StepFailure.Describe(exception)));
            }

            bases[address] = baseSnapshot;
        }

        if (policy.Prune && !cancellation.IsCancellationRequested)
        {
            PruneHere(subvolume, policy, options, now, local, bases, recorded, Add);
        }

        return actions;
    }

    private PolicySnapshot? TakeDueSnapshot(
        string subvolume, Policy policy, AutomaticRunOptions options, DateTimeOffset now, IReadOnlyList<PolicySnapshot> local, Action<AutomaticAction> add)
    {
        var automatic = local.Where(snapshot => snapshot.IsAutomatic).Select(snapshot => snapshot.Created).ToList();
        if (SnapshotSchedule.Due(automatic, now, policy.Retention) is not { } label)
        {
            return null;
        }

        var name = AutomaticSnapshotNames.Format(now, label);
        if (options.DryRun)
        {
            add(new AutomaticAction(AutomaticActionKind.TookSnapshot, pool.Path, subvolume, name, Detail: label.ToString().ToLowerInvariant()));
            return new PolicySnapshot(name, Guid.Empty, now);
        }

        var environment = new Dictionary<string, string>
        {
            ["SUBVOL_POOL"] = pool.Path,
            ["SUBVOL_SUBVOLUME"] = subvolume,
            ["SUBVOL_SNAPSHOT"] = name,
        };
        PolicySnapshot? taken = null;
        try
        {
            if (policy.Hooks.BeforeSnapshot is { } before && RunHook("pre_snapshot", before, policy.Hooks.Timeout, environment) is { } refusal)
            {
                // A database that could not be quiesced is not snapshotted half-written, as sanoid skips on a failed pre-script.
                add(new AutomaticAction(AutomaticActionKind.HookFailed, pool.Path, subvolume, name, Detail: refusal + "; no snapshot was taken"));
                return null;
            }

            var snapshot = pool.CreateSnapshot(subvolume, name, Creator);
            taken = new PolicySnapshot(snapshot.Name, snapshot.Guid, snapshot.Created);
            add(new AutomaticAction(AutomaticActionKind.TookSnapshot, pool.Path, subvolume, name, Detail: label.ToString().ToLowerInvariant()));
        }
        catch (Exception exception) when (StepFailure.Is(exception))
        {
            add(new AutomaticAction(AutomaticActionKind.SnapshotFailed, pool.Path, subvolume, name, Detail: StepFailure.Describe(exception)));
        }
        finally
        {
            // The after-hook runs whenever the before-hook ran, failed or not, so whatever it quiesced is always released.
            if (policy.Hooks.AfterSnapshot is { } after && RunHook("post_snapshot", after, policy.Hooks.Timeout, environment) is { } failure)
            {
                add(new AutomaticAction(AutomaticActionKind.HookFailed, pool.Path, subvolume, name, Detail: failure));
            }
        }

        return taken;
    }

    /// <summary>Runs a hook; null when it succeeded, else what went wrong.</summary>
    private static string? RunHook(string key, string command, TimeSpan timeout, IReadOnlyDictionary<string, string> environment)
    {
        Linux.ToolResult? result;
        try
        {
            result = Linux.HookCommand.Run(command, environment, timeout);
        }
        catch (Exception exception) when (exception is Linux.ExternalToolException or System.ComponentModel.Win32Exception)
        {
            return $"{key} could not be started: {exception.Message}";
        }

        if (result is null)
        {
            return $"{key} took longer than {timeout.TotalSeconds:0} s and was stopped";
        }

        if (result.ExitCode != 0)
        {
            var message = result.StandardError.Trim().Split('\n').LastOrDefault(line => line.Length > 0);
            return $"{key} exited {result.ExitCode}" + (message is null ? "" : $": {message}");
        }

        return null;
    }

    /// <summary>Brings a target up to date; returns the newest snapshot both sides now hold, or null when that is unchanged or unknown.</summary>
    private PolicySnapshot? Replicate(
        string subvolume, PolicyTarget target, string address, PolicySnapshot? recordedBase, IReadOnlyList<PolicySnapshot> local,
        AutomaticRunOptions options, DateTimeOffset now, TargetConnections targets, TargetPruning targetPruning, Action<AutomaticAction> add, CancellationToken cancellation)
    {
        var automatic = local.Where(snapshot => snapshot.IsAutomatic).ToList();
        if (automatic.Count == 0)
        {
            return null;
        }

        // Decided from local records alone: a target whose recorded base is the newest automatic snapshot has nothing to receive.
        if (recordedBase is not null && recordedBase.Guid == automatic[^1].Guid)
        {
            add(new AutomaticAction(AutomaticActionKind.UpToDate, pool.Path, subvolume, recordedBase.Name, address));
            return null;
        }

        var destinationAddress = DestinationAddress.Parse(target.Address);
        var replicateOptions = targets.ReplicateOptions;
        var destination = targets.Open(destinationAddress);
        if (!options.DryRun)
        {
            foreach (var step in transfer.FinishInterrupted(destination, subvolume, replicateOptions, cancellation: cancellation))
            {
                var kind = step.Kind == ReplicatedStepKind.Resumed ? AutomaticActionKind.Resumed : AutomaticActionKind.DiscardedStale;
                add(new AutomaticAction(kind, pool.Path, subvolume, step.Snapshot, address, step.Base, step.DataBytes));
                if (kind == AutomaticActionKind.Resumed && local.FirstOrDefault(snapshot => snapshot.Name == step.Snapshot) is { } resumed)
                {
                    pool.RecordReplicationBase(subvolume, address, resumed.Guid, resumed.Name);
                }
            }
        }

        var held = destination.Snapshots(subvolume);
        var onTarget = held?.Select(snapshot => snapshot.Guid).ToHashSet();
        var localByGuid = local.ToDictionary(snapshot => snapshot.Guid);
        var targetAutomatic = TargetAutomatic(held, localByGuid);
        var series = TargetSeries.Select(local, onTarget, targetAutomatic, target.Retention, now);
        var common = onTarget is null ? null : local.LastOrDefault(snapshot => onTarget.Contains(snapshot.Guid));
        if (common is null && held is { Count: > 0 })
        {
            throw new SubvolException(SubvolErrorCode.StreamMismatch,
                $"{address} has a subvolume {subvolume} that shares no snapshot with this one, so nothing can be sent incrementally; rename or delete it there");
        }

        var previous = common;
        foreach (var snapshot in series)
        {
            if (options.DryRun)
            {
                add(new AutomaticAction(previous is null ? AutomaticActionKind.SentFull : AutomaticActionKind.SentIncremental, pool.Path, subvolume, snapshot.Name, address, previous?.Name));
                previous = snapshot;
                continue;
            }

            var record = RequireRecord(subvolume, snapshot.Name);
            var baseline = previous is null ? null : RequireRecord(subvolume, previous.Name);
            if (cancellation.IsCancellationRequested)
            {
                // What was sent so far is recorded; the rest of the series waits for the next run, and so does pruning the target.
                return previous;
            }

            var sent = transfer.Send(destination, record, baseline, replicateOptions, null, cancellation);
            pool.RecordReplicationBase(subvolume, address, snapshot.Guid, snapshot.Name);
            add(new AutomaticAction(previous is null ? AutomaticActionKind.SentFull : AutomaticActionKind.SentIncremental, pool.Path, subvolume, snapshot.Name, address, previous?.Name, sent));
            previous = snapshot;
        }

        if (series.Count == 0 && common is not null)
        {
            pool.RecordReplicationBase(subvolume, address, common.Guid, common.Name);
            add(new AutomaticAction(AutomaticActionKind.UpToDate, pool.Path, subvolume, common.Name, address));
        }

        if (previous is not null)
        {
            PruneTarget(subvolume, target, destinationAddress, previous, series, targetAutomatic, now, targetPruning, add);
        }

        return previous;
    }

    /// <summary>
    /// Chooses what to prune on the target by its retention, dated by this machine's records (or, for one pruned here
    /// already, by its name), so nothing depends on the target's clock; its base and manual snapshots stay. The
    /// destroys themselves wait for the end of the run, to go in one batch per target.
    /// </summary>
    private void PruneTarget(
        string subvolume, PolicyTarget target, DestinationAddress address, PolicySnapshot newestCommon, IReadOnlyList<PolicySnapshot> sent,
        IReadOnlyList<DatedSnapshot> targetAutomatic, DateTimeOffset now, TargetPruning targetPruning, Action<AutomaticAction> add)
    {
        var after = targetAutomatic
            .Concat(sent.Select(snapshot => snapshot.Dated))
            .DistinctBy(snapshot => snapshot.Name)
            .OrderBy(snapshot => snapshot.Created)
            .ToList();
        var decision = RetentionRules.Apply(after, now, target.Retention);
        if (decision.PausedBecause is { } reason)
        {
            add(new AutomaticAction(AutomaticActionKind.PruningPaused, pool.Path, subvolume, Target: address.ToString(), Detail: reason));
            return;
        }

        targetPruning.Add(address, subvolume, decision.Prune.Select(snapshot => snapshot.Name).Where(name => name != newestCommon.Name));
    }

    private static List<DatedSnapshot> TargetAutomatic(IReadOnlyList<DestinationSnapshot>? held, IReadOnlyDictionary<Guid, PolicySnapshot> localByGuid)
    {
        var dated = new List<DatedSnapshot>();
        foreach (var snapshot in held ?? [])
        {
            if (!AutomaticSnapshotNames.TryParse(snapshot.Name, out var named, out _))
            {
                continue;
            }

            dated.Add(new DatedSnapshot(snapshot.Name, localByGuid.TryGetValue(snapshot.Guid, out var local) ? local.Created : named));
        }

        return dated.OrderBy(snapshot => snapshot.Created).ToList();
    }

    private void PruneHere(
        string subvolume, Policy policy, AutomaticRunOptions options, DateTimeOffset now, IReadOnlyList<PolicySnapshot> local,
        IReadOnlyDictionary<string, PolicySnapshot?> bases, IReadOnlyList<ReplicationBase> recorded, Action<AutomaticAction> add)
    {
        // Every base this pool had recorded is kept, a target's no longer in the policy too, since it may come back;
        // the policy's own targets are in bases as this run left them.
        var allBases = new Dictionary<string, PolicySnapshot?>(bases, StringComparer.Ordinal);
        foreach (var entry in recorded)
        {
            allBases.TryAdd(entry.Target, local.FirstOrDefault(snapshot => snapshot.Guid == entry.Snapshot));
        }

        var decision = LocalPruning.Decide(local, policy, allBases, now);
        if (decision.PausedBecause is { } reason)
        {
            add(new AutomaticAction(AutomaticActionKind.PruningPaused, pool.Path, subvolume, Detail: reason));
            return;
        }

        if (decision.Prune.Count == 0)
        {
            return;
        }

        var names = decision.Prune.Select(snapshot => snapshot.Name).ToList();
        if (options.DryRun)
        {
            names.ForEach(name => add(new AutomaticAction(AutomaticActionKind.Pruned, pool.Path, subvolume, name)));
            return;
        }

        try
        {
            pool.DestroySnapshots(subvolume, names);
            names.ForEach(name => add(new AutomaticAction(AutomaticActionKind.Pruned, pool.Path, subvolume, name)));
        }
        catch (SubvolException exception) when (exception.Code == SubvolErrorCode.Busy)
        {
            // The batch refuses as a whole when one is mounted (someone is reading an old snapshot); the rest still go.
            foreach (var name in names)
            {
                try
                {
                    pool.DestroySnapshots(subvolume, [name]);
                    add(new AutomaticAction(AutomaticActionKind.Pruned, pool.Path, subvolume, name));
                }
                catch (SubvolException refusal)
                {
                    add(new AutomaticAction(AutomaticActionKind.PruneFailed, pool.Path, subvolume, name, Detail: refusal.Message));
                }
            }
        }
        catch (Exception exception) when (StepFailure.Is(exception))
        {
            add(new AutomaticAction(AutomaticActionKind.PruneFailed, pool.Path, subvolume, Detail: StepFailure.Describe(exception)));
        }
    }

    private SnapshotRecord RequireRecord(string subvolume, string name) =>
        session.Database.FindSnapshot(subvolume, name)
        ?? throw SubvolException.NotFound($"snapshot {subvolume}@{name} went away during the run; the next run sends what is there then");
}
