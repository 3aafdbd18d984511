namespace Subvol.Stream.Tests;

/// <summary>The worked example of docs/stream-format.md: five bytes of data, a hole and the end record.</summary>
internal static class TinyStream
{
    public static readonly StreamHeader Header = new(
        1, 8192, 4096, new Guid("0123456789abcdef0123456789abcdef"), null, "xfs", "a", "s", new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), 0, StreamCompression.None);

    public static byte[] Bytes() => Samples.Write(Header, writer =>
    {
        writer.WriteData(0, "hello"u8);
        writer.WriteHole(4096, 4096);
    });
}
