using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Checking;

/// <summary>
/// Compares each image's identity attribute, and the pool settings on the .subvol directory,
/// with the database, which is the authority while it is healthy: a missing or stale attribute is
/// rewritten from it, so that a later rebuild from the images gives back exactly this pool.
/// </summary>
internal sealed class IdentityCheck(PoolLayout layout, PoolDatabase database, PoolFiles files)
{
    public void Scan(List<Finding> findings, IReadOnlyList<SubvolumeRecord> subvolumes, IReadOnlyList<SnapshotRecord> snapshots, HashSet<string> renaming)
    {
        foreach (var subvolume in subvolumes.Where(subvolume => !renaming.Contains(subvolume.Name)))
        {
            Compare(findings, layout.SubvolumeImage(subvolume.Name), $"subvolume {Printable.Quote(subvolume.Name)}", subvolume.Name, ImageIdentity.Of(subvolume));
        }

        var owners = subvolumes.ToDictionary(subvolume => subvolume.Id);
        foreach (var snapshot in snapshots.Where(snapshot => !renaming.Contains(snapshot.SubvolumeName)))
        {
            var name = $"{snapshot.SubvolumeName}@{snapshot.Name}";
            Compare(findings, layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name), $"snapshot {Printable.Quote(name)}", name, ImageIdentity.Of(snapshot, owners[snapshot.SubvolumeId]));
        }

        CheckPoolSettings(findings);
    }

    private void Compare(List<Finding> findings, string image, string what, string subject, ImageIdentity expected)
    {
        // A missing image or a link in its place is the consistency check's to report.
        if (files.Status(image).Kind != EntryKind.File)
        {
            return;
        }

        ImageIdentity? actual;
        try
        {
            actual = ImageIdentity.Read(files, image);
        }
        catch (FormatException exception)
        {
            findings.Add(new Finding(FindingKind.IdentityMissing, subject,
                $"the identity attribute of {what} cannot be read ({exception.Message}); repair writes it from the metadata", Repairable: true)
            {
                Repair = () => ImageIdentity.Write(files, image, expected),
            });
            return;
        }

        if (actual is null)
        {
            findings.Add(new Finding(FindingKind.IdentityMissing, subject,
                $"the image of {what} has no identity attribute, so the metadata could not be rebuilt from it; repair writes it from the metadata", Repairable: true)
            {
                Repair = () => ImageIdentity.Write(files, image, expected),
            });
            return;
        }

        var differences = actual.Differences(expected);
        if (differences.Count > 0)
        {
            findings.Add(new Finding(FindingKind.IdentityMismatch, subject,
                $"the identity attribute of {what} disagrees with the metadata ({string.Join(", ", differences)}); repair rewrites it from the metadata", Repairable: true)
            {
                Repair = () => ImageIdentity.Write(files, image, expected),
            });
        }
    }

    private void CheckPoolSettings(List<Finding> findings)
    {
        var expected = database.ListPoolValues();
        IReadOnlyDictionary<string, string>? actual;
        string problem;
        try
        {
            actual = PoolSettings.Read(files, layout.MetadataDirectory);
            problem = actual is null ? "has no pool settings attribute" : "carries pool settings that disagree with the metadata";
        }
        catch (FormatException exception)
        {
            actual = null;
            problem = $"carries pool settings that cannot be read ({exception.Message})";
        }

        if (actual is not null && actual.Count == expected.Count && actual.All(pair => expected.TryGetValue(pair.Key, out var value) && value == pair.Value))
        {
            return;
        }

        findings.Add(new Finding(actual is null ? FindingKind.IdentityMissing : FindingKind.IdentityMismatch, layout.MetadataDirectory,
            $"{layout.MetadataDirectory} {problem}; repair writes them from the metadata", Repairable: true)
        {
            Repair = () => PoolSettings.Write(files, layout.MetadataDirectory, expected),
        });
    }
}
