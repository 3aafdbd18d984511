using System.Globalization;

namespace Subvol.Cli.Output;

/// <summary>The engine's remedies in the command line's words: the command to type, or the advice as the engine gave it.</summary>
internal static class RemedyWording
{
    public static string For(Remedy remedy) => remedy switch
    {
        Remedy.AnyOf any => string.Join(", or ", any.Choices.Select(For)),
        Remedy.Steps steps => string.Join("; then ", steps.InOrder.Select(For)),
        Remedy.Advice advice => advice.Text,
        Remedy.RepeatWithForce force => $"add --force to go ahead ({force.Consequence})",
        Remedy.RepeatRequest => "run the same command again",
        Remedy.CreatePool create => create.Pool is null ? "create one with 'subvol pool create PATH'" : $"create it with 'subvol pool create {create.Pool}'",
        Remedy.CreateFileBackedPool create => $"make a file-backed pool instead: subvol pool create {create.Pool} --image /var/lib/subvol/pool.img --size 100G",
        Remedy.ImportPool import => import.Image is null
            ? $"import it with 'subvol pool import {import.Pool}'"
            : $"import it with 'subvol pool import {import.Pool} --image {import.Image}'",
        Remedy.ImportPoolWithImage import => $"for a file-backed pool give its image: 'subvol pool import {import.Pool} --image FILE'",
        Remedy.ListPools => "'subvol pool list' shows the pools this machine knows",
        Remedy.LeaveImageSparse => "add --sparse and give up the guarantee",
        Remedy.ChoosePool => "choose one with --pool PATH or SUBVOL_POOL, or set one as the default with 'subvol pool default PATH'",
        Remedy.CheckPool check => $"run '{Command("check")}'",
        Remedy.RepairPool repair => $"rebuild it with '{Command("check --repair")}'",
        Remedy.SetPoolSettings settings => $"set them again with '{Command("pool set")}'",
        Remedy.RaiseOvercommit raise => raise.Suggested is { } ratio
            ? $"raise it with '{Command($"pool set overcommit {ratio.ToString("0.##", CultureInfo.InvariantCulture)}")}'"
            : $"raise the overcommit ratio with '{Command("pool set overcommit RATIO")}'",
        Remedy.UseGuaranteedProvisioning => "use --provisioning guaranteed",
        Remedy.RunGuard guard => $"run '{Command("guard")}' to keep their filesystems consistent",
        Remedy.ListSubvolumes list => $"'{Command("list")}' shows the ones it has",
        Remedy.ListSnapshots list => $"'{Command($"list -t snapshot {list.Subvolume}")}' shows the ones it has",
        Remedy.ListMounts => "'subvol list -t all' shows where each subvolume and snapshot is mounted",
        Remedy.Mount mount => $"run '{Command($"mount {mount.Target}")}' first",
        Remedy.Unmount unmount => $"unmount it first with '{Command($"umount {unmount.Target}")}'",
        Remedy.DestroySnapshotsFirst => "destroy them first or use --recursive",
        Remedy.TakeSnapshot snapshot => $"take one with '{Command($"snapshot {snapshot.Subvolume}")}'",
        Remedy.Rollback rollback => $"restore it from a snapshot with '{Command($"rollback {rollback.Subvolume}@SNAPSHOT")}'",
        Remedy.SendFromEarlierSnapshot send => send.Candidates.Count == 0
            ? "send --from an earlier snapshot"
            : $"send --from one of those ({string.Join(", ", send.Candidates)})",
        Remedy.PrintResumeToken token => $"print a fresh token with '{Command($"receive --resume-token {token.Subvolume ?? "NAME"}")}' on the receiver",
        Remedy.AbortReceive abort => $"discard the partial receive with '{Command($"receive --abort {abort.Subvolume}")}'",
        Remedy.Replicate replicate => $"run '{Command($"replicate {replicate.Subvolume} {replicate.Destination}")}' again to resume from there",
        Remedy.ReplicateTakingSnapshot => "drop --no-snapshot",
        _ => remedy.ToString(),
    };

    /// <summary>A subvol command; the pool goes unnamed, since the one in error is the one the person named or chose.</summary>
    private static string Command(string verb) => $"subvol {verb}";
}
