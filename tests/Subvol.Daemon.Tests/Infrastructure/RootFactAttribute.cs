namespace Subvol.Daemon.Tests.Infrastructure;

/// <summary>A fact that runs only as root on a machine with loop devices, and is skipped elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public const string SkipReason = "needs root and /dev/loop-control (loop devices, mounts)";

    public RootFactAttribute()
    {
        if (!CanRun)
        {
            Skip = SkipReason;
        }
    }

    public static bool CanRun { get; } = Environment.IsPrivilegedProcess && File.Exists("/dev/loop-control");
}
