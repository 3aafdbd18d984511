using Csi.V1;
using Mode = Csi.V1.VolumeCapability.Types.AccessMode.Types.Mode;

namespace Subvol.Daemon.Csi;

/// <summary>What subvold can promise: one node at a time, a mounted xfs or ext4, or the raw block device.</summary>
internal static class VolumeCapabilities
{
    /// <summary>Why a capability cannot be had, or null when it can; <paramref name="fileSystem"/> is the volume's, when it exists.</summary>
    public static string? Problem(VolumeCapability capability, string? fileSystem)
    {
        if (capability.AccessMode is null || capability.AccessMode.Mode == Mode.Unknown)
        {
            return "volume_capability.access_mode is required";
        }

        if (!IsSingleNode(capability.AccessMode.Mode))
        {
            return $"access mode {capability.AccessMode.Mode} is not supported: a volume lives on one node, so only single-node modes are";
        }

        switch (capability.AccessTypeCase)
        {
            case VolumeCapability.AccessTypeOneofCase.Block:
                return null;
            case VolumeCapability.AccessTypeOneofCase.Mount:
                var requested = capability.Mount.FsType;
                if (requested.Length > 0 && !FileSystemKind.IsSupported(requested))
                {
                    return $"fsType '{requested}' is not supported: choose xfs or ext4";
                }

                return requested.Length > 0 && fileSystem is not null && requested != fileSystem
                    ? $"the volume holds {fileSystem}, not {requested}"
                    : null;
            default:
                return "volume_capability needs an access type, mount or block";
        }
    }

    public static bool IsReadOnlyMode(VolumeCapability capability) => capability.AccessMode?.Mode == Mode.SingleNodeReaderOnly;

    /// <summary>The filesystem that capabilities and parameters name, or null when they name none (a new volume then gets xfs).</summary>
    public static string? NamedFileSystem(IEnumerable<VolumeCapability> capabilities, string? parameter)
    {
        var named = capabilities.Where(capability => capability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Mount)
            .Select(capability => capability.Mount.FsType)
            .Append(parameter ?? "")
            .Where(fileSystem => fileSystem.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return named.Count switch
        {
            0 => null,
            1 => named[0],
            _ => throw Errors.ErrorStatus.Invalid($"the capabilities ask for different filesystems ({string.Join(", ", named)}); a volume holds one"),
        };
    }

    /// <summary>
    /// The filesystem of a volume whose request names none: xfs, or ext4 for a volume asked for only
    /// as a raw block device, whose contents are its user's and which ext4's smaller minimum keeps small.
    /// </summary>
    public static string DefaultFileSystem(IEnumerable<VolumeCapability> capabilities) =>
        capabilities.Any() && capabilities.All(capability => capability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block)
            ? FileSystemKind.Ext4
            : FileSystemKind.Xfs;

    private static bool IsSingleNode(Mode mode) =>
        mode is Mode.SingleNodeWriter or Mode.SingleNodeReaderOnly or Mode.SingleNodeSingleWriter or Mode.SingleNodeMultiWriter;
}
