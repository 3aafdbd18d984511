namespace Subvol.Metadata;

internal sealed partial class PoolDatabase
{
    /// <summary>
    /// The wrapped master key of each encrypted subvolume and snapshot, by the image's GUID: a table of its own, so
    /// that an image without one has no row; the triggers let a row go with its subvolume or snapshot. Only the
    /// wrapped form is ever stored (see <see cref="Encryption.WrappedKey"/>).
    /// </summary>
    private const string WrappedKeysTable = """
        CREATE TABLE IF NOT EXISTS wrapped_keys (guid TEXT PRIMARY KEY, wrapped_key BLOB NOT NULL);
        CREATE TRIGGER IF NOT EXISTS wrapped_keys_of_subvolumes AFTER DELETE ON subvolumes BEGIN DELETE FROM wrapped_keys WHERE guid = OLD.guid; END;
        CREATE TRIGGER IF NOT EXISTS wrapped_keys_of_snapshots AFTER DELETE ON snapshots BEGIN DELETE FROM wrapped_keys WHERE guid = OLD.guid; END;
        """;

    // A column that reads an image's wrapped key beside its row, null for an unencrypted one.
    private const string WrappedKeyOfSubvolume = "(SELECT k.wrapped_key FROM wrapped_keys k WHERE k.guid = subvolumes.guid)";
    private const string WrappedKeyOfSnapshot = "(SELECT k.wrapped_key FROM wrapped_keys k WHERE k.guid = s.guid)";

    /// <summary>Records or replaces the wrapped key of the image with GUID <paramref name="guid"/>.</summary>
    public void SetWrappedKey(Guid guid, byte[] wrappedKey)
    {
        using var command = Command(
            "INSERT INTO wrapped_keys (guid, wrapped_key) VALUES ($guid, $key) ON CONFLICT (guid) DO UPDATE SET wrapped_key = excluded.wrapped_key",
            ("$guid", guid.ToString()), ("$key", wrappedKey));
        command.ExecuteNonQuery();
    }
}
