using Spectre.Console;

namespace Subvol.Cli.Output;

/// <summary>Feeds the engine's byte counts into a terminal progress bar.</summary>
internal sealed class TransferProgress(ProgressTask task) : IProgress<ReplicationProgress>
{
    public void Report(ReplicationProgress value)
    {
        task.MaxValue = Math.Max(1, value.BytesTotal);
        task.Value = Math.Min(value.BytesDone, task.MaxValue);
    }
}
