using Subvol.Linux;
using Subvol.Stream;
using Subvol.Tests.Pools;

namespace Subvol.Tests.Replication;

/// <summary>
/// Receive on a plain directory pool: admission of the header's size and of every size change before it
/// is applied, and the resume token of a receive interrupted after a size change. Publishing needs reflink,
/// so these streams are refused or cut before their end; the root tests carry them through.
/// </summary>
public sealed class ReceiveAdmissionTests : IDisposable
{
    private const int Block = 4096;
    private const long HeaderSize = 64 << 10;

    private readonly TemporaryPool _pool = new();

    public void Dispose() => _pool.Dispose();

    private Pool Pool => _pool.Pool;

    private long HostSize => FileSystemStatistics.Get(_pool.Root).TotalBytes;

    private string PartialImage => Path.Combine(_pool.Root, "incoming", "replica.receiving");

    [Fact]
    public void ASizeChangeBeyondTheOvercommitRatioIsRefusedBeforeItIsAppliedAndTheReceiveStaysResumable()
    {
        var grown = ByteSize.RoundUp(HostSize * 2, Block);
        var stream = Stream(writer =>
        {
            writer.WriteData(0, Pattern(Block, 1));
            writer.WriteSizeChange(grown);
            writer.WriteData(grown - Block, Pattern(Block, 2));
        }, finish: true);

        var exception = Assert.Throws<SubvolException>(() => Pool.Receive("replica", stream));

        Assert.Equal(SubvolErrorCode.NoSpace, exception.Code);
        Assert.Contains("overcommit", exception.Message);
        Assert.Contains(ByteSize.Format(grown), exception.Message);
        Assert.Contains(new Remedy.PrintResumeToken(Pool.Path, "replica"), Assert.IsType<Remedy.AnyOf>(exception.Remedy).Choices);
        Assert.Equal(HeaderSize, new FileInfo(PartialImage).Length);
        Assert.Empty(Pool.ListSubvolumes());
        var partial = Assert.Single(Pool.ListPartialReceives());
        Assert.Equal(Block, partial.ConfirmedOffset);
        Assert.True(ResumeToken.TryDecode(Pool.ResumeTokenFor("replica"), out var token, out var error), error);
        Assert.Equal(Block, token!.Offset);
        Assert.Equal(HeaderSize, token.ImageSize);
    }

    [Fact]
    public void ASizeChangeNoOvercommitRatioCouldAdmitIsRefusedAsSuch()
    {
        var absurd = (1L << 56) - Block;
        var stream = Stream(writer => writer.WriteSizeChange(absurd), finish: true);

        var exception = Assert.Throws<SubvolException>(() => Pool.Receive("replica", stream));

        Assert.Equal(SubvolErrorCode.NoSpace, exception.Code);
        Assert.Contains("largest overcommit ratio", exception.Message);
        Assert.Contains(ByteSize.Format(absurd), exception.Message);
        Assert.Contains(new Remedy.AbortReceive(Pool.Path, "replica"), Assert.IsType<Remedy.AnyOf>(exception.Remedy).Choices);
        Assert.Equal(HeaderSize, new FileInfo(PartialImage).Length);
    }

    [Fact]
    public void ANewSubvolumeBeyondTheOvercommitRatioIsRefusedBeforeAnythingIsWritten()
    {
        var stream = Stream(_ => { }, finish: true, imageSize: ByteSize.RoundUp(HostSize * 2, Block));

        var exception = Assert.Throws<SubvolException>(() => Pool.Receive("replica", stream));

        Assert.Equal(SubvolErrorCode.NoSpace, exception.Code);
        Assert.Contains("receiving the new subvolume 'replica'", exception.Message);
        Assert.False(File.Exists(PartialImage));
        Assert.Empty(Pool.ListPartialReceives());
    }

