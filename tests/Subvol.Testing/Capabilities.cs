using System.Globalization;

namespace Subvol.Testing;

/// <summary>What the integration tests need from the machine: root, and loop devices.</summary>
public static class Capabilities
{
    public const string SkipReason = "needs root and /dev/loop-control (loop devices, mounts, freezing)";

    public const string SysResourceSkipReason =
        "needs CAP_SYS_RESOURCE, which ext4 online resize (EXT4_IOC_RESIZE_FS) demands and this root lacks (see CapEff in /proc/self/status)";

    /// <summary>CAP_SYS_RESOURCE in linux/capability.h.</summary>
    private const int CapSysResource = 24;

    public static bool CanUseLoopDevices { get; } = Environment.IsPrivilegedProcess && File.Exists("/dev/loop-control");

    public static bool HasSysResource { get; } = HasEffective(CapSysResource);

    private static bool HasEffective(int capability)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(line => line.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            && (mask & (1UL << capability)) != 0;
    }
}
