namespace Subvol.Stream.Age;

/// <summary>An age file that cannot be opened or whose payload fails authentication; the message says which and where.</summary>
public sealed class AgeFormatException(AgeFormatError error, string message) : Exception(message)
{
    public AgeFormatError Error { get; } = error;
}
