using System.Runtime.InteropServices;

namespace Subvol.Cli.CommandLine;

/// <summary>
/// The first SIGINT or SIGTERM lets the current step finish, so a frozen filesystem is thawed and
/// no half-made file is published, and stops a transfer (send, receive, replicate, auto) between two
/// records (<see cref="Token"/>); a second one stops at once and the thaw watchdog takes over.
/// </summary>
internal static class Interruption
{
    private static readonly ManualResetEventSlim Signalled = new();
    private static readonly CancellationTokenSource Stopping = new();
    private static int _signals;

    public static bool Requested => Volatile.Read(ref _signals) > 0;

    /// <summary>Cancelled by the first signal, for the operations that can stop part way and keep what they did.</summary>
    public static CancellationToken Token => Stopping.Token;

    /// <summary>Sleeps for the interval or until a signal arrives; true when a signal arrived.</summary>
    public static bool Wait(TimeSpan interval) => Signalled.Wait(interval);

    public static IDisposable[] Register() =>
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
    ];

    private static void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) == 1)
        {
            context.Cancel = true;
            Signalled.Set();
            Stopping.Cancel();
            Console.Error.WriteLine("subvol: stopping after the current step (signal again to stop at once)");
            return;
        }

        Environment.Exit(ExitCodes.Interrupted);
    }
}
