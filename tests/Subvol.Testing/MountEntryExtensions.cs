using Subvol.Linux;

namespace Subvol.Testing;

/// <summary>What the tests ask of a mount beyond what the Linux layer reads.</summary>
public static class MountEntryExtensions
{
    extension(MountEntry mount)
    {
        /// <summary>The mount's own options (field 6 of mountinfo), one by one.</summary>
        public IReadOnlyList<string> Options => mount.MountOptions.Split(',');

        /// <summary>Mounted read-only: "ro" among the mount's own options.</summary>
        public bool ReadOnly => mount.Options.Contains("ro");
    }
}
