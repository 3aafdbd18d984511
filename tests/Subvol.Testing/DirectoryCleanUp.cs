using Subvol.Linux;

namespace Subvol.Testing;

/// <summary>
/// The clean-up every fixture ends with, for the one temporary directory that holds all it made. A
/// fixture runs its own steps first (stopping what it started, exporting its pools) through
/// <see cref="Attempt"/>, which collects what went wrong and goes on; then whatever is still
/// mounted or attached beneath the directory is released, the directory is deleted, and
/// <see cref="AssertNothingLeft"/> fails when any step went wrong or anything of it survived.
/// </summary>
public sealed class DirectoryCleanUp(string directory)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly List<string> _problems = [];

    public string Directory { get; } = directory;

    /// <summary>Runs one step; an exception it throws is recorded as a problem and the clean-up goes on.</summary>
    public void Attempt(string step, Action action)
    {
        try
        {
            action();
        }
        catch (Exception exception)
        {
            _problems.Add($"{step}: {exception}");
        }
    }

    public void Report(string problem) => _problems.Add(problem);

    public void Report(IEnumerable<string> problems) => _problems.AddRange(problems);

    /// <summary>Thaws every frozen filesystem beneath the directory but those named, since unmounting a frozen one would hang.</summary>
    public void Thaw(IReadOnlyCollection<string> except)
    {
        foreach (var mount in Kernel.MountsUnder(Directory).Where(mount => !except.Contains(mount.Target)))
        {
            Attempt($"thawing {mount.Target}", () => Freeze.TryThaw(mount.Target));
        }
    }

    /// <summary>An auto-clearing loop device goes away a moment after its last unmount, not at once.</summary>
    public bool WaitUntilReleased() => Waiting.Eventually(() => IsReleased(Directory), Patience);

    /// <summary>Unmounts, innermost first, and detaches whatever is still beneath the directory.</summary>
    public void ReleaseLeftovers() => Attempt("releasing leftovers", () => Release(Directory));

    /// <summary>Deletes the directory, immutable snapshot images included, unless something is still mounted in it.</summary>
    public void DeleteDirectory() => Attempt("deleting the directory", () =>
    {
        if (!System.IO.Directory.Exists(Directory) || Kernel.MountsUnder(Directory).Count > 0)
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            MakeMutable(Directory);
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    });

    /// <summary>The leak check: fails with every problem met and every mount or loop device of the directory that survived.</summary>
    public void AssertNothingLeft()
    {
        var problems = new List<string>(_problems);
        problems.AddRange(Kernel.LoopsUnder(Directory).Select(loop => $"still attached: {loop.DevicePath} ({loop.BackingFile})"));
        problems.AddRange(Kernel.MountsUnder(Directory).Select(mount => $"still mounted: {mount.Target} ({mount.Source})"));
        Assert.True(problems.Count == 0, $"cleaning up {Directory}:\n{string.Join('\n', problems)}");
    }

    /// <summary>
    /// Thaws, unmounts and detaches everything beneath <paramref name="directory"/>, innermost first,
    /// until nothing is left; a mount still busy after a while is detached lazily.
    /// </summary>
    public static void Release(string directory)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var mounts = Kernel.MountsUnder(directory);
            var loops = Kernel.LoopsUnder(directory);
            if (mounts.Count == 0 && loops.Count == 0)
            {
                return;
            }

            var late = DateTime.UtcNow > deadline;
            foreach (var mount in mounts.Reverse())
            {
                Ignore(() => Freeze.TryThaw(mount.Target));
                Ignore(() => Mounts.Unmount(mount.Target, detachLazily: late));
            }

            // A loop device still mounted cannot go; those left are retried after their mounts are gone.
            foreach (var loop in loops.Where(loop => Mounts.FindBySource(loop.DevicePath).Count == 0))
            {
                Ignore(() => LoopDevice.DetachDevice(loop.DevicePath, loop.BackingFile));
            }

            if (late && DateTime.UtcNow > deadline + Patience)
            {
                return;
            }

            Thread.Sleep(50);
        }
    }

    public static bool IsReleased(string directory) => Kernel.MountsUnder(directory).Count == 0 && Kernel.LoopsUnder(directory).Count == 0;

    /// <summary>Clears the immutable attribute (chattr -i) of every file beneath the directory; links are not followed.</summary>
    private static void MakeMutable(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            if (entry is DirectoryInfo child)
            {
                MakeMutable(child.FullName);
            }
            else
            {
                Ignore(() =>
                {
                    if (ImmutableAttribute.Get(entry.FullName))
                    {
                        ImmutableAttribute.Set(entry.FullName, immutable: false);
                    }
                });
            }
        }
    }

    private static void Ignore(Action action)
    {
        try
        {
            action();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The clean-up goes on; whatever is left is reported by the leak check.
        }
    }
}
