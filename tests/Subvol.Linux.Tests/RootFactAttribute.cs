namespace Subvol.Linux.Tests;

/// <summary>A fact that runs only as root on a machine with loop devices, since it mounts filesystems.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsAvailable)
        {
            Skip = "needs root and /dev/loop-control";
        }
    }

    public static bool IsAvailable => Processes.EffectiveUserId == 0 && File.Exists("/dev/loop-control");
}
