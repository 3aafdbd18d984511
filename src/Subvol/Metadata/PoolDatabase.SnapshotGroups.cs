using Microsoft.Data.Sqlite;

namespace Subvol.Metadata;

internal sealed partial class PoolDatabase
{
    /// <summary>
    /// Version 7: a group snapshot's name, time and creator, and its members. A member keeps the subvolume it was
    /// taken of (by name, as the request named it) and its snapshot by GUID, which follows a rename; a group
    /// lives while any of its snapshots does. Snapshots also record how long their subvolume stayed frozen.
    /// </summary>
    private const string SnapshotGroupsTables = """
        CREATE TABLE IF NOT EXISTS snapshot_groups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL,
            creator TEXT);
        CREATE TABLE IF NOT EXISTS snapshot_group_members (
            group_id INTEGER NOT NULL REFERENCES snapshot_groups(id) ON DELETE CASCADE,
            subvolume_name TEXT NOT NULL,
            snapshot_name TEXT NOT NULL,
            snapshot_guid TEXT NOT NULL UNIQUE,
            PRIMARY KEY (group_id, subvolume_name));
        """;

    private const string SnapshotGroupsUpgrade = SnapshotGroupsTables + "ALTER TABLE snapshots ADD COLUMN freeze_seconds REAL;";

    // A group goes with the last of its snapshots, whichever way that one was destroyed.
    private const string DeleteEmptyGroups =
        "DELETE FROM snapshot_groups WHERE NOT EXISTS (SELECT 1 FROM snapshot_group_members m JOIN snapshots s ON s.guid = m.snapshot_guid WHERE m.group_id = snapshot_groups.id)";

    public SnapshotGroupRecord InsertSnapshotGroup(string name, DateTimeOffset created, string? creator, IReadOnlyList<SnapshotGroupMember> members)
    {
        long id;
        using (var command = Command("INSERT INTO snapshot_groups (name, created, creator) VALUES ($name, $created, $creator) RETURNING id",
            ("$name", name), ("$created", FormatTime(created)), ("$creator", creator)))
        {
            id = (long)command.ExecuteScalar()!;
        }

        foreach (var member in members)
        {
            using var command = Command(
                "INSERT INTO snapshot_group_members (group_id, subvolume_name, snapshot_name, snapshot_guid) VALUES ($group, $sub, $snap, $guid)",
                ("$group", id), ("$sub", member.Subvolume), ("$snap", member.Snapshot), ("$guid", member.Guid.ToString()));
            command.ExecuteNonQuery();
        }

        return new SnapshotGroupRecord(id, name, created, creator, members);
    }

    public SnapshotGroupRecord? FindSnapshotGroup(string name)
    {
        long id;
        DateTimeOffset created;
        string? creator;
        using (var command = Command("SELECT id, created, creator FROM snapshot_groups WHERE name = $name", ("$name", name)))
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            id = reader.GetInt64(0);
            created = StoredTime(reader.GetString(1), "snapshot_groups.created");
            creator = reader.IsDBNull(2) ? null : reader.GetString(2);
        }

        using var members = Command("SELECT subvolume_name, snapshot_name, snapshot_guid FROM snapshot_group_members WHERE group_id = $id ORDER BY subvolume_name", ("$id", id));
        return new SnapshotGroupRecord(id, name, created, creator, ReadMembers(members));
    }

    /// <summary>The group of every snapshot that belongs to one, by snapshot GUID.</summary>
    public Dictionary<Guid, string> SnapshotGroupNames()
    {
        using var command = Command("SELECT m.snapshot_guid, g.name FROM snapshot_group_members m JOIN snapshot_groups g ON g.id = m.group_id");
        using var reader = command.ExecuteReader();
        var names = new Dictionary<Guid, string>();
        while (reader.Read())
        {
            names[StoredGuid(reader.GetString(0), "snapshot_group_members.snapshot_guid")] = reader.GetString(1);
        }

        return names;
    }

    public void DeleteSnapshotGroup(long id)
    {
        using var command = Command("DELETE FROM snapshot_groups WHERE id = $id", ("$id", id));
        command.ExecuteNonQuery();
    }

    private List<SnapshotGroupMember> ReadMembers(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var members = new List<SnapshotGroupMember>();
        while (reader.Read())
        {
            members.Add(new SnapshotGroupMember(reader.GetString(0), reader.GetString(1), StoredGuid(reader.GetString(2), "snapshot_group_members.snapshot_guid")));
        }

        return members;
    }
}
