namespace Subvol.Policies;

/// <summary>
/// A replication target of a policy: a local pool path or ssh://[user@]host[:port]/POOL, with the
/// retention applied to its copies (the local retention when the file gives it none), and the line
/// of the file that names it.
/// </summary>
public sealed record PolicyTarget(string Address, Retention Retention, int Line)
{
    /// <summary>Whether the file gave this target a retention of its own (or a default for targets); false when it keeps what the source keeps.</summary>
    public bool OwnRetention { get; init; }
}
