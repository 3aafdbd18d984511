using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Subvol.Linux;

/// <summary>The filesystem's own programs (mkfs.xfs, xfs_growfs, mkfs.ext4, resize2fs, …), run by absolute path.</summary>
public static partial class Tools
{
    // Only system directories: PATH is the caller's, and a root tool must not run whatever it names first.
    private static readonly string[] SearchDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>The absolute path of <paramref name="name"/>; throws naming the Debian package that provides it.</summary>
    public static string Find(string name)
    {
        foreach (var directory in SearchDirectories)
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var where = $"'{name}' was not found in {string.Join(", ", SearchDirectories)}";
        throw new FileNotFoundException(PackageOf(name) is { } package ? $"{where}; install the Debian package {package}" : where, name);
    }

    /// <summary>Formats <paramref name="target"/> as XFS, with or without reflink.</summary>
    public static void MakeXfs(string target, string? label, bool reflink)
    {
        // 4096-byte sectors let the filesystem mount on a loop device with a 4096-byte logical block (mkfs.xfs(8) -s).
        var arguments = new List<string> { "-q", "-f", "-m", reflink ? "reflink=1" : "reflink=0", "-s", "size=4096" };
        if (label is not null)
        {
            arguments.AddRange(["-L", label]);
        }

        arguments.Add(target);
        Run("mkfs.xfs", [.. arguments]);
    }

    /// <summary>Formats <paramref name="target"/> as ext4.</summary>
    /// <param name="encrypt">Turns on the encrypt feature, without which ext4 refuses fscrypt policies (ext4(5)).</param>
    public static void MakeExt4(string target, string? label, bool encrypt = false)
    {
        // 4096-byte blocks for the same loop block size (small images would get 1024), and no discard:
        // discarding a fresh sparse file only costs time (mke2fs(8) -b, -E nodiscard).
        var arguments = new List<string> { "-q", "-F", "-b", "4096", "-E", "nodiscard" };
        if (encrypt)
        {
            arguments.AddRange(["-O", "encrypt"]);
        }

        if (label is not null)
        {
            arguments.AddRange(["-L", label]);
        }

        arguments.Add(target);
        Run("mkfs.ext4", [.. arguments]);
    }

    /// <summary>Grows the mounted XFS at <paramref name="mountPoint"/> to fill its device (xfs_growfs(8) -d).</summary>
    public static void GrowXfs(string mountPoint) => Run("xfs_growfs", "-d", mountPoint);

    /// <summary>Resizes ext4 on <paramref name="target"/> to <paramref name="sizeBytes"/>, or to fill its device when null.</summary>
    public static void ResizeExt4(string target, long? sizeBytes)
    {
        if (sizeBytes is { } size)
        {
            Run("resize2fs", target, (size / 1024).ToString(CultureInfo.InvariantCulture) + "K");
        }
        else
        {
            Run("resize2fs", target);
        }
    }

    /// <summary>Checks and repairs ext4 on <paramref name="target"/>; e2fsck(8) exits 1 or 2 when it fixed something.</summary>
    public static void CheckExt4(string target) => RunAccepting("e2fsck", [0, 1, 2], "-f", "-y", target);

    /// <summary>Gives the XFS in <paramref name="image"/> a new UUID, so it can be mounted beside its origin.</summary>
    public static void NewXfsUuid(string image) => Run("xfs_admin", "-U", "generate", image);

    /// <summary>Gives the ext4 in <paramref name="image"/> a new UUID, checking it first when tune2fs(8) demands that.</summary>
    public static void NewExt4Uuid(string image)
    {
        var result = RunAccepting("tune2fs", null, "-U", "random", image);
        if (result.ExitCode == 0)
        {
            return;
        }

        // With metadata_csum, tune2fs changes the UUID only on a freshly checked filesystem.
        if ((result.StandardError + result.StandardOutput).Contains("e2fsck", StringComparison.Ordinal))
        {
            CheckExt4(image);
            Run("tune2fs", "-U", "random", image);
            return;
        }

        throw new ExternalToolException([Find("tune2fs"), "-U", "random", image], result.ExitCode, result.StandardError);
    }

    /// <summary>Discards unused blocks of the filesystem at <paramref name="mountPoint"/>, and returns the bytes trimmed.</summary>
    public static long Trim(string mountPoint)
    {
        // XFS frees a deleted file's blocks in the background (inode garbage collection), and FITRIM skips
        // blocks freed since the last log force. statfs(2) waits for the background work and syncfs(2)
        // forces the log; without them a trim right after a delete found nothing to discard.
        FileSystemStatistics.Get(mountPoint);
        using (var directory = Interop.CheckIo(Interop.Libc.Open(mountPoint, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY | Interop.Libc.O_CLOEXEC, 0), "open", mountPoint))
        {
            Interop.CheckIo(Interop.Libc.Syncfs(directory), "syncfs", mountPoint);
        }

        var result = Run("fstrim", "-v", mountPoint);

        // fstrim(8) -v prints "/mnt: 1.2 GiB (1288490188 bytes) trimmed".
        var match = TrimmedBytes().Match(result.StandardOutput);
        return match.Success ? long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Runs <paramref name="name"/>; throws <see cref="ExternalToolException"/> unless it exits 0.</summary>
    public static ToolResult Run(string name, params string[] arguments) => RunAccepting(name, [0], arguments);

    /// <summary>
    /// Runs <paramref name="name"/>; throws <see cref="ExternalToolException"/> unless its exit code is one of
    /// <paramref name="acceptedExitCodes"/> (null accepts every exit code).
    /// </summary>
    public static ToolResult RunAccepting(string name, int[]? acceptedExitCodes, params string[] arguments)
    {
        var program = Find(name);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Untranslated messages, so output can be parsed and quoted in errors.
        start.Environment["LC_ALL"] = "C";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");

        // An empty standard input means a tool that asks a question gets "no" instead of waiting forever.
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var result = new ToolResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());

        if (acceptedExitCodes is not null && !acceptedExitCodes.Contains(result.ExitCode))
        {
            var standardError = result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput;
            throw new ExternalToolException([program, .. arguments], result.ExitCode, standardError);
        }

        return result;
    }

    private static string? PackageOf(string name) => name switch
    {
        "mkfs.xfs" or "xfs_growfs" or "xfs_admin" or "xfs_repair" or "xfs_io" or "xfs_db" => "xfsprogs",
        "mkfs.ext4" or "mke2fs" or "resize2fs" or "e2fsck" or "tune2fs" or "dumpe2fs" => "e2fsprogs",
        "mkfs.btrfs" or "btrfs" => "btrfs-progs",
        "fsfreeze" or "fstrim" or "losetup" or "mount" or "umount" or "setsid" or "blkid" => "util-linux",
        _ => null,
    };

    [GeneratedRegex(@"\((\d+) bytes\)")]
    private static partial Regex TrimmedBytes();
}
