using Subvol.Daemon.Errors;

namespace Subvol.Daemon.Csi;

/// <summary>The StorageClass parameters subvold reads; others are ignored, and none is ever logged.</summary>
internal sealed record VolumeParameters(Provisioning Provisioning, string? FileSystem)
{
    public const string ProvisioningKey = "provisioning";
    public const string FileSystemKey = "fsType";

    public static VolumeParameters Parse(IDictionary<string, string> parameters)
    {
        var provisioning = Provisioning.Guaranteed;
        if (parameters.TryGetValue(ProvisioningKey, out var text))
        {
            try
            {
                provisioning = ProvisioningNames.Parse(text);
            }
            catch (SubvolException)
            {
                // The engine's message quotes the value, and parameter values stay out of the log.
                throw ErrorStatus.Invalid($"parameter {ProvisioningKey} must be {ProvisioningNames.Guaranteed} or {ProvisioningNames.Thin}");
            }
        }

        var fileSystem = parameters.TryGetValue(FileSystemKey, out var value) && value.Length > 0 ? value : null;
        if (fileSystem is not null && !FileSystemKind.IsSupported(fileSystem))
        {
            throw ErrorStatus.Invalid($"parameter {FileSystemKey} must be xfs or ext4");
        }

        return new VolumeParameters(provisioning, fileSystem);
    }
}
