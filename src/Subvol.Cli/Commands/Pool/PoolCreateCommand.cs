using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolCreateCommand
{
    private static readonly Argument<string> PathArgument = new("PATH") { Description = "The pool's directory" };
    private static readonly Option<string?> ImageOption = new("--image") { Description = "Make a file-backed pool: a sparse XFS image file, loop-mounted at PATH", HelpName = "FILE" };
    private static readonly Option<string?> SizeOption = new("--size") { Description = "Size of the pool image, e.g. 100G (with --image)", HelpName = "SIZE" };

    public static Command Create()
    {
        var command = new Command("create", "Create a pool on a reflink-capable directory, or a file-backed pool with --image") { PathArgument, ImageOption, SizeOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var image = context.Get(ImageOption);
        var sizeText = context.Get(SizeOption);
        long? size = sizeText is null ? null : ByteSize.Parse(sizeText, "size");
        if (image is null && size is not null)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, "--size goes with --image: a pool on a directory uses that directory's space");
        }

        var result = context.Reporter.Progress("creating pool", () => Subvol.Pool.Create(context.Get(PathArgument), image, size, context.Registry));
        context.Reporter.Done(result.Outcome == Outcome.Created
            ? $"created pool {result.Value.Path}{(result.Value.Image is null ? "" : $" (file-backed: {result.Value.Image})")}"
            : $"pool {result.Value.Path} already exists");
        return ExitCodes.Success;
    }
}
