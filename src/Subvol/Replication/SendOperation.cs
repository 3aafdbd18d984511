using Microsoft.Win32.SafeHandles;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Stream;

namespace Subvol.Replication;

/// <summary>
/// Writes a stream of a snapshot: all its data for a full stream, or, from a base, only the ranges
/// whose physical extents differ, with holes as holes; or the rest of one from a receiver's token.
/// Sending takes no lock: snapshot images never change, and an open image survives a concurrent destroy.
/// </summary>
internal sealed class SendOperation(PoolSession session)
{
    private const int ReadChunk = 1 << 20;

    public SendResult Send(SnapshotReference target, SnapshotReference? from, System.IO.Stream output, StreamCompression compression, IProgress<ReplicationProgress>? progress, CancellationToken cancellation = default)
    {
        var snapshot = session.RequireSnapshot(target);
        SnapshotRecord? baseline = null;
        if (from is { } fromReference)
        {
            if (fromReference.Subvolume != target.Subvolume)
            {
                throw SubvolException.Invalid($"the base {fromReference} must be an earlier snapshot of {Printable.Quote(target.Subvolume)}");
            }

            baseline = session.RequireSnapshot(fromReference);
            if (baseline.Id >= snapshot.Id)
            {
                throw SubvolException.Invalid($"the base {fromReference} is not older than {target}", new Remedy.SendFromEarlierSnapshot([]));
            }
        }

        return Send(snapshot, baseline, resumeOffset: 0, output, compression, progress, cancellation);
    }

    /// <summary>
    /// Continues a send from a receiver's token. The token only names a snapshot of this pool and
    /// an offset, so it can ask for the rest of that snapshot and nothing else.
    /// </summary>
    public SendResult Resume(string token, System.IO.Stream output, StreamCompression compression, IProgress<ReplicationProgress>? progress, CancellationToken cancellation = default)
    {
        if (!ResumeToken.TryDecode(token, out var decoded, out var error) || decoded is null)
        {
            throw SubvolException.Invalid($"invalid resume token: {error}", new Remedy.PrintResumeToken(null, null));
        }

        var snapshot = session.Database.FindSnapshot(decoded.TargetGuid)
            ?? throw SubvolException.NotFound($"this pool has no snapshot {decoded.TargetGuid}, which the resume token names");
        SnapshotRecord? baseline = null;
        if (decoded.BaseGuid is { } baseGuid)
        {
            baseline = session.Database.FindSnapshot(baseGuid)
                ?? throw SubvolException.NotFound($"this pool has no snapshot {baseGuid}, the base the resume token names");
            if (baseline.SubvolumeId != snapshot.SubvolumeId || baseline.Id >= snapshot.Id)
            {
                throw SubvolException.Invalid("the resume token pairs snapshots that are not an earlier base and its successor; refusing it");
            }
        }

        if (decoded.ImageSize != snapshot.Size || decoded.Offset < 0 || decoded.Offset > snapshot.Size)
        {
            throw SubvolException.Invalid($"the resume token's size or offset does not match snapshot {snapshot.SubvolumeName}@{snapshot.Name}; refusing it");
        }

        return Send(snapshot, baseline, decoded.Offset, output, compression, progress, cancellation);
    }

    /// <summary>Writes the stream of <paramref name="snapshot"/> from <paramref name="baseline"/> (null for a full stream), from <paramref name="resumeOffset"/> on.</summary>
    /// <remarks>A cancelled <paramref name="cancellation"/> stops the stream between two records, before its end record, so that no reader takes it for whole.</remarks>
    public SendResult Send(SnapshotRecord snapshot, SnapshotRecord? baseline, long resumeOffset, System.IO.Stream output, StreamCompression compression, IProgress<ReplicationProgress>? progress, CancellationToken cancellation = default)
    {
        var layout = session.Layout;
        var files = session.Files;
        var image = layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name);
        using var handle = files.OpenFile(image, FileAccess.Read);
        // An encrypted snapshot's blocks go as they are, ciphertext, with its wrapped key: the receiver needs no key to store it.
        var header = new StreamHeader(
            snapshot.WrappedKey is null ? StreamHeader.CurrentVersion : StreamHeader.EncryptedVersion,
            snapshot.Size,
            4096,
            snapshot.Guid,
            baseline?.Guid,
            snapshot.FileSystem,
            snapshot.SubvolumeName,
            snapshot.Name,
            snapshot.Created,
            resumeOffset,
            compression)
        {
            WrappedKey = snapshot.WrappedKey,
        };
        using var writer = new ReplicationStreamWriter(output, header);
        // The header goes out before the extent maps are read, so that the receiver prepares its image meanwhile.
        writer.Flush();
        // One map after the other: FIEMAP looks up whether each extent is shared, and the two images share theirs, so
        // two threads reading at once contended in the filesystem and took longer than one reading both.
        var targetMap = files.ReadExtents(image);
        var baseMap = baseline is null ? null : files.ReadExtents(layout.SnapshotImage(baseline.SubvolumeName, baseline.Name));
        var changes = ExtentDiff.Compute(baseMap, targetMap, snapshot.Size);
        // The data still to send: what lies past the resume offset.
        var toRead = changes
            .Where(range => !range.IsHole && range.End > resumeOffset)
            .Select(range => range.Offset >= resumeOffset ? range : new ChangedRange(resumeOffset, range.End - resumeOffset, IsHole: false))
            .ToList();
        var total = toRead.Sum(range => range.Length);
        long dataBytes = 0, holeBytes = 0;
        using var readahead = new Readahead(handle, image, toRead);
        foreach (var range in changes)
        {
            var start = Math.Max(range.Offset, resumeOffset);
            if (start >= range.End)
            {
                continue;
            }

            if (range.IsHole)
            {
                writer.WriteHole(start, range.End - start);
                holeBytes += range.End - start;
                continue;
            }

            for (var offset = start; offset < range.End;)
            {
                if (cancellation.IsCancellationRequested)
                {
                    throw new SubvolException(SubvolErrorCode.Interrupted,
                        $"sending {snapshot.SubvolumeName}@{snapshot.Name} was interrupted after {ByteSize.Format(dataBytes)} of {ByteSize.Format(total)} of data; the stream stops before its end, so no receiver takes it for whole");
                }

                var length = (int)Math.Min(ReadChunk, range.End - offset);
                readahead.Reading(length);
                // Read straight into the record, where the stream's bytes go out from.
                var at = offset;
                writer.WriteData(offset, length, data => ReadExactly(handle, data, at, image));
                offset += length;
                dataBytes += length;
                progress?.Report(new ReplicationProgress(dataBytes, total));
                if (dataBytes == length)
                {
                    PausePoint.Reach("send-sending", cancellation);
                }
            }
        }

        // Finish flushes the output after the end record.
        var summary = writer.Finish();
        return new SendResult(dataBytes, holeBytes, writer.BytesWritten, summary.DigestHex);
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (read == 0)
            {
                throw new IOException($"{path} ended at {offset + done} while its extent map said there was data; was the image changed?");
            }

            done += read;
        }
    }
}
