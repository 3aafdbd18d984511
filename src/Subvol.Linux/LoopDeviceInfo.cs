namespace Subvol.Linux;

/// <summary>An attached loop device, as /sys/block/loopN describes it.</summary>
public sealed record LoopDeviceInfo(string DevicePath, string BackingFile, bool AutoClear, bool ReadOnly, bool DirectIo);
