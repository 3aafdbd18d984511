using System.Diagnostics;

namespace Subvol.Daemon.Tests.Infrastructure;

internal static class Tools
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

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

    /// <summary>The mount targets this process sees under <paramref name="root"/> (paths unescaped only for spaces, which tests avoid).</summary>
    public static List<string> MountsUnder(string root) =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4])
            .Where(target => target == root || target.StartsWith(root + "/", StringComparison.Ordinal))
            .ToList();

    public static bool IsMountPoint(string path) => MountsUnder(path).Contains(path);

    public static List<string> LoopsOf(string image) =>
        LoopsUnder(Path.GetDirectoryName(image)!).Where(loop => loop.BackingFile == image).Select(loop => loop.Device).ToList();

    public static List<(string Device, string BackingFile)> LoopsUnder(string root) =>
        Run("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 2 && fields[1].Trim().StartsWith(root + "/", StringComparison.Ordinal))
            .Select(fields => (fields[0], fields[1].Trim()))
            .ToList();
}
