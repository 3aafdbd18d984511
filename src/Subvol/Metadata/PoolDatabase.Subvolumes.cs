using Microsoft.Data.Sqlite;
using Subvol.Errors;
using Subvol.Space;

namespace Subvol.Metadata;

internal sealed partial class PoolDatabase
{
    private const string SubvolumeColumns = "id, name, guid, size, filesystem, created, origin_snapshot, provisioning, write_stamp, creator, " + WrappedKeyOfSubvolume;

    public IReadOnlyList<SubvolumeRecord> ListSubvolumes()
    {
        using var command = Command($"SELECT {SubvolumeColumns} FROM subvolumes ORDER BY name");
        return ReadSubvolumes(command);
    }

    public SubvolumeRecord? FindSubvolume(string name)
    {
        using var command = Command($"SELECT {SubvolumeColumns} FROM subvolumes WHERE name = $name", ("$name", name));
        return ReadSubvolumes(command).SingleOrDefault();
    }

    /// <param name="creator">Who made it, when a program such as the CSI driver asks to be remembered; null for the command line.</param>
    /// <param name="created">When the subvolume was made, as its image's identity says; now when not given.</param>
    /// <param name="wrappedKey">An encrypted subvolume's wrapped master key; null for an unencrypted one.</param>
    public SubvolumeRecord InsertSubvolume(string name, Guid guid, long size, string fileSystem, Guid? originSnapshot, Provisioning provisioning, DateTime? writeStamp = null, string? creator = null, DateTimeOffset? created = null, byte[]? wrappedKey = null)
    {
        created ??= Clock.Now;
        using var command = Command(
            "INSERT INTO subvolumes (name, guid, size, filesystem, created, origin_snapshot, provisioning, write_stamp, creator) VALUES ($name, $guid, $size, $fs, $created, $origin, $provisioning, $stamp, $creator) RETURNING id",
            ("$name", name), ("$guid", guid.ToString()), ("$size", size), ("$fs", fileSystem), ("$created", FormatTime(created.Value)),
            ("$origin", originSnapshot?.ToString()), ("$provisioning", ProvisioningNames.Format(provisioning)), ("$stamp", writeStamp?.Ticks), ("$creator", creator));
        var id = (long)command.ExecuteScalar()!;
        if (wrappedKey is not null)
        {
            SetWrappedKey(guid, wrappedKey);
        }

        return new SubvolumeRecord(id, name, guid, size, fileSystem, created.Value, originSnapshot, provisioning, writeStamp, creator) { WrappedKey = wrappedKey };
    }

    /// <summary>Records the modification time the image was given when it last matched a snapshot; null when unknown.</summary>
    public void UpdateWriteStamp(long id, DateTime? writeStamp)
    {
        using var command = Command("UPDATE subvolumes SET write_stamp = $stamp WHERE id = $id", ("$stamp", writeStamp?.Ticks), ("$id", id));
        command.ExecuteNonQuery();
    }

    public void UpdateSubvolumeSize(long id, long size)
    {
        using var command = Command("UPDATE subvolumes SET size = $size WHERE id = $id", ("$size", size), ("$id", id));
        command.ExecuteNonQuery();
    }

    public void UpdateSubvolumeProvisioning(long id, Provisioning provisioning)
    {
        using var command = Command("UPDATE subvolumes SET provisioning = $provisioning WHERE id = $id", ("$provisioning", ProvisioningNames.Format(provisioning)), ("$id", id));
        command.ExecuteNonQuery();
    }

    public void DeleteSubvolume(long id)
    {
        using var command = Command("DELETE FROM subvolumes WHERE id = $id", ("$id", id));
        command.ExecuteNonQuery();
    }

    /// <summary>Renames in the database and records the pending file moves, in one transaction.</summary>
    public void RenameSubvolume(long id, string oldName, string newName)
    {
        using var transaction = BeginTransaction();
        using (var update = Command("UPDATE subvolumes SET name = $new WHERE id = $id", ("$new", newName), ("$id", id)))
        {
            update.ExecuteNonQuery();
        }

        using (var pending = Command("INSERT INTO pending_renames (old_name, new_name) VALUES ($old, $new)", ("$old", oldName), ("$new", newName)))
        {
            pending.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public IReadOnlyList<PendingRename> ListPendingRenames()
    {
        using var command = Command("SELECT id, old_name, new_name FROM pending_renames ORDER BY id");
        using var reader = command.ExecuteReader();
        var list = new List<PendingRename>();
        while (reader.Read())
        {
            list.Add(new PendingRename(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }

        return list;
    }

    public void DeletePendingRename(long id)
    {
        using var command = Command("DELETE FROM pending_renames WHERE id = $id", ("$id", id));
        command.ExecuteNonQuery();
    }

    private List<SubvolumeRecord> ReadSubvolumes(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var list = new List<SubvolumeRecord>();
        while (reader.Read())
        {
            list.Add(new SubvolumeRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                StoredGuid(reader.GetString(2), "subvolumes.guid"),
                reader.GetInt64(3),
                reader.GetString(4),
                StoredTime(reader.GetString(5), "subvolumes.created"),
                reader.IsDBNull(6) ? null : StoredGuid(reader.GetString(6), "subvolumes.origin_snapshot"),
                ProvisioningNames.Parse(reader.GetString(7)),
                reader.IsDBNull(8) ? null : new DateTime(reader.GetInt64(8), DateTimeKind.Utc),
                reader.IsDBNull(9) ? null : reader.GetString(9))
            {
                WrappedKey = reader.IsDBNull(10) ? null : (byte[])reader.GetValue(10),
            });
        }

        return list;
    }
}
