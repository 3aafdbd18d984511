using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public sealed class VolumeListingTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;

    [RootFact]
    public void PagingWithSmallPagesReturnsEveryVolumeExactlyOnce()
    {
        var prefix = fixture.Unique("pvc-page");
        var ids = Enumerable.Range(0, 5).Select(index => fixture.CreateVolume($"{prefix}-{index}", 16 * MiB).VolumeId).ToList();

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = fixture.Controller.ListVolumes(new ListVolumesRequest { MaxEntries = 2, StartingToken = token });
            Assert.True(page.Entries.Count <= 2, $"a page of max_entries 2 held {page.Entries.Count}");
            seen.AddRange(page.Entries.Select(entry => entry.Volume.VolumeId));
            token = page.NextToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.True(pages >= 3, $"five volumes came in {pages} pages of at most two");
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Where(ids.Contains).Order(StringComparer.Ordinal));
        Assert.Equal(seen.Count, fixture.Controller.ListVolumes(new ListVolumesRequest()).Entries.Count);
        Delete(ids);
    }

    [RootFact]
    public void DeletesBetweenPagesNeitherRepeatNorSkipTheOthers()
    {
        var prefix = fixture.Unique("pvc-pagedelete");
        var ids = Enumerable.Range(0, 6).Select(index => fixture.CreateVolume($"{prefix}-{index}", 16 * MiB).VolumeId).ToList();

        // Pages of one, so that the volumes before and after the position are known exactly.
        var seen = new List<string>();
        var page = fixture.Controller.ListVolumes(new ListVolumesRequest { MaxEntries = 1 });
        seen.AddRange(page.Entries.Select(entry => entry.Volume.VolumeId));
        while (page.NextToken.Length > 0 && !seen.Contains(ids[2]))
        {
            page = fixture.Controller.ListVolumes(new ListVolumesRequest { MaxEntries = 1, StartingToken = page.NextToken });
            seen.AddRange(page.Entries.Select(entry => entry.Volume.VolumeId));
        }

        Assert.Equal(ids[2], seen[^1]);

        // The volume the token names, one before it and one still to come all go.
        var deleted = new[] { ids[1], ids[2], ids[4] };
        Delete(deleted);
        var token = page.NextToken;
        while (token.Length > 0)
        {
            page = fixture.Controller.ListVolumes(new ListVolumesRequest { MaxEntries = 1, StartingToken = token });
            seen.AddRange(page.Entries.Select(entry => entry.Volume.VolumeId));
            token = page.NextToken;
        }

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(new[] { ids[0], ids[1], ids[2], ids[3], ids[5] }, seen.Where(ids.Contains));
        Delete([ids[0], ids[3], ids[5]]);
    }

    [RootFact]
    public void ATokenThisDriverDidNotGiveIsAborted()
    {
        Expect.Status(StatusCode.Aborted, () => fixture.Controller.ListVolumes(new ListVolumesRequest { StartingToken = "not a token!" }));
        Expect.Status(StatusCode.Aborted, () => fixture.Controller.ListVolumes(new ListVolumesRequest { StartingToken = "999999" }));
        Expect.Status(StatusCode.Aborted, () => fixture.Controller.ListVolumes(new ListVolumesRequest { StartingToken = Convert.ToBase64String("v2:pvc-x"u8.ToArray()) }));
        Expect.Status(StatusCode.InvalidArgument, () => fixture.Controller.ListVolumes(new ListVolumesRequest { MaxEntries = -1 }));
    }

    [RootFact]
    public void AVolumeInUseIsPublishedOnThisNodeAndAnIdleOneNowhere()
    {
        var used = fixture.CreateVolume(fixture.Unique("pvc-published"), 16 * MiB);
        var idle = fixture.CreateVolume(fixture.Unique("pvc-idle"), 16 * MiB);
        var (staging, target) = fixture.StageAndPublish(used.VolumeId);
        try
        {
            var entries = fixture.Controller.ListVolumes(new ListVolumesRequest()).Entries.ToDictionary(entry => entry.Volume.VolumeId);
            Assert.Equal([DaemonFixture.NodeId], entries[used.VolumeId].Status.PublishedNodeIds);
            Assert.Empty(entries[idle.VolumeId].Status.PublishedNodeIds);
            Assert.Equal(16 * MiB, entries[idle.VolumeId].Volume.CapacityBytes);
        }
        finally
        {
            fixture.UnpublishAndUnstage(used.VolumeId, staging, target);
        }

        var after = fixture.Controller.ListVolumes(new ListVolumesRequest()).Entries.Single(entry => entry.Volume.VolumeId == used.VolumeId);
        Assert.Empty(after.Status.PublishedNodeIds);
        Delete([used.VolumeId, idle.VolumeId]);
    }

    [RootFact]
    public void ASubvolumeMadeWithTheCommandLineIsNotListed()
    {
        var name = fixture.Unique("pvc-handmade");
        using (var pool = Pool.Open(fixture.PoolPath))
        {
            pool.CreateSubvolume(name, 16 * MiB, FileSystemKind.Ext4, Provisioning.Thin);
        }

        var ours = fixture.CreateVolume(fixture.Unique("pvc-ours"), 16 * MiB);
        var listed = fixture.Controller.ListVolumes(new ListVolumesRequest()).Entries.Select(entry => entry.Volume.VolumeId).ToList();
        Assert.Contains(ours.VolumeId, listed);
        Assert.DoesNotContain(name, listed);

        Delete([ours.VolumeId]);
        using (var pool = Pool.Open(fixture.PoolPath))
        {
            pool.DeleteSubvolume(name, recursive: false);
        }
    }

    private void Delete(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = id });
        }
    }
}
