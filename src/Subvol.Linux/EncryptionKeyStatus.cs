namespace Subvol.Linux;

/// <summary>Whether a filesystem's keyring holds a key (FS_IOC_GET_ENCRYPTION_KEY_STATUS).</summary>
public enum EncryptionKeyStatus
{
    Absent = 1,
    Present = 2,

    /// <summary>Removed while files were still open; those files stay readable until closed.</summary>
    IncompletelyRemoved = 3,
}
