using System.Text;

namespace Subvol.Cli.Output;

/// <summary>
/// Standard output with a buffer that a listing fits in: Console.Out encodes and writes 256 characters at a time,
/// which made a listing of thousands of rows thousands of write(2) calls. It still flushes at the end of every
/// write, as Console.Out does, so what goes to standard output and to standard error keeps its order.
/// </summary>
internal static class StandardOutput
{
    private const int BufferSize = 32 * 1024;

    public static void Install() =>
        Console.SetOut(new StreamWriter(Console.OpenStandardOutput(), WithoutByteOrderMark(Console.OutputEncoding), BufferSize) { AutoFlush = true });

    /// <summary>The console's encoding; a stream writer would start with UTF-8's byte order mark, which Console.Out never writes.</summary>
    private static Encoding WithoutByteOrderMark(Encoding encoding) =>
        encoding is UTF8Encoding ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) : encoding;
}
