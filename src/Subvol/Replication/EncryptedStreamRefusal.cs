using Subvol.Errors;
using Subvol.Stream.Age;

namespace Subvol.Replication;

/// <summary>The one error line for an age stream that failed: a wrong identity is a bad argument, anything else a corrupt stream.</summary>
public static class EncryptedStreamRefusal
{
    /// <summary>What became of what was read before an age stream failed.</summary>
    public enum Outcome
    {
        /// <summary>Nothing of the stream was kept.</summary>
        NothingReceived,

        /// <summary>The stream resumed an interrupted receive, whose verified part stays.</summary>
        EarlierPartKept,

        /// <summary>The records before the failure were printed, and nothing else was done.</summary>
        Dumped,
    }

    public static SubvolException Of(AgeFormatException exception, Outcome outcome = Outcome.NothingReceived) => exception.Error switch
    {
        AgeFormatError.NoMatchingIdentity => new SubvolException(SubvolErrorCode.InvalidArgument, exception.Message, exception)
        {
            Remedy = new Remedy.Advice("pass the identity file of one of the recipients the stream was encrypted to"),
        },
        AgeFormatError.Unsupported => new SubvolException(SubvolErrorCode.NotSupported, exception.Message, exception),
        _ => new SubvolException(SubvolErrorCode.StreamCorrupt, exception.Message + outcome switch
        {
            Outcome.EarlierPartKept => "; the part received before it is kept",
            Outcome.Dumped => "",
            _ => "; nothing was received",
        }, exception),
    };

    /// <summary>The age layer's failure beneath <paramref name="input"/>, when the input is an age stream that failed.</summary>
    public static AgeFormatException? FailureOf(System.IO.Stream input) => (input as AgeDecryptingStream)?.Failure;
}
