namespace Subvol.Testing;

/// <summary>For effects the kernel completes in the background: an auto-clearing loop device going away, XFS freeing blocks.</summary>
public static class Waiting
{
    /// <summary>Waits until <paramref name="condition"/> holds or <paramref name="timeout"/> passes, and returns whether it held.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }
}
