using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Subvol.Encryption;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Snapshots;
using Subvol.Space;
using Subvol.Stream;
using Subvol.Subvolumes;

namespace Subvol.Replication;

/// <summary>
/// Receives streams into a pool: admits the sizes they bring, keeps an interrupted receive in
/// incoming/ to resume or abort, and publishes a verified stream as a snapshot that the subvolume
/// then moves to. A snapshot's description and the move of a subvolume to a snapshot belong to the
/// snapshots, so they come in as <paramref name="describe"/> and <paramref name="replaceImage"/>.
/// </summary>
/// <param name="replaceImage">
/// Replaces a subvolume's image by the snapshot (by the unnamed image given, which holds exactly the snapshot's data, or
/// else by a clone) and returns the write stamp it carries; the string says what failed if it fails.
/// </param>
internal sealed class ReceiveOperation(
    PoolSession session,
    SpaceAdmission space,
    Func<SnapshotRecord, SnapshotInfo> describe,
    Func<SubvolumeRecord, SnapshotRecord, SafeFileHandle?, string, DateTime> replaceImage)
{
    private PoolLayout Layout => session.Layout;

    private PoolDatabase Database => session.Database;

    private PoolFiles Files => session.Files;

    private string Path => session.Path;

    /// <summary>
    /// Reads a stream into incoming/ (cloned from its base for an incremental stream), syncs it,
    /// and only after the whole stream verified publishes it as NAME@SNAP; then the subvolume
    /// itself moves to that snapshot, as a dataset does under zfs receive. A failed or killed
    /// receive never changes an existing snapshot; it leaves a partial receive to resume or abort.
    /// Writes made to the subvolume since its last snapshot are never discarded unless
    /// <paramref name="force"/> says so.
    /// </summary>
    /// <remarks>A cancelled <paramref name="cancellation"/> stops the receive after the record being applied, keeping what verified to resume from.</remarks>
    public ReceiveResult Receive(string subvolume, System.IO.Stream input, IProgress<ReplicationProgress>? progress, bool force, CancellationToken cancellation = default)
    {
        NameRules.Validate(subvolume, "subvolume");
        using var writeLock = session.AcquireWriteLock();
        var existing = Database.FindSubvolume(subvolume);
        // Whether the subvolume is in use is asked of the kernel while the sender's header is on its way; the answer is
        // taken where it always was, so a stream that is refused is refused for what is wrong with it first.
        var inUse = existing is null ? Task.CompletedTask : Task.Run(() => RefuseIfInUse(existing));
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
        catch (Exception) when (EncryptedStreamRefusal.FailureOf(input) is { } failure)
        {
            throw EncryptedStreamRefusal.Of(failure);
        }

        NameRules.Validate(header.SnapshotName, "snapshot");
        FileSystemKind.Validate(header.FileSystemType);
        ReceivedKey.Check(header, existing, subvolume);
        if (Database.FindSnapshot(header.TargetGuid) is { } already)
        {
            throw SubvolException.AlreadyExists($"this pool already holds that snapshot, as {already.SubvolumeName}@{already.Name}");
        }

        if (existing is not null && Database.FindSnapshot(subvolume, header.SnapshotName) is not null)
        {
            throw SubvolException.AlreadyExists($"{subvolume}@{header.SnapshotName} already exists with another GUID; rename or destroy it first");
        }

        SnapshotRecord? baseline = null;
        if (header.BaseGuid is { } baseGuid)
        {
            baseline = Database.FindSnapshot(baseGuid);
            if (baseline is null || existing is null || baseline.SubvolumeId != existing.Id)
            {
                var held = existing is null ? [] : Database.ListSnapshots(subvolume);
                var needed = $"this incremental stream needs base snapshot {baseGuid} in {Printable.Quote(subvolume)}, which this pool does not have; ";
                throw held.Count == 0
                    ? new SubvolException(SubvolErrorCode.StreamMismatch, needed + $"{Printable.Quote(subvolume)} has no snapshots here", new Remedy.Advice("send a full stream first"))
                    : new SubvolException(SubvolErrorCode.StreamMismatch, needed + $"it has {string.Join(", ", held.Select(s => $"{s.Name} ({s.Guid})"))}",
                        new Remedy.SendFromEarlierSnapshot(held.Select(s => s.Name).ToList()));
            }
        }
        else if (existing is not null)
        {
            throw SubvolException.AlreadyExists(
                $"subvolume {Printable.Quote(subvolume)} already exists here; a full stream makes a new subvolume, so receive it under another name or send an incremental stream");
        }

        if (existing is not null)
        {
            inUse.GetAwaiter().GetResult();
            RefuseToDiscardWrites(existing, force);
        }

        const string kept = "; the partial receive is kept";
        var keptRemedy = new Remedy.AnyOf([new Remedy.PrintResumeToken(Path, subvolume), new Remedy.AbortReceive(Path, subvolume)]);

        // Received subvolumes are admitted as create admits them: the header's size now, every size change before it is applied.
        // A resumed stream is admitted again, since the pool may have promised its space to others in the meantime.
        try
        {
            AdmitReceivedSize(subvolume, existing, header.ImageSize);
        }
        catch (SubvolException exception) when (header.IsResumed)
        {
            throw SubvolException.NoSpace(exception.Message + kept, Either(exception.Remedy, keptRemedy), exception);
        }

        var incoming = Layout.IncomingDirectory;
        var partialImage = PartialReceive.ImagePath(incoming, subvolume);
        var state = PrepareReceive(subvolume, header, baseline, partialImage);
        var pool = FileSystemStatistics.Get(Layout.Root);
        var promised = space.ReservedBytes() + SpaceAdmission.Slop(pool.TotalBytes);
        using var next = existing is not null ? NextImage.Open(Files, incoming, partialImage) : null;
        var sink = new ReceiveSink(Files.OpenFile(partialImage, FileAccess.ReadWrite), partialImage, pool.BlockSize, header.ImageSize, offset => (state = state with { ConfirmedOffset = offset }).Save(Files, incoming), progress,
            spaceCheck: () => StopIfEatingReservations(promised, subvolume),
            admitSize: newSize => AdmitReceivedSize(subvolume, existing, newSize),
            next: next,
            cancellation: cancellation);
        try
        {
            reader.ReadRecords(sink);
        }
        catch (Exception) when (EncryptedStreamRefusal.FailureOf(input) is { } failure)
        {
            // An age stream that fails authentication leaves nothing of itself behind, unless it resumed an interrupted
            // receive, whose part verified before this stream stays to resume from.
            if (header.IsResumed)
            {
                KeepForResume(sink);
                throw EncryptedStreamRefusal.Of(failure, EncryptedStreamRefusal.Outcome.EarlierPartKept);
            }

            sink.Dispose();
            PartialReceive.Discard(Files, incoming, subvolume);
            throw EncryptedStreamRefusal.Of(failure);
        }
        catch (Exception exception) when (exception is OperationCanceledException || (cancellation.IsCancellationRequested && exception is StreamFormatException))
        {
            // Stopped by a signal, or by the end of a sender that the same signal stopped: what verified stays to resume from.
            KeepForResume(sink);
            throw new SubvolException(SubvolErrorCode.Interrupted, $"receiving into {Printable.Quote(subvolume)} was interrupted{kept}", keptRemedy, exception);
        }
        catch (Exception exception) when (exception is StreamFormatException or IOException or SubvolException)
        {
            KeepForResume(sink);
            throw exception switch
            {
                StreamFormatException format => StreamError(format, kept, keptRemedy),
                SubvolException { Code: SubvolErrorCode.NoSpace } full => SubvolException.NoSpace(full.Message + kept, Either(full.Remedy, keptRemedy), full),
                // Both .NET's write errors and the Linux layer's SystemCallException carry the errno as HResult.
                IOException io when io.HResult == Errno.ENOSPC => SubvolException.NoSpace(
                    $"receiving into {Printable.Quote(subvolume)} stopped: the filesystem of pool {Path} is full ({io.Message}); free space there, then resume{kept}", keptRemedy, io),
                _ => exception,
            };
        }
        finally
        {
            sink.Dispose();
        }

        var summary = sink.Summary!;
        var nextImage = MadeExactly(next, sink.Size);
        PausePoint.Reach("receive-synced");
        // The image's size is the last size change's, not necessarily the header's; the metadata follows the image.
        var info = PublishReceived(subvolume, header, existing, partialImage, sink.Size, nextImage);
        return new ReceiveResult(info, existing is null, summary.DataBytes, header.ResumeOffset > 0);
    }

    /// <summary>Everything applied so far passed its checksum: it is kept, so the transfer can resume from here.</summary>
    private static void KeepForResume(ReceiveSink sink)
    {
        try
        {
            sink.Checkpoint();
        }
        catch (IOException)
        {
            // A full host can fail this sync too; then the previous checkpoint is where a resume starts.
        }

        sink.Dispose();
    }

    /// <summary>The token that asks the sender for the rest of an interrupted receive.</summary>
    public string ResumeTokenFor(string subvolume)
    {
        NameRules.Validate(subvolume, "subvolume");
        var incoming = Layout.IncomingDirectory;
        var state = PartialReceive.Load(Files, incoming, subvolume);
        if (state is null)
        {
            // A state file that no longer reads (damaged, or written by hand) is not the same as no receive at all: it is left to abort.
            throw Files.Exists(PartialReceive.StatePath(incoming, subvolume)) || Files.Exists(PartialReceive.ImagePath(incoming, subvolume))
                ? new SubvolException(SubvolErrorCode.Inconsistent,
                    $"the interrupted receive into {Printable.Quote(subvolume)} in pool {Path} left state that does not read, so no resume token can be made from it; " +
                    "discard it and send the stream again",
                    new Remedy.AbortReceive(Path, subvolume))
                : SubvolException.NotFound($"there is no interrupted receive into {Printable.Quote(subvolume)} in pool {Path}");
        }

        // A receive interrupted by an older subvol may have recorded progress beyond the header's size; a resumed
        // stream can start no later than that size (docs/stream-format.md, "the resume rule"), so it starts there.
        return new ResumeToken(state.TargetGuid, state.BaseGuid, Math.Min(state.ConfirmedOffset, state.ImageSize), state.ImageSize).Encode();
    }

    public Outcome Abort(string subvolume)
    {
        NameRules.Validate(subvolume, "subvolume");
        using var writeLock = session.AcquireWriteLock();
        var incoming = Layout.IncomingDirectory;
        if (!Files.Exists(PartialReceive.ImagePath(incoming, subvolume)) && !Files.Exists(PartialReceive.StatePath(incoming, subvolume)))
        {
            return Outcome.AlreadyGone;
        }

        PartialReceive.Discard(Files, incoming, subvolume);
        return Outcome.Deleted;
    }

    public IReadOnlyList<PartialReceiveInfo> ListPartial() =>
        PartialReceive.Subvolumes(Files, Layout.IncomingDirectory)
            .Select(name => PartialReceive.Load(Files, Layout.IncomingDirectory, name))
            .OfType<PartialReceive>()
            .Select(state => new PartialReceiveInfo(state.Subvolume, state.Snapshot, state.TargetGuid, state.BaseGuid, state.ImageSize, state.ConfirmedOffset))
            .ToList();

    private PartialReceive PrepareReceive(string subvolume, StreamHeader header, SnapshotRecord? baseline, string partialImage)
    {
        var incoming = Layout.IncomingDirectory;
        var previous = PartialReceive.Load(Files, incoming, subvolume);
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
                    $"this stream resumes at byte {header.ResumeOffset}, but only {previous.ConfirmedOffset} bytes are safely received",
                    new Remedy.PrintResumeToken(Path, subvolume));
            }

            // A planted symlink must not redirect our writes outside the pool; ReceiveSink opens beneath the root too.
            if (Files.Status(partialImage).Kind != EntryKind.File)
            {
                throw PoolFiles.Refusal(new ConfinementException(partialImage, "is not a regular file"));
            }

            return previous;
        }

        if (previous is not null && previous.TargetGuid != header.TargetGuid && Database.FindSnapshot(previous.TargetGuid) is null)
        {
            throw SubvolException.Busy(
                $"a receive of {subvolume}@{previous.Snapshot} into this pool was interrupted; resume or discard it first",
                new Remedy.AnyOf([new Remedy.PrintResumeToken(Path, subvolume), new Remedy.AbortReceive(Path, subvolume)]));
        }

        PartialReceive.Discard(Files, incoming, subvolume);
        Files.CreateDirectory(incoming);
        try
        {
            if (baseline is null)
            {
                using var file = Files.CreateFile(partialImage);
                RandomAccess.SetLength(file, header.ImageSize);
            }
            else
            {
                // Cloning the base makes every unchanged range share its extents: a 1% change costs about 1% of new space.
                Files.Clone(Layout.SnapshotImage(baseline.SubvolumeName, baseline.Name), partialImage);
            }
        }
        catch (SystemCallException exception)
        {
            Files.Delete(partialImage);
            var translated = ErrorTranslation.Translate(exception);
            throw new SubvolException(translated.Code, $"cannot receive into {Printable.Quote(subvolume)}: {translated.Message}", translated.Remedy, exception);
        }

        var state = new PartialReceive(subvolume, header.SnapshotName, header.TargetGuid, header.BaseGuid, header.ImageSize, 0, header.FileSystemType, header.CreatedAt);
        state.Save(Files, incoming);
        return state;
    }

    /// <summary>The subvolume's next image, if its clone was made; the size is checked once more, a guard that costs nothing.</summary>
    private static SafeFileHandle? MadeExactly(NextImage? next, long size)
    {
        if (next?.Finish() is not { } image)
        {
            return null;
        }

        try
        {
            return RandomAccess.GetLength(image) == size ? image : null;
        }
        catch (IOException)
        {
            // The stream is verified and synced already: a check that cannot be made only means the subvolume is moved by a clone.
            return null;
        }
    }

    private SnapshotInfo PublishReceived(string subvolume, StreamHeader header, SubvolumeRecord? existing, string partialImage, long size, SafeFileHandle? nextImage)
    {
        var snapshotImage = Layout.SnapshotImage(subvolume, header.SnapshotName);
        DateTime? writeStamp = null;
        var subvolumeGuid = existing?.Guid ?? Guid.NewGuid();
        var created = Clock.Now;
        if (existing is null)
        {
            // A full stream brings its subvolume along: a reflink clone of the received snapshot costs no space.
            // It keeps the source's filesystem UUID, as every later receive will; Subvol mounts it with nouuid.
            var subvolumePartial = Layout.PartialImage(Guid.NewGuid());
            Files.Clone(partialImage, subvolumePartial);
            writeStamp = WriteStamp.Apply(Files, subvolumePartial);
            ImageIdentity.Write(Files, subvolumePartial, new ImageIdentity(
                subvolumeGuid, ImageKind.Subvolume, header.TargetGuid, created, Provisioning.Thin, size, header.FileSystemType) { WriteStamp = writeStamp, WrappedKey = header.WrappedKey });
            Files.Publish(subvolumePartial, Layout.SubvolumeImage(subvolume));
        }

        Files.CreateDirectory(Layout.SnapshotDirectory(subvolume));
        ImageIdentity.Write(Files, partialImage, new ImageIdentity(
            header.TargetGuid, ImageKind.Snapshot, subvolumeGuid, header.CreatedAt, existing?.Provisioning ?? Provisioning.Thin, size, header.FileSystemType)
        {
            WrappedKey = header.WrappedKey,
        });
        Files.Publish(partialImage, snapshotImage);
        SnapshotRecord record;
        using (var transaction = Database.BeginTransaction())
        {
            // A received subvolume is a replica: thin, so that a backup pool holds only what was sent.
            var owner = existing ?? Database.InsertSubvolume(
                subvolume, subvolumeGuid, size, header.FileSystemType, header.TargetGuid, Provisioning.Thin, writeStamp, created: created, wrappedKey: header.WrappedKey);
            record = Database.InsertSnapshot(owner, header.SnapshotName, header.TargetGuid, size, header.FileSystemType, header.CreatedAt, wrappedKey: header.WrappedKey);
            if (existing is not null && ReceivedKey.Rewrapped(header, existing))
            {
                // The source changed its key since the last stream: its whole chain is wrapped anew there, so it is here too.
                KeyRewrapping.Record(Database, existing, header.WrappedKey!);
            }

            transaction.Commit();
        }

        if (existing is not null && ReceivedKey.Rewrapped(header, existing))
        {
            KeyRewrapping.RefreshIdentities(Files, Layout, Database, existing with { WrappedKey = header.WrappedKey });
            existing = existing with { WrappedKey = header.WrappedKey };
        }

        // Snapshots are immutable, as every snapshot the pool takes itself.
        Files.SetImmutable(snapshotImage, true);
        // The snapshot is published, so nothing is left to resume.
        PartialReceive.Discard(Files, Layout.IncomingDirectory, subvolume);
        if (existing is not null)
        {
            // The subvolume follows the stream. Until this is done it still holds its previous snapshot, unwritten, so a crash here loses nothing.
            PausePoint.Reach("receive-published");
            var moved = replaceImage(existing, record, nextImage, $"received {subvolume}@{header.SnapshotName}, but cannot move {Printable.Quote(subvolume)} to it");
            using var transaction = Database.BeginTransaction();
            Database.UpdateSubvolumeSize(existing.Id, size);
            Database.UpdateWriteStamp(existing.Id, moved);
            transaction.Commit();
        }

        return describe(record);
    }

    /// <summary>Moving the subvolume to the received snapshot must not pull its image from under a mount or a block device.</summary>
    private void RefuseIfInUse(SubvolumeRecord subvolume) =>
        ImageMounts.RefuseIfInUse(
            Layout.SubvolumeImage(subvolume.Name),
            $"subvolume {Printable.Quote(subvolume.Name)}, which a receive moves to the received snapshot,",
            new Remedy.Unmount(Path, subvolume.Name),
            subvolume.Name);

    /// <summary>Moving the subvolume to the received snapshot must not throw away what was written to it since it last matched a snapshot.</summary>
    private void RefuseToDiscardWrites(SubvolumeRecord subvolume, bool force)
    {
        var image = Layout.SubvolumeImage(subvolume.Name);
        if (!force && WriteStamp.WrittenSince(Files, image, subvolume.WriteStamp))
        {
            var last = Database.ListSnapshots(subvolume.Name)[^1];
            throw SubvolException.Busy(
                $"subvolume {Printable.Quote(subvolume.Name)} was written or mounted read-write since its last snapshot {subvolume.Name}@{last.Name}; " +
                "a receive moves it to the received snapshot and would discard those writes",
                new Remedy.AnyOf([new Remedy.TakeSnapshot(Path, subvolume.Name), new Remedy.RepeatWithForce("discarding those writes")]));
        }
    }

    /// <summary>
    /// Admits a received image of <paramref name="newSize"/> bytes as create admits a subvolume: a thin one (as every
    /// received subvolume is made) by the overcommit ratio, a guaranteed one by the space it must reserve. Only growth
    /// beyond the recorded size asks for more. A size no ratio could admit is refused as such, before anything is applied.
    /// </summary>
    private void AdmitReceivedSize(string subvolume, SubvolumeRecord? existing, long newSize)
    {
        var recorded = existing?.Size ?? 0;
        var growth = newSize - recorded;
        if (growth <= 0)
        {
            return;
        }

        var poolSize = FileSystemStatistics.Get(Layout.Root).TotalBytes;
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
        space.Admit(existing?.Provisioning ?? Provisioning.Thin, growth, what,
            thinRemedy: new Remedy.AnyOf([new Remedy.RaiseOvercommit(Path), new Remedy.Advice("received subvolumes are thin: delete what this pool no longer needs, then receive again")]));
    }

    private void StopIfEatingReservations(long promised, string subvolume)
    {
        var available = FileSystemStatistics.Get(Layout.Root).AvailableBytes;
        if (available < promised)
        {
            throw SubvolException.NoSpace(
                $"receiving into {Printable.Quote(subvolume)} stopped: pool {Path} has {ByteSize.Format(available)} free, and {ByteSize.Format(promised)} is promised to guaranteed subvolumes and repairs");
        }
    }

    /// <summary>Both remedies as one list of choices, each choice once.</summary>
    private static Remedy Either(Remedy? first, Remedy second) =>
        first is null ? second : new Remedy.AnyOf(Choices(first).Concat(Choices(second)).Distinct().ToList());

    private static IEnumerable<Remedy> Choices(Remedy remedy) => remedy is Remedy.AnyOf any ? any.Choices.SelectMany(Choices) : [remedy];

    private static SubvolException StreamError(StreamFormatException exception, string suffix = "", Remedy? remedy = null)
    {
        var code = exception.Error == StreamFormatError.UnsupportedVersion ? SubvolErrorCode.NotSupported : SubvolErrorCode.StreamCorrupt;
        return new SubvolException(code, $"the stream was refused: {exception.Message}{suffix}", remedy, exception);
    }
}
