using Subvol.Linux;
using Subvol.Metadata;

namespace Subvol.Tests;

/// <summary>Reads and plants the identity attributes by path, as a person inspecting or damaging a pool from outside would.</summary>
internal static class IdentityAttribute
{
    public static ImageIdentity? Read(string path) =>
        ExtendedAttribute.Get(path, ImageIdentity.AttributeName) is { } value ? ImageIdentity.Decode(value) : null;

    public static void Write(string path, ImageIdentity identity) => ExtendedAttribute.Set(path, ImageIdentity.AttributeName, identity.Encode());

    public static IReadOnlyDictionary<string, string>? ReadSettings(string metadataDirectory) =>
        ExtendedAttribute.Get(metadataDirectory, PoolSettings.AttributeName) is { } value ? PoolSettings.Decode(value) : null;
}
