
namespace Subvol.Errors;

/// <summary>
/// What to do about an error, as data: the engine names the step and what it applies to, and each
/// front end words it for its own users (a command on the command line, an instruction for the
/// node's administrator in the daemon). The engine never spells a front end's verbs or flags.
/// </summary>
public abstract record Remedy
{
    private Remedy()
    {
    }

    /// <summary>Any one of several steps fixes it.</summary>
    public sealed record AnyOf(IReadOnlyList<Remedy> Choices) : Remedy;

    /// <summary>Several steps, in order.</summary>
    public sealed record Steps(IReadOnlyList<Remedy> InOrder) : Remedy;

    /// <summary>Advice that needs no command: what a person must look at or decide.</summary>
    public sealed record Advice(string Text) : Remedy;

    /// <summary>The same request again, with the permission to go ahead; <paramref name="Consequence"/> says what that costs.</summary>
    public sealed record RepeatWithForce(string Consequence) : Remedy;

    /// <summary>The same request again, later: an interrupted operation resumes from where it stopped.</summary>
    public sealed record RepeatRequest : Remedy;

    /// <summary>Create a pool, at <paramref name="Pool"/> or, when null, wherever the person chooses.</summary>
    public sealed record CreatePool(string? Pool) : Remedy;

    /// <summary>Make a file-backed pool, because the directory's filesystem cannot hold a pool itself.</summary>
    public sealed record CreateFileBackedPool(string Pool) : Remedy;

    /// <summary>Import the pool; <paramref name="Image"/> is the pool image, or null when the machine remembers it.</summary>
    public sealed record ImportPool(string Pool, string? Image = null) : Remedy;

    /// <summary>Import a file-backed pool, naming its image, which only the person knows.</summary>
    public sealed record ImportPoolWithImage(string Pool) : Remedy;

    /// <summary>See the pools this machine knows.</summary>
    public sealed record ListPools : Remedy;

    /// <summary>Make the pool's image sparse, giving up the guarantee that its subvolumes' space is theirs on the host.</summary>
    public sealed record LeaveImageSparse : Remedy;

    /// <summary>Name the pool to work on, one of <paramref name="KnownPools"/> or another.</summary>
    public sealed record ChoosePool(IReadOnlyList<string> KnownPools) : Remedy;

    /// <summary>Check the pool, which names what is wrong; the pool is null when the failing call did not say which.</summary>
    public sealed record CheckPool(string? Pool) : Remedy;

    /// <summary>Rebuild or repair the pool's metadata and files from its images; the pool is null when the failing call did not say which.</summary>
    public sealed record RepairPool(string? Pool) : Remedy;

    public sealed record SetPoolSettings(string Pool) : Remedy;

    /// <summary>Raise the pool's overcommit ratio, for example to <paramref name="Suggested"/>.</summary>
    public sealed record RaiseOvercommit(string Pool, double? Suggested = null) : Remedy;

    public sealed record UseGuaranteedProvisioning : Remedy;

    /// <summary>Run the space guard, which freezes filesystems before a full pool can damage them.</summary>
    public sealed record RunGuard(string Pool) : Remedy;

    public sealed record ListSubvolumes(string Pool) : Remedy;

    public sealed record ListSnapshots(string Pool, string Subvolume) : Remedy;

    /// <summary>See where each subvolume and snapshot of the pool is mounted.</summary>
    public sealed record ListMounts(string Pool) : Remedy;

    public sealed record Mount(string Pool, string Target) : Remedy;

    public sealed record Unmount(string Pool, string Target) : Remedy;

    /// <summary>Destroy the subvolume's snapshots first, or delete it together with them.</summary>
    public sealed record DestroySnapshotsFirst(string Pool, string Subvolume) : Remedy;

    public sealed record TakeSnapshot(string Pool, string Subvolume) : Remedy;

    public sealed record Rollback(string Pool, string Subvolume) : Remedy;

    /// <summary>Send again, with a base snapshot the receiver holds (one of <paramref name="Candidates"/>, when known) or an earlier one.</summary>
    public sealed record SendFromEarlierSnapshot(IReadOnlyList<string> Candidates) : Remedy;

    /// <summary>Ask the receiving pool for a fresh resume token for the subvolume; either is null when the failing call could not know it.</summary>
    public sealed record PrintResumeToken(string? Pool, string? Subvolume) : Remedy;

    public sealed record AbortReceive(string Pool, string Subvolume) : Remedy;

    /// <summary>Replicate again: it resumes an interrupted transfer.</summary>
    public sealed record Replicate(string Pool, string Subvolume, string Destination) : Remedy;

    /// <summary>Replicate again and let it take a snapshot first, which the request had asked it not to.</summary>
    public sealed record ReplicateTakingSnapshot(string Pool, string Subvolume, string Destination) : Remedy;
}
