using System.Globalization;

namespace Subvol.Daemon.Errors;

/// <summary>
/// The engine's remedies for whoever reads a CSI error: a Kubernetes user who cannot act on the
/// node, and the node's administrator who can. A step on the node names the command to run there.
/// </summary>
internal static class RemedyWording
{
    public static string For(Remedy remedy) => remedy switch
    {
        Remedy.AnyOf any => string.Join(", or ", any.Choices.Select(For)),
        Remedy.Steps steps => string.Join("; then ", steps.InOrder.Select(For)),
        Remedy.Advice advice => advice.Text,
        Remedy.RepeatWithForce force => $"the request would have to force it ({force.Consequence}), which the driver never does",
        Remedy.RepeatRequest => "retry the request",
        Remedy.CreatePool create => OnNode($"pool create {create.Pool ?? "PATH"}"),
        Remedy.CreateFileBackedPool create => OnNode($"pool create {create.Pool} --image FILE --size SIZE"),
        Remedy.ImportPool import => OnNode(import.Image is null ? $"pool import {import.Pool}" : $"pool import {import.Pool} --image {import.Image}"),
        Remedy.ImportPoolWithImage import => OnNode($"pool import {import.Pool} --image FILE"),
        Remedy.ListPools => OnNode("pool list"),
        Remedy.LeaveImageSparse => "make the node's pool image sparse, giving up the guarantee",
        Remedy.ChoosePool => "set the driver's --pool to the node's pool",
        Remedy.CheckPool check => OnNode(check.Pool is null ? "check" : $"check --pool {check.Pool}"),
        Remedy.RepairPool repair => OnNode(repair.Pool is null ? "check --repair" : $"check --repair --pool {repair.Pool}"),
        Remedy.SetPoolSettings settings => OnNode($"pool set --pool {settings.Pool}"),
        Remedy.RaiseOvercommit raise => OnNode($"pool set overcommit {(raise.Suggested is { } ratio ? ratio.ToString("0.##", CultureInfo.InvariantCulture) : "RATIO")} --pool {raise.Pool}"),
        Remedy.UseGuaranteedProvisioning => "use a StorageClass with provisioning: guaranteed",
        Remedy.RunGuard guard => OnNode($"guard --pool {guard.Pool}"),
        Remedy.ListSubvolumes list => OnNode($"list --pool {list.Pool}"),
        Remedy.ListSnapshots list => OnNode($"list -t snapshot {list.Subvolume} --pool {list.Pool}"),
        Remedy.ListMounts list => OnNode($"list -t all --pool {list.Pool}"),
        Remedy.Mount mount => OnNode($"mount {mount.Target} --pool {mount.Pool}"),
        Remedy.Unmount unmount => OnNode($"umount {unmount.Target} --pool {unmount.Pool}"),
        Remedy.DestroySnapshotsFirst => "delete the volume's VolumeSnapshots first",
        Remedy.TakeSnapshot snapshot => "create a VolumeSnapshot of the volume first",
        Remedy.Rollback rollback => OnNode($"rollback {rollback.Subvolume}@SNAPSHOT --pool {rollback.Pool}"),
        Remedy.SendFromEarlierSnapshot => "send from an earlier snapshot",
        Remedy.PrintResumeToken token => OnNode($"receive --resume-token {token.Subvolume ?? "NAME"}"),
        Remedy.AbortReceive abort => OnNode($"receive --abort {abort.Subvolume} --pool {abort.Pool}"),
        Remedy.Replicate replicate => OnNode($"replicate {replicate.Subvolume} {replicate.Destination} --pool {replicate.Pool}"),
        Remedy.ReplicateTakingSnapshot replicate => OnNode($"replicate {replicate.Subvolume} {replicate.Destination} --pool {replicate.Pool}"),
        _ => remedy.ToString(),
    };

    private static string OnNode(string arguments) => $"on the node, run 'subvol {arguments}'";
}
