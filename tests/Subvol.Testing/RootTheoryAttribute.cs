namespace Subvol.Testing;

/// <summary>A theory that runs only as root on a machine with loop devices, and is skipped elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            Skip = Capabilities.SkipReason;
        }
    }
}
