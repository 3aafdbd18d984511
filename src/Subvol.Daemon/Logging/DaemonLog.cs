namespace Subvol.Daemon.Logging;

/// <summary>
/// Every message subvold logs, with stable event ids. Only identifiers, paths, sizes and outcomes
/// are logged: never secrets, parameters, volume context or mount options, which CSI says may be
/// sensitive (spec.md, "Secrets Requirements" and VolumeCapability.MountVolume.mount_flags).
/// </summary>
internal static partial class DaemonLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "subvold serving {Mode} on {Socket}, pool {Pool}, node {Node}")]
    public static partial void Started(this ILogger logger, string mode, string socket, string pool, string node);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "subvold stopped")]
    public static partial void Stopped(this ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "pool {Pool} is not available: {Reason}")]
    public static partial void PoolUnavailable(this ILogger logger, string pool, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "volume {VolumeId}: {Outcome}, {CapacityBytes} bytes")]
    public static partial void VolumeCreated(this ILogger logger, string volumeId, Outcome outcome, long capacityBytes);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "volume {VolumeId}: {Outcome}")]
    public static partial void VolumeDeleted(this ILogger logger, string volumeId, Outcome outcome);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "volume {VolumeId}: {Outcome}, now {CapacityBytes} bytes")]
    public static partial void VolumeExpanded(this ILogger logger, string volumeId, Outcome outcome, long capacityBytes);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "snapshot {SnapshotId}: {Outcome}")]
    public static partial void SnapshotCreated(this ILogger logger, string snapshotId, Outcome outcome);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "snapshot {SnapshotId}: {Outcome}")]
    public static partial void SnapshotDeleted(this ILogger logger, string snapshotId, Outcome outcome);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "group snapshot {GroupSnapshotId}: {Outcome}, {Snapshots} snapshots")]
    public static partial void GroupSnapshotCreated(this ILogger logger, string groupSnapshotId, Outcome outcome, int snapshots);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "group snapshot {GroupSnapshotId}: {Outcome}")]
    public static partial void GroupSnapshotDeleted(this ILogger logger, string groupSnapshotId, Outcome outcome);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "volume {VolumeId} staged at {Path}: {Outcome}")]
    public static partial void VolumeStaged(this ILogger logger, string volumeId, string path, Outcome outcome);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "volume {VolumeId} unstaged from {Path}: {Outcome}")]
    public static partial void VolumeUnstaged(this ILogger logger, string volumeId, string path, Outcome outcome);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "volume {VolumeId} published at {Path} (read-only {ReadOnly}): {Outcome}")]
    public static partial void VolumePublished(this ILogger logger, string volumeId, string path, bool readOnly, Outcome outcome);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "volume {VolumeId} unpublished from {Path}: {Outcome}")]
    public static partial void VolumeUnpublished(this ILogger logger, string volumeId, string path, Outcome outcome);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "{Method} refused: {StatusCode} {Detail}")]
    public static partial void RequestRefused(this ILogger logger, string method, Grpc.Core.StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 41, Level = LogLevel.Error, Message = "{Method} failed")]
    public static partial void RequestFailed(this ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "snapshot {SnapshotId} is not on this node; node {Node} answers for it")]
    public static partial void Forwarded(this ILogger logger, string snapshotId, string node);

    [LoggerMessage(EventId = 51, Level = LogLevel.Warning, Message = "node {Node} could not be asked for snapshot {SnapshotId}: {StatusCode} {Detail}")]
    public static partial void PeerUnreachable(this ILogger logger, string node, string snapshotId, Grpc.Core.StatusCode statusCode, string detail);
}
