using System.IO.Pipelines;
using Subvol.Errors;
using Subvol.Names;

namespace Subvol.Replication;

/// <summary>A pool on this machine: the stream goes through an in-memory pipe, sender and receiver side by side.</summary>
internal sealed class LocalDestination(DestinationAddress address, Pool pool) : IReplicationDestination
{
    public string Address => address.ToString();

    // FindSnapshots, not ListSnapshots: replication needs no usage figures, which would read every extent map.
    public IReadOnlyList<DestinationSnapshot>? Snapshots(string subvolume) =>
        pool.FindSubvolume(subvolume) is null
            ? null
            : pool.FindSnapshots(subvolume)
                .Select(snapshot => new DestinationSnapshot(snapshot.Name, snapshot.Guid, snapshot.Created) { BaseFor = snapshot.BaseFor, MountPoint = snapshot.MountPoint })
                .ToList();

    public void Destroy(string subvolume, IReadOnlyList<string> snapshots)
    {
        if (snapshots.Count > 0 && pool.FindSubvolume(subvolume) is not null)
        {
            pool.DestroySnapshots(subvolume, snapshots);
        }
    }

    public void Destroy(IReadOnlyList<SnapshotReference> snapshots)
    {
        foreach (var group in snapshots.GroupBy(snapshot => snapshot.Subvolume, StringComparer.Ordinal))
        {
            Destroy(group.Key, group.Select(snapshot => snapshot.Snapshot).ToList());
        }
    }

    public string? ResumeToken(string subvolume)
    {
        try
        {
            return pool.ResumeTokenFor(subvolume);
        }
        catch (SubvolException exception) when (exception.Code == SubvolErrorCode.NotFound)
        {
            return null;
        }
    }

    public void AbortReceive(string subvolume) => pool.AbortReceive(subvolume);

    public void Receive(string subvolume, bool force, Action<System.IO.Stream> send, CancellationToken cancellation)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20));
        var sending = Task.Run(() =>
        {
            using var writer = pipe.Writer.AsStream();
            try
            {
                send(writer);
            }
            catch (Exception exception)
            {
                pipe.Writer.Complete(exception);
                throw;
            }
        });

        using (var reader = pipe.Reader.AsStream())
        {
            try
            {
                pool.Receive(subvolume, reader, force: force, cancellation: cancellation);
            }
            catch
            {
                // The sender must not wait forever on a pipe nobody reads.
                pipe.Reader.Complete(new IOException("the receiver stopped"));
                ObserveQuietly(sending);
                throw;
            }
        }

        sending.GetAwaiter().GetResult();
    }

    public void Dispose() => pool.Dispose();

    private static void ObserveQuietly(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The receiver's error is the one worth reporting.
        }
    }
}
