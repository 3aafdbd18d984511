namespace Subvol.Testing;

/// <summary>A fact that runs only as root on a machine with loop devices, and is skipped elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            Skip = Capabilities.SkipReason;
        }
    }

    /// <summary>Also skip where root lacks CAP_SYS_RESOURCE (some containers and sandboxes drop it).</summary>
    public bool NeedsSysResource
    {
        get => false;
        set
        {
            if (value && Skip is null && !Capabilities.HasSysResource)
            {
                Skip = Capabilities.SysResourceSkipReason;
            }
        }
    }
}
