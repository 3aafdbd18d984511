namespace Subvol.Tests.Pools;

/// <summary>A fact that runs only as root on a machine with loop devices, since a file-backed pool is loop-mounted.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public const string SkipReason = "needs root and /dev/loop-control (a file-backed pool is loop-mounted)";

    public RootFactAttribute()
    {
        if (!CanRun)
        {
            Skip = SkipReason;
        }
    }

    public static bool CanRun { get; } = Environment.IsPrivilegedProcess && File.Exists("/dev/loop-control");
}
