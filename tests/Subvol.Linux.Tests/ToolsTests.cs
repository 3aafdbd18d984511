namespace Subvol.Linux.Tests;

public sealed class ToolsTests
{
    [Fact]
    public void FindReturnsAnAbsolutePath()
    {
        Assert.Equal("/", Path.GetPathRoot(Tools.Find("sh")));
    }

    [Fact]
    public void FindNamesTheDebianPackageOfAMissingTool()
    {
        var exception = Assert.Throws<FileNotFoundException>(() => Tools.Find("mkfs.nonexistentfs"));

        Assert.Contains("mkfs.nonexistentfs", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailingToolRaisesItsArgumentsExitCodeAndStandardError()
    {
        var exception = Assert.Throws<ExternalToolException>(() => Tools.Run("sh", "-c", "echo first >&2; echo second >&2; exit 3"));

        Assert.Equal(3, exception.ExitCode);
        Assert.Equal(["/bin/sh", "-c", "echo first >&2; echo second >&2; exit 3"], exception.Arguments.Select(a => a.Replace("/usr/bin/", "/bin/", StringComparison.Ordinal)));
        Assert.Equal("first\nsecond\n", exception.StandardError);
        Assert.Equal("sh failed (exit 3): first; second", exception.Message);
    }

    [Fact]
    public void RunReturnsOutputOfASuccessfulTool()
    {
        var result = Tools.Run("sh", "-c", "echo out; echo err >&2");

        Assert.Equal(new ToolResult(0, "out\n", "err\n"), result);
    }

    [Fact]
    public void RunAcceptingToleratesListedExitCodes()
    {
        Assert.Equal(1, Tools.RunAccepting("sh", [0, 1], "-c", "exit 1").ExitCode);
        Assert.Equal(5, Tools.RunAccepting("sh", null, "-c", "exit 5").ExitCode);
    }

    [Fact]
    public void ToolsReadNothingFromStandardInput()
    {
        Assert.Equal("eof\n", Tools.Run("sh", "-c", "read -r line || echo eof").StandardOutput);
    }
}
