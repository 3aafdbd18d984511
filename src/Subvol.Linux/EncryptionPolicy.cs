namespace Subvol.Linux;

/// <summary>A directory's fscrypt policy as FS_IOC_GET_ENCRYPTION_POLICY_EX reports it.</summary>
/// <param name="Version">2 for a v2 policy, whose key is named by <paramref name="KeyIdentifier"/>.</param>
public sealed record EncryptionPolicy(int Version, int ContentsMode, int FileNamesMode, int Flags, byte[] KeyIdentifier);
