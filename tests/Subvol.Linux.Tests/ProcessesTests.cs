using System.Diagnostics;

namespace Subvol.Linux.Tests;

public sealed class ProcessesTests
{
    [Fact]
    public void CurrentProcessIsAliveWithAStartTime()
    {
        Assert.Equal(Environment.ProcessId, Processes.CurrentId);
        Assert.True(Processes.IsAlive(Processes.CurrentId));
        Assert.NotNull(Processes.StartTime(Processes.CurrentId));
    }

    [Fact]
    public void ExitedProcessIsNotAlive()
    {
        using var process = Process.Start(Tools.Find("true"))!;
        process.WaitForExit();

        Assert.False(Processes.IsAlive(process.Id));
        Assert.Null(Processes.StartTime(process.Id));
    }

    [Fact]
    public void StartTimeIsStableForOneProcess()
    {
        Assert.Equal(Processes.StartTime(1), Processes.StartTime(1));
        Assert.False(Processes.IsAlive(0));
    }
}
