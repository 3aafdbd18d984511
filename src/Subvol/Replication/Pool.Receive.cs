using System.Globalization;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Replication;
using Subvol.Safety;
using Subvol.Snapshots;
using Subvol.Space;
using Subvol.Stream;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>
    /// Reads a stream into incoming/ (cloned from its base for an incremental stream), syncs it,
    /// and only after the whole stream verified publishes it as NAME@SNAP; then the subvolume
    /// itself moves to that snapshot, as a dataset does under zfs receive. A failed or killed
    /// receive never changes an existing snapshot; it leaves a partial receive to resume or abort.
    /// Writes made to the subvolume since its last snapshot are never discarded unless
    /// <paramref name="force"/> says so.
    /// </summary>
    public ReceiveResult Receive(string subvolume, System.IO.Stream input, IProgress<ReplicationProgress>? progress = null, bool force = false)
    {
        NameRules.Validate(subvolume, "subvolume");
        using var writeLock = AcquireWriteLock();
        using var reader = new ReplicationStreamReader(input);
        StreamHeader header;
        try
        {
            header = reader.ReadHeader();
        }
        catch (StreamFormatException exception)
        {
            throw StreamError(exception);
        }

        NameRules.Validate(header.SnapshotName, "snapshot");
        FileSystemKind.Validate(header.FileSystemType);
        var existing = _database.FindSubvolume(subvolume);
        if (_database.FindSnapshot(header.TargetGuid) is { } already)
        {
            throw SubvolException.AlreadyExists($"this pool already holds that snapshot, as {already.SubvolumeName}@{already.Name}");
        }

        if (existing is not null && _database.FindSnapshot(subvolume, header.SnapshotName) is not null)
        {
            throw SubvolException.AlreadyExists($"{subvolume}@{header.SnapshotName} already exists with another GUID; rename or destroy it first");
        }

        SnapshotRecord? baseline = null;
        if (header.BaseGuid is { } baseGuid)
        {
            baseline = _database.FindSnapshot(baseGuid);
            if (baseline is null || existing is null || baseline.SubvolumeId != existing.Id)
            {
                var held = existing is null ? [] : _database.ListSnapshots(subvolume);
                throw new SubvolException(SubvolErrorCode.StreamMismatch,
                    $"this incremental stream needs base snapshot {baseGuid} in {Printable.Quote(subvolume)}, which this pool does not have; " +
                    (held.Count == 0
                        ? $"{Printable.Quote(subvolume)} has no snapshots here, so send a full stream first"
                        : $"it has {string.Join(", ", held.Select(s => $"{s.Name} ({s.Guid})"))}; send --from one of those"));
            }
        }
        else if (existing is not null)
        {
            throw SubvolException.AlreadyExists(
                $"subvolume {Printable.Quote(subvolume)} already exists here; a full stream makes a new subvolume, so receive it under another name or send an incremental stream");
        }

        if (existing is not null)
        {
            RefuseToDiscardWrites(existing, force);
        }

        var kept = $"; the partial receive is kept: 'subvol receive --resume-token {subvolume}' prints a token to resume, 'subvol receive --abort {subvolume}' discards it";

        // Received subvolumes are admitted as create admits them: the header's size now, every size change before it is applied.
        // A resumed stream is admitted again, since the pool may have promised its space to others in the meantime.
        AdmitReceivedSize(subvolume, existing, header.ImageSize, header.IsResumed ? kept : "");

        var incoming = _layout.IncomingDirectory;
        var partialImage = PartialReceive.ImagePath(incoming, subvolume);
        var state = PrepareReceive(subvolume, header, baseline, partialImage);
        var promised = ReservedBytes() + Slop(FileSystemStatistics.Get(_layout.Root).TotalBytes);
        var sink = new ReceiveSink(_files.OpenFile(partialImage, FileAccess.ReadWrite), partialImage, header.ImageSize, offset => (state = state with { ConfirmedOffset = offset }).Save(_files, incoming), progress,
            spaceCheck: () => StopIfEatingReservations(promised, subvolume),
            admitSize: newSize => AdmitReceivedSize(subvolume, existing, newSize, suffix: ""));
        try
        {
            reader.ReadRecords(sink);
        }
        catch (Exception exception) when (exception is StreamFormatException or IOException or SubvolException)
        {
            // Everything applied so far passed its checksum: keep it, so the transfer can resume from here.
            try
            {
                sink.Checkpoint();
            }
            catch (IOException)
            {
                // A full host can fail this sync too; then the previous checkpoint is where a resume starts.
            }

            sink.Dispose();
            throw exception switch
            {
                StreamFormatException format => StreamError(format, kept),
                SubvolException { Code: SubvolErrorCode.NoSpace } space => SubvolException.NoSpace(space.Message + kept, space),
                // Both .NET's write errors and the Linux layer's SystemCallException carry the errno as HResult.
                IOException io when io.HResult == Errno.ENOSPC => SubvolException.NoSpace(
                    $"receiving into {Printable.Quote(subvolume)} stopped: the filesystem of pool {Path} is full ({io.Message}); free space there, then resume{kept}", io),
                _ => exception,
            };
        }
        finally
        {
            sink.Dispose();
        }

        var summary = sink.Summary!;
        PausePoint.Reach("receive-synced");
        // The image's size is the last size change's, not necessarily the header's; the metadata follows the image.
        var info = PublishReceived(subvolume, header, existing, partialImage, sink.Size);
        return new ReceiveResult(info, existing is null, summary.DataBytes, header.ResumeOffset > 0);
    }

    /// <summary>The token that asks the sender for the rest of an interrupted receive.</summary>
    public string ResumeTokenFor(string subvolume)
    {
        NameRules.Validate(subvolume, "subvolume");
        var state = PartialReceive.Load(_files, _layout.IncomingDirectory, subvolume)
            ?? throw SubvolException.NotFound($"there is no interrupted receive into {Printable.Quote(subvolume)} in pool {Path}");
        // A receive interrupted by an older subvol may have recorded progress beyond the header's size; a resumed
        // stream can start no later than that size (docs/stream-format.md, "the resume rule"), so it starts there.
        return new ResumeToken(state.TargetGuid, state.BaseGuid, Math.Min(state.ConfirmedOffset, state.ImageSize), state.ImageSize).Encode();
    }

    public Outcome AbortReceive(string subvolume)
    {
        NameRules.Validate(subvolume, "subvolume");
        using var writeLock = AcquireWriteLock();
        var incoming = _layout.IncomingDirectory;
        if (!_files.Exists(PartialReceive.ImagePath(incoming, subvolume)) && !_files.Exists(PartialReceive.StatePath(incoming, subvolume)))
        {
            return Outcome.AlreadyGone;
        }

        PartialReceive.Discard(_files, incoming, subvolume);
        return Outcome.Deleted;
    }

    public IReadOnlyList<PartialReceiveInfo> ListPartialReceives() =>
        PartialReceive.Subvolumes(_files, _layout.IncomingDirectory)
            .Select(name => PartialReceive.Load(_files, _layout.IncomingDirectory, name))
            .OfType<PartialReceive>()
            .Select(state => new PartialReceiveInfo(state.Subvolume, state.Snapshot, state.TargetGuid, state.BaseGuid, state.ImageSize, state.ConfirmedOffset))
            .ToList();

    private PartialReceive PrepareReceive(string subvolume, StreamHeader header, SnapshotRecord? baseline, string partialImage)
    {
        var incoming = _layout.IncomingDirectory;
        var previous = PartialReceive.Load(_files, incoming, subvolume);
        if (header.ResumeOffset > 0)
        {
            if (previous is null || previous.TargetGuid != header.TargetGuid || previous.BaseGuid != header.BaseGuid || previous.ImageSize != header.ImageSize)
            {
                throw new SubvolException(SubvolErrorCode.StreamMismatch,
                    $"this stream resumes a receive of {header.SubvolumeName}@{header.SnapshotName} that pool {Path} does not have in progress for {Printable.Quote(subvolume)}; send a fresh stream");
            }

            if (header.ResumeOffset > previous.ConfirmedOffset)
            {
                throw new SubvolException(SubvolErrorCode.StreamMismatch,
                    $"this stream resumes at byte {header.ResumeOffset}, but only {previous.ConfirmedOffset} bytes are safely received; ask for a fresh token with 'subvol receive --resume-token {subvolume}'");
            }

            // A planted symlink must not redirect our writes outside the pool; ReceiveSink opens beneath the root too.
            if (_files.Status(partialImage).Kind != Linux.EntryKind.File)
            {
                throw Pools.PoolFiles.Refusal(new ConfinementException(partialImage, "is not a regular file"));
            }

            return previous;
        }

        if (previous is not null && previous.TargetGuid != header.TargetGuid && _database.FindSnapshot(previous.TargetGuid) is null)
        {
            throw SubvolException.Busy(
                $"a receive of {subvolume}@{previous.Snapshot} into this pool was interrupted; resume it ('subvol receive --resume-token {subvolume}') or discard it ('subvol receive --abort {subvolume}') first");
        }

        PartialReceive.Discard(_files, incoming, subvolume);
        _files.CreateDirectory(incoming);
        try
        {
            if (baseline is null)
            {
                using var file = _files.CreateFile(partialImage);
                RandomAccess.SetLength(file, header.ImageSize);
            }
            else
            {
                // Cloning the base makes every unchanged range share its extents: a 1% change costs about 1% of new space.
                _files.Clone(_layout.SnapshotImage(baseline.SubvolumeName, baseline.Name), partialImage);
            }
        }
        catch (SystemCallException exception)
        {
            _files.Delete(partialImage);
            throw Translate(exception, $"cannot receive into {Printable.Quote(subvolume)}");
        }

        var state = new PartialReceive(subvolume, header.SnapshotName, header.TargetGuid, header.BaseGuid, header.ImageSize, 0, header.FileSystemType, header.CreatedAt);
        state.Save(_files, incoming);
        return state;
    }

    private SnapshotInfo PublishReceived(string subvolume, StreamHeader header, SubvolumeRecord? existing, string partialImage, long size)
    {
        var snapshotImage = _layout.SnapshotImage(subvolume, header.SnapshotName);
        DateTime? writeStamp = null;
        var subvolumeGuid = existing?.Guid ?? Guid.NewGuid();
        var created = DateTimeOffset.UtcNow;
        if (existing is null)
        {
            // A full stream brings its subvolume along: a reflink clone of the received snapshot costs no space.
            // It keeps the source's filesystem UUID, as every later receive will; Subvol mounts it with nouuid.
            var subvolumePartial = _layout.PartialImage(Guid.NewGuid());
            _files.Clone(partialImage, subvolumePartial);
            writeStamp = WriteStamp.Apply(_files, subvolumePartial);
            ImageIdentity.Write(_files, subvolumePartial, new ImageIdentity(
                subvolumeGuid, ImageKind.Subvolume, header.TargetGuid, created, Provisioning.Thin, size, header.FileSystemType) { WriteStamp = writeStamp });
            Publish(subvolumePartial, _layout.SubvolumeImage(subvolume));
        }

        _files.CreateDirectory(_layout.SnapshotDirectory(subvolume));
        ImageIdentity.Write(_files, partialImage, new ImageIdentity(
            header.TargetGuid, ImageKind.Snapshot, subvolumeGuid, header.CreatedAt, existing?.Provisioning ?? Provisioning.Thin, size, header.FileSystemType));
        Publish(partialImage, snapshotImage);
        SnapshotRecord record;
        using (var transaction = _database.BeginTransaction())
        {
            // A received subvolume is a replica: thin, so that a backup pool holds only what was sent.
            var owner = existing ?? _database.InsertSubvolume(
                subvolume, subvolumeGuid, size, header.FileSystemType, header.TargetGuid, Provisioning.Thin, writeStamp, created: created);
            record = _database.InsertSnapshot(owner, header.SnapshotName, header.TargetGuid, size, header.FileSystemType, header.CreatedAt);
            transaction.Commit();
        }

        MakeImmutable(snapshotImage);
        // The snapshot is published, so nothing is left to resume.
        PartialReceive.Discard(_files, _layout.IncomingDirectory, subvolume);
        if (existing is not null)
        {
            // The subvolume follows the stream. Until this is done it still holds its previous snapshot, unwritten, so a crash here loses nothing.
            PausePoint.Reach("receive-published");
            var moved = ReplaceImage(existing, record, $"received {subvolume}@{header.SnapshotName}, but cannot move {Printable.Quote(subvolume)} to it");
            using var transaction = _database.BeginTransaction();
            _database.UpdateSubvolumeSize(existing.Id, size);
            _database.UpdateWriteStamp(existing.Id, moved);
            transaction.Commit();
        }

        return Describe(record);
    }

    /// <summary>
    /// Moving the subvolume to the received snapshot must not throw away what was written to it since
    /// it last matched a snapshot, nor pull an image from under a mount or a block device.
    /// </summary>
    private void RefuseToDiscardWrites(SubvolumeRecord subvolume, bool force)
    {
        var image = _layout.SubvolumeImage(subvolume.Name);
        RefuseIfMounted(image, $"subvolume {Printable.Quote(subvolume.Name)}, which a receive moves to the received snapshot,", $"subvol umount {subvolume.Name}");
        RefuseIfAttached(image, subvolume.Name);
        if (!force && WriteStamp.WrittenSince(_files, image, subvolume.WriteStamp))
        {
            var last = _database.ListSnapshots(subvolume.Name)[^1];
            throw SubvolException.Busy(
                $"subvolume {Printable.Quote(subvolume.Name)} was written or mounted read-write since its last snapshot {subvolume.Name}@{last.Name}; a receive moves it to the received snapshot and would discard those writes. " +
                $"Keep them with 'subvol snapshot {subvolume.Name}' first, or use --force to discard them");
        }
    }

    /// <summary>
    /// Admits a received image of <paramref name="newSize"/> bytes as create admits a subvolume: a thin one (as every
    /// received subvolume is made) by the overcommit ratio, a guaranteed one by the space it must reserve. Only growth
    /// beyond the recorded size asks for more. A size no ratio could admit is refused as such, before anything is applied.
    /// </summary>
    private void AdmitReceivedSize(string subvolume, SubvolumeRecord? existing, long newSize, string suffix)
    {
        var recorded = existing?.Size ?? 0;
        var growth = newSize - recorded;
        if (growth <= 0)
        {
            return;
        }

        var poolSize = FileSystemStatistics.Get(_layout.Root).TotalBytes;
        if (growth > poolSize * SpaceAdmission.MaximumOvercommit)
        {
            throw SubvolException.NoSpace(
                $"the stream would make {Printable.Quote(subvolume)} {ByteSize.Format(newSize)}, more than pool {Path} of {ByteSize.Format(poolSize)} could promise " +
                $"even at the largest overcommit ratio ({SpaceAdmission.MaximumOvercommit.ToString(CultureInfo.InvariantCulture)}); nothing of that size was applied, " +
                "and the stream cannot be received here",
                new Remedy.AbortReceive(Path, subvolume));
        }

        var what = existing is null
            ? $"receiving the new subvolume {Printable.Quote(subvolume)} of {ByteSize.Format(newSize)}"
            : $"receiving {Printable.Quote(subvolume)}, which the stream grows from {ByteSize.Format(recorded)} to {ByteSize.Format(newSize)},";
        try
        {
            Admit(existing?.Provisioning ?? Provisioning.Thin, growth, what,
                thinRemedy: new Remedy.AnyOf([new Remedy.RaiseOvercommit(Path), new Remedy.Advice("received subvolumes are thin: delete what this pool no longer needs, then receive again")]));
        }
        catch (SubvolException exception) when (suffix.Length > 0)
        {
            throw SubvolException.NoSpace(exception.Message + suffix, exception.Remedy, exception);
        }
    }

    private void StopIfEatingReservations(long promised, string subvolume)
    {
        var available = FileSystemStatistics.Get(_layout.Root).AvailableBytes;
        if (available < promised)
        {
            throw SubvolException.NoSpace(
                $"receiving into {Printable.Quote(subvolume)} stopped: pool {Path} has {ByteSize.Format(available)} free, and {ByteSize.Format(promised)} is promised to guaranteed subvolumes and repairs");
        }
    }

    private static SubvolException StreamError(StreamFormatException exception, string suffix = "")
    {
        var code = exception.Error == StreamFormatError.UnsupportedVersion ? SubvolErrorCode.NotSupported : SubvolErrorCode.StreamCorrupt;
        return new SubvolException(code, $"the stream was refused: {exception.Message}{suffix}", exception);
    }
}
