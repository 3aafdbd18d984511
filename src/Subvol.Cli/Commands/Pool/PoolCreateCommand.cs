using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolCreateCommand
{
    private static readonly Argument<string> PathArgument = new("PATH") { Description = "The pool's directory" };
    private static readonly Option<string?> ImageOption = new("--image") { Description = "Make a file-backed pool: an XFS image file, allocated on the host and loop-mounted at PATH", HelpName = "FILE" };
    private static readonly Option<string?> SizeOption = new("--size") { Description = "Size of the pool image, e.g. 100G (with --image)", HelpName = "SIZE" };
    private static readonly Option<bool> SparseOption = new("--sparse") { Description = "Leave the pool image sparse: it takes host space only as written, and guaranteed subvolumes fail writes when the host fills (with --image)" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Make a sparse pool image even when it is larger than the host's free space (with --sparse)" };

    public static Command Create()
    {
        var command = new Command("create", "Create a pool on a reflink-capable directory, or a file-backed pool with --image") { PathArgument, ImageOption, SizeOption, SparseOption, ForceOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var image = context.Get(ImageOption);
        var sizeText = context.Get(SizeOption);
        long? size = sizeText is null ? null : ByteSize.Parse(sizeText, "size", FileSystemKind.MinimumSize(FileSystemKind.Xfs), "a file-backed pool");
        var sparse = context.Get(SparseOption);
        var force = context.Get(ForceOption);

        var result = context.Reporter.Progress("creating pool", () => Subvol.Pool.Create(context.Get(PathArgument), image, size, context.Registry, sparse, force));
        if (sparse && result.Outcome == Outcome.Created)
        {
            context.Reporter.Warning(Subvol.Pool.SparseImageRisk(result.Value.Image!));
        }

        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => PoolRows.Known.WriteObject(writer, "pool", result.Value));
            return ExitCodes.Success;
        }

        context.Reporter.Done(result.Outcome == Outcome.Created
            ? $"created pool {result.Value.Path}{(result.Value.Image is null ? "" : $" (file-backed: {result.Value.Image})")}"
            : $"pool {result.Value.Path} already exists");
        return ExitCodes.Success;
    }
}
