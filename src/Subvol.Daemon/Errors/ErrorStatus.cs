using Grpc.Core;

namespace Subvol.Daemon.Errors;

/// <summary>
/// The one place where an engine error becomes a gRPC status, following the error tables of the
/// CSI specification (spec.md, "Error Scheme" and the per-RPC tables).
/// </summary>
internal static class ErrorStatus
{
    public static StatusCode For(SubvolErrorCode code) => code switch
    {
        SubvolErrorCode.NotFound => StatusCode.NotFound,
        SubvolErrorCode.AlreadyExists => StatusCode.AlreadyExists,
        // In use (mounted, attached, has snapshots): the CO must change something first.
        SubvolErrorCode.Busy => StatusCode.FailedPrecondition,
        SubvolErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        // "Unable to provision ... insufficient capacity": CSI's RESOURCE_EXHAUSTED.
        SubvolErrorCode.NoSpace => StatusCode.ResourceExhausted,
        SubvolErrorCode.NotSupported => StatusCode.FailedPrecondition,
        SubvolErrorCode.StreamCorrupt => StatusCode.DataLoss,
        SubvolErrorCode.StreamMismatch => StatusCode.FailedPrecondition,
        SubvolErrorCode.Inconsistent => StatusCode.Internal,
        // The operator must act first (remount read-write, or run 'subvol check --repair'); a retry alone fails the same way.
        SubvolErrorCode.ReadOnly => StatusCode.FailedPrecondition,
        SubvolErrorCode.DamagedMetadata => StatusCode.FailedPrecondition,
        SubvolErrorCode.Failed => StatusCode.Internal,
        SubvolErrorCode.OutOfRange => StatusCode.OutOfRange,
        SubvolErrorCode.Interrupted => StatusCode.Aborted,
        _ => StatusCode.Unknown,
    };

    public static RpcException From(SubvolException exception) => new(new Status(For(exception.Code), Detail(exception)));

    /// <summary>The status message: what was wrong, then what to do about it.</summary>
    public static string Detail(SubvolException exception) =>
        exception.Remedy is null ? exception.Message : $"{exception.Message}; {RemedyWording.For(exception.Remedy)}";

    /// <summary>A required field left empty: INVALID_ARGUMENT, as every CSI RPC's table says.</summary>
    public static RpcException Missing(string field) => new(new Status(StatusCode.InvalidArgument, $"{field} is required"));

    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));

    public static RpcException AlreadyExists(string message) => new(new Status(StatusCode.AlreadyExists, message));

    public static RpcException OutOfRange(string message) => new(new Status(StatusCode.OutOfRange, message));

    public static RpcException FailedPrecondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    public static RpcException ResourceExhausted(string message) => new(new Status(StatusCode.ResourceExhausted, message));

    public static RpcException Aborted(string message) => new(new Status(StatusCode.Aborted, message));

    public static RpcException Unavailable(string message) => new(new Status(StatusCode.Unavailable, message));
}
