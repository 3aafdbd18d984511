
namespace Subvol.Safety;

/// <summary>
/// Test-only stops between the steps of an operation, so crash tests can kill the process at an
/// exact instant instead of by luck. Inert unless SUBVOL_TEST_PAUSE names the point.
/// </summary>
internal static class PausePoint
{
    public const string EnvironmentVariable = "SUBVOL_TEST_PAUSE";

    public static void Reach(string point)
    {
        if (Parks(point))
        {
            Thread.Sleep(Timeout.Infinite);
        }
    }

    /// <summary>A stop in a transfer, which parks until <paramref name="until"/> is cancelled, as a signal does, and then goes on.</summary>
    public static void Reach(string point, CancellationToken until)
    {
        if (Parks(point))
        {
            until.WaitHandle.WaitOne();
        }
    }

    /// <summary>Whether SUBVOL_TEST_PAUSE names <paramref name="point"/>; if so, the marker file tells the waiting test that the process is parked there.</summary>
    private static bool Parks(string point)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) != point)
        {
            return false;
        }

        var marker = Environment.GetEnvironmentVariable(EnvironmentVariable + "_MARKER");
        if (!string.IsNullOrEmpty(marker))
        {
            File.WriteAllText(marker, point);
        }

        return true;
    }
}
