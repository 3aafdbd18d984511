namespace Subvol.Stream;

/// <summary>The input is not a valid stream; the message names what was wrong and at which byte.</summary>
public sealed class StreamFormatException : Exception
{
    public StreamFormatException(StreamFormatError error, long streamOffset, string message)
        : base($"{message} (stream byte {streamOffset})")
    {
        Error = error;
        StreamOffset = streamOffset;
    }

    public StreamFormatError Error { get; }

    /// <summary>The byte offset in the stream of the structure or field that was refused.</summary>
    public long StreamOffset { get; }
}
