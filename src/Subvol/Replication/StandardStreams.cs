using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Standard input and output as a stream travels them in `send | receive`: buffered a record at a time, and,
/// where they are pipes, widened so the two ends hand over whole records instead of waking each other every 64 KiB.
/// </summary>
public static class StandardStreams
{
    private const int StandardInput = 0;
    private const int StandardOutput = 1;
    private const int Buffer = 1 << 20;

    public static System.IO.Stream OpenInput()
    {
        PipeCapacity.Widen(StandardInput);
        return new BufferedStream(Console.OpenStandardInput(), Buffer);
    }

    public static System.IO.Stream OpenOutput()
    {
        PipeCapacity.Widen(StandardOutput);
        return new BufferedStream(Console.OpenStandardOutput(), Buffer);
    }
}
