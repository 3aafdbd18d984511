namespace Subvol.Stream.Tests;

/// <summary>A random change between a base image and a target image, as the writer calls that send it and the target they must produce.</summary>
internal sealed class ImageModel
{
    private readonly List<Action<ReplicationStreamWriter>> calls = [];

    private ImageModel(StreamHeader header, byte[] baseImage)
    {
        Header = header;
        Base = baseImage;
        Target = (byte[])baseImage.Clone();
    }

    public StreamHeader Header { get; }

    public byte[] Base { get; }

    public byte[] Target { get; private set; }

    /// <summary>Builds a random case; shrinking is optional because a stream that shrinks and grows again cannot be resumed past the shrink.</summary>
    public static ImageModel Random(ulong seed, bool incremental, bool allowShrink)
    {
        var random = new SplitMix64(seed);
        var blockSize = random.Chance(50) ? 512 : 4096;
        var size = (long)random.Between(1, 96) * blockSize;
        var compression = random.Chance(50) ? StreamCompression.Zstd : StreamCompression.None;
        var baseImage = new byte[size];
        if (incremental)
        {
            random.Fill(baseImage);
        }

        var header = Samples.Header(size, blockSize, incremental ? Samples.BaseGuid : null, compression);
        var model = new ImageModel(header, baseImage);
        var current = size;
        var cursor = 0L;
        while (true)
        {
            if (random.Chance(8))
            {
                var grow = random.Chance(60) || !allowShrink;
                var newSize = grow
                    ? current + ((long)random.Between(1, 32) * blockSize)
                    : Math.Max((cursor + blockSize - 1) / blockSize * blockSize, blockSize) + ((long)random.Below(4) * blockSize);
                if (newSize != current && newSize >= cursor && newSize <= current + (64L * blockSize))
                {
                    model.SizeChange(newSize);
                    current = newSize;
                }
            }

            cursor += random.Chance(40) ? random.Between(0, 3 * blockSize) : 0;
            if (cursor >= current)
            {
                break;
            }

            var length = (int)Math.Min(current - cursor, random.Between(1, 6 * blockSize));
            if (random.Chance(30))
            {
                model.Hole(cursor, length);
            }
            else
            {
                var data = new byte[length];
                if (random.Chance(50))
                {
                    random.FillCompressible(data);
                }
                else
                {
                    random.Fill(data);
                }

                model.Data(cursor, data);
            }

            cursor += length;
        }

        return model;
    }

    public void Data(long offset, byte[] data)
    {
        data.CopyTo(Target, offset);
        calls.Add(writer => writer.WriteData(offset, data));
    }

    public void Hole(long offset, long length)
    {
        Target.AsSpan((int)offset, (int)length).Clear();
        calls.Add(writer => writer.WriteHole(offset, length));
    }

    public void SizeChange(long newSize)
    {
        var target = Target;
        Array.Resize(ref target, (int)newSize);
        Target = target;
        calls.Add(writer => writer.WriteSizeChange(newSize));
    }

    /// <summary>The stream, fresh or resumed: a resumed writer is given the very same calls and drops what lies below its resume offset.</summary>
    public byte[] Stream(long resumeOffset = 0) =>
        Samples.Write(Header with { ResumeOffset = resumeOffset }, writer => calls.ForEach(call => call(writer)));
}
