using System.Runtime.InteropServices;

namespace Subvol.Cli.CommandLine;

/// <summary>
/// The first SIGINT or SIGTERM lets the current step finish, so a frozen filesystem is thawed and
/// no half-made file is published; a second one stops at once and the thaw watchdog takes over.
/// </summary>
internal static class Interruption
{
    private static readonly ManualResetEventSlim Signalled = new();
    private static int _signals;

    public static bool Requested => Volatile.Read(ref _signals) > 0;

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
            Console.Error.WriteLine("subvol: stopping after the current step (signal again to stop at once)");
            return;
        }

        Environment.Exit(ExitCodes.Interrupted);
    }
}