    [Fact]
    public void AResumedStreamIsAdmittedAgainSoThatRaisingTheRatioLetsItGoOn()
    {
        var grown = ByteSize.RoundUp(HostSize * 2, Block);
        void Records(ReplicationStreamWriter writer)
        {
            writer.WriteData(0, Pattern(Block, 1));
            writer.WriteSizeChange(grown);
            writer.WriteData(grown - Block, Pattern(Block, 2));
        }

        Assert.Throws<SubvolException>(() => Pool.Receive("replica", Stream(Records, finish: true)));
        ResumeToken.TryDecode(Pool.ResumeTokenFor("replica"), out var token, out _);
        Pool.SetOvercommit(3);

        // Cut before its end, the resumed stream shows that the size change was admitted and applied this time.
        var resumed = Stream(Records, finish: false, resumeOffset: token!.Offset);
        var cut = Assert.Throws<SubvolException>(() => Pool.Receive("replica", resumed));

        Assert.Equal(SubvolErrorCode.StreamCorrupt, cut.Code);
        Assert.Equal(grown, new FileInfo(PartialImage).Length);
        Assert.Equal(Pattern(Block, 2), ReadAt(PartialImage, grown - Block, Block));
        Assert.Equal(Pattern(Block, 1), ReadAt(PartialImage, 0, Block));
    }

    [Fact]
    public void AReceiveCutAfterGrowingTheImagePrintsATokenThatResumesFromTheHeadersSize()
    {
        var stream = Stream(writer =>
        {
            writer.WriteData(0, Pattern(Block, 1));
            writer.WriteSizeChange(4 * HeaderSize);
            writer.WriteData(3 * HeaderSize, Pattern(Block, 2));
        }, finish: false);

        Assert.Equal(SubvolErrorCode.StreamCorrupt, Assert.Throws<SubvolException>(() => Pool.Receive("replica", stream)).Code);

        Assert.True(ResumeToken.TryDecode(Pool.ResumeTokenFor("replica"), out var token, out var error), error);
        Assert.Equal(HeaderSize, token!.Offset);
        Assert.Equal(HeaderSize, token.ImageSize);
    }

    [Fact]
    public void AReceiveCutAfterShrinkingAndGrowingTheImageResumesFromItsSmallestSize()
    {
        var stream = Stream(writer =>
        {
            writer.WriteData(0, Pattern(Block, 1));
            writer.WriteSizeChange(2 * Block);
            writer.WriteSizeChange(4 * HeaderSize);
            writer.WriteData(3 * HeaderSize, Pattern(Block, 2));
        }, finish: false);

        Assert.Throws<SubvolException>(() => Pool.Receive("replica", stream));

        Assert.True(ResumeToken.TryDecode(Pool.ResumeTokenFor("replica"), out var token, out var error), error);
        Assert.Equal(2 * Block, token!.Offset);

        // The stream resumed from there repeats both size changes, and the reader accepts it.
        var resumed = Stream(writer =>
        {
            writer.WriteData(0, Pattern(Block, 1));
            writer.WriteSizeChange(2 * Block);
            writer.WriteSizeChange(4 * HeaderSize);
            writer.WriteData(3 * HeaderSize, Pattern(Block, 2));
        }, finish: false, resumeOffset: token.Offset);
        Assert.Equal(SubvolErrorCode.StreamCorrupt, Assert.Throws<SubvolException>(() => Pool.Receive("replica", resumed)).Code);
        Assert.Equal(Pattern(Block, 2), ReadAt(PartialImage, 3 * HeaderSize, Block));
    }

    /// <summary>A full stream of a <see cref="HeaderSize"/> image into "replica"; without its end record when <paramref name="finish"/> is false, as a cut connection leaves it.</summary>
    private static MemoryStream Stream(Action<ReplicationStreamWriter> records, bool finish, long imageSize = HeaderSize, long resumeOffset = 0)
    {
        var header = new StreamHeader(StreamHeader.CurrentVersion, imageSize, Block, TargetGuid, null, FileSystemKind.Xfs, "source", "s1",
            new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), resumeOffset, StreamCompression.None);
        var output = new MemoryStream();
        using (var writer = new ReplicationStreamWriter(output, header))
        {
            records(writer);
            if (finish)
            {
                writer.Finish();
            }
            else
            {
                // Everything the sender framed went out before the cut.
                writer.Flush();
            }
        }

        output.Position = 0;
        return output;
    }

    private static readonly Guid TargetGuid = Guid.Parse("4f1d7c2e-8a35-4b9e-9c61-0d2a7e5b3f18");

    private static byte[] Pattern(int length, byte seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] ReadAt(string path, long offset, int length)
    {
        using var handle = File.OpenHandle(path);
        var bytes = new byte[length];
        Assert.Equal(length, RandomAccess.Read(handle, bytes, offset));
        return bytes;
    }
}
