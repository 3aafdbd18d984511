namespace Subvol.Linux.Tests;

/// <summary>The test assembly's entry point, used only as a helper process by tests that must kill their subject.</summary>
internal static class Program
{
    public const string WatchdogChild = "watchdog-child";
    public const string Ready = "ready";

    public static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == WatchdogChild)
        {
            // The watchdog lives as long as this process; the test kills it with SIGKILL.
            ThawWatchdog.Start(args[1], args[2]);
            Console.WriteLine(Ready);
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
        }

        Console.Error.WriteLine($"usage: {WatchdogChild} MOUNTPOINT RECORD");
        return 2;
    }
}
