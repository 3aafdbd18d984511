using Subvol.Replication;

namespace Subvol.Cli.CommandLine;

/// <summary>
/// Opens the stream files a person names (-f, -o, stream dump FILE), so that a missing or forbidden one is one error
/// line naming it, and standard input or output when none is named, buffered a record at a time with a widened pipe.
/// </summary>
internal static class StreamFiles
{
    private const int BufferSize = TransferPipes.RecordBuffer;
    private const int StandardInput = 0;
    private const int StandardOutput = 1;

    public static System.IO.Stream OpenStandardInput()
    {
        TransferPipes.Widen(StandardInput);
        return new BufferedStream(Console.OpenStandardInput(), BufferSize);
    }

    public static System.IO.Stream OpenStandardOutput()
    {
        TransferPipes.Widen(StandardOutput);
        return new BufferedStream(Console.OpenStandardOutput(), BufferSize);
    }

    public static System.IO.Stream OpenRead(string path) => Open(path, FileMode.Open, FileAccess.Read, FileShare.Read);

    public static StreamOutputFile Create(string path) => StreamOutputFile.Create(path, BufferSize);

    private static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share)
    {
        try
        {
            return new FileStream(path, mode, access, share, BufferSize);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw ErrorTranslation.Translate(exception, path);
        }
    }
}
