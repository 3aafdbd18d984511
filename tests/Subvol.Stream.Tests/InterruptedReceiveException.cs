namespace Subvol.Stream.Tests;

/// <summary>Thrown by <see cref="ImageSink"/> to cut a receive short on purpose.</summary>
internal sealed class InterruptedReceiveException : Exception;
