namespace Subvol.Policies;

/// <summary>Commands run before and after a policy's snapshot (to quiesce a database), each stopped after <paramref name="Timeout"/>.</summary>
public sealed record PolicyHooks(string? BeforeSnapshot, string? AfterSnapshot, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static PolicyHooks None { get; } = new(null, null, DefaultTimeout);
}
