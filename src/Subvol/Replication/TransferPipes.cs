using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// A pipe that a stream travels in `send | receive` is widened, so the two ends hand over whole records instead of
/// waking each other every 64 KiB; a descriptor that is no pipe is left as it is.
/// </summary>
public static class TransferPipes
{
    /// <summary>The bytes a transfer reads or writes at a time, which its buffering and the widened pipe hold.</summary>
    public const int RecordBuffer = 1 << 20;

    public static void Widen(int descriptor) => PipeCapacity.Widen(descriptor);
}
