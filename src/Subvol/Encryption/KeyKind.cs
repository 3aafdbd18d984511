namespace Subvol.Encryption;

/// <summary>What wraps an encrypted subvolume's master key: a passphrase, stretched with Argon2id, or a raw key file.</summary>
public enum KeyKind
{
    Passphrase = 1,
    KeyFile = 2,
}
