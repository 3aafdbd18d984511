using Subvol.Errors;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Space;

namespace Subvol.Snapshots;

/// <summary>
/// Group snapshots kept under a name, so that a request can be repeated (as a CSI CO repeats one that timed out)
/// and the group found again after a restart. Every member is a snapshot named after the group, so
/// SUBVOLUME@GROUP; each can be destroyed alone, and the group goes with the last of them.
/// </summary>
internal sealed class SnapshotGroups(PoolSession session, SpaceAdmission space)
{
    private PoolDatabase Database => session.Database;

    /// <summary>
    /// Takes the group of <paramref name="subvolumes"/> at one instant, or returns the one an earlier request with
    /// the same name took. The name taken for other subvolumes, or by another creator, is AlreadyExists: a repeat
    /// must ask for what exists, and nobody adopts another's group.
    /// </summary>
    public OperationResult<SnapshotGroupInfo> Ensure(string name, IReadOnlyList<string> subvolumes, string? creator)
    {
        NameRules.Validate(name, "group snapshot");
        if (subvolumes.Count == 0)
        {
            throw SubvolException.Invalid($"group snapshot {Printable.Quote(name)} names no subvolume; a group needs at least one");
        }

        using var writeLock = session.AcquireWriteLock();
        if (Database.FindSnapshotGroup(name) is { } existing)
        {
            var asked = subvolumes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var held = existing.Members.Select(member => member.Subvolume).Order(StringComparer.Ordinal).ToList();
            if (!asked.SequenceEqual(held, StringComparer.Ordinal))
            {
                throw SubvolException.AlreadyExists(
                    $"group snapshot {Printable.Quote(name)} already exists, of {Names(held)}, not {Names(asked)}; choose another name");
            }

            if (existing.Creator != creator)
            {
                throw SubvolException.AlreadyExists(creator is null
                    ? $"group snapshot {Printable.Quote(name)} already exists, taken by {existing.Creator}; choose another name"
                    : $"group snapshot {Printable.Quote(name)} already exists and was not taken by {creator}, which does not adopt it; choose another name");
            }

            return new(Outcome.AlreadyExisted, Describe(existing));
        }

        // Every absent subvolume is named at once, so that one answer says all that is wrong with the request.
        var missing = subvolumes.Where(subvolume => NameRules.Problem(subvolume) is not null || Database.FindSubvolume(subvolume) is null).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw SubvolException.NotFound(
                $"pool {session.Path} holds no subvolume {Names(missing)}; a group snapshot is taken of subvolumes of one pool");
        }

        new GroupSnapshotter(session, space).CreateLocked(subvolumes.Select(subvolume => new SnapshotReference(subvolume, name)).ToList(), creator, name);
        return new(Outcome.Created, Describe(Database.FindSnapshotGroup(name)!));
    }

    /// <summary>The group named <paramref name="name"/>, or null; with <paramref name="expected"/>, a list that disagrees is InvalidArgument.</summary>
    public SnapshotGroupInfo? Find(string name, IReadOnlyList<SnapshotReference>? expected = null)
    {
        if (NameRules.Problem(name) is not null || Database.FindSnapshotGroup(name) is not { } record)
        {
            return null;
        }

        var group = Describe(record);
        CheckMembers(record, group, expected);
        return group;
    }

    /// <summary>
    /// Destroys every snapshot of the group that still exists, and the group with them; a group that is gone is
    /// AlreadyGone. With <paramref name="expected"/>, a list that disagrees with the group destroys nothing; for a
    /// group without a record (as after the database was rebuilt from the images), it names the members to destroy.
    /// </summary>
    public Outcome Destroy(string name, IReadOnlyList<SnapshotReference>? expected = null)
    {
        IReadOnlyList<SnapshotInfo> members;
        using (session.AcquireWriteLock())
        {
            var record = NameRules.Problem(name) is null ? Database.FindSnapshotGroup(name) : null;
            if (record is null)
            {
                members = Orphans(name, expected);
            }
            else
            {
                var group = Describe(record);
                CheckMembers(record, group, expected);
                members = group.Snapshots;
                if (members.Count == 0)
                {
                    Database.DeleteSnapshotGroup(record.Id);
                    return Outcome.Deleted;
                }
            }
        }

        if (members.Count == 0)
        {
            return Outcome.AlreadyGone;
        }

        // The snapshots go as any list of snapshots does: all checked first (none mounted), then all destroyed; the
        // group row goes with the last of them.
        new Snapshotter(session, space).Destroy(members.Select(snapshot => new SnapshotReference(snapshot.Subvolume, snapshot.Name)).ToList());
        return Outcome.Deleted;
    }

    /// <summary>
    /// The snapshots of <paramref name="expected"/> that a group called <paramref name="name"/> took (each is
    /// SUBVOLUME@NAME) and that still exist without its record: deleting the group must still delete them, or nothing would.
    /// </summary>
    private List<SnapshotInfo> Orphans(string name, IReadOnlyList<SnapshotReference>? expected)
    {
        var lookup = new SnapshotLookup(session);
        return (expected ?? [])
            .Where(reference => reference.Snapshot == name)
            .Select(reference => Database.FindSnapshot(reference.Subvolume, reference.Snapshot))
            .OfType<SnapshotRecord>()
            .Select(lookup.Describe)
            .ToList();
    }

    /// <summary>
    /// A caller's list of the group's snapshots must name only snapshots taken in it, and every one that still
    /// exists: a member destroyed alone may be named or left out, so a list made when the group was taken stays valid.
    /// </summary>
    private static void CheckMembers(SnapshotGroupRecord record, SnapshotGroupInfo group, IReadOnlyList<SnapshotReference>? expected)
    {
        if (expected is null || expected.Count == 0)
        {
            return;
        }

        var present = group.Snapshots.Select(snapshot => snapshot.FullName).ToHashSet(StringComparer.Ordinal);
        var taken = record.Members.Select(member => $"{member.Subvolume}@{member.Snapshot}").Concat(present).ToHashSet(StringComparer.Ordinal);
        var named = expected.Select(reference => reference.ToString()).ToHashSet(StringComparer.Ordinal);
        var strangers = named.Where(name => !taken.Contains(name)).Order(StringComparer.Ordinal).ToList();
        var left = present.Where(name => !named.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (strangers.Count > 0 || left.Count > 0)
        {
            var problem = strangers.Count > 0
                ? $"{Names(strangers)} {(strangers.Count == 1 ? "is" : "are")} not in it"
                : $"{Names(left)} {(left.Count == 1 ? "is" : "are")} left out";
            throw SubvolException.Invalid(
                $"the snapshots named for group snapshot {Printable.Quote(record.Name)} do not match it: {problem}; it holds {(present.Count == 0 ? "no snapshot" : Names(present.Order(StringComparer.Ordinal)))}");
        }
    }

    private SnapshotGroupInfo Describe(SnapshotGroupRecord record)
    {
        var lookup = new SnapshotLookup(session);
        var snapshots = record.Members
            .Select(member => Database.FindSnapshot(member.Guid))
            .OfType<SnapshotRecord>()
            .Select(lookup.Describe)
            .OrderBy(snapshot => snapshot.FullName, StringComparer.Ordinal)
            .ToList();
        return new SnapshotGroupInfo(record.Name, record.Created, record.Creator, record.Members.Select(member => member.Subvolume).ToList(), snapshots);
    }

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(Printable.Quote));
}
