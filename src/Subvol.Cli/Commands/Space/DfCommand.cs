using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Space;

internal static class DfCommand
{
    private static readonly ListingOptions<ImageUsage> Listing = new(PoolRows.Usage);

    public static Command Create()
    {
        var command = new Command("df", "Show referenced, exclusive and shared bytes of every subvolume and snapshot, with pool totals");
        Listing.AddTo(command);
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var view = Listing.View(context);
        using var pool = context.OpenPool();
        var usage = pool.Usage();
        if (context.Json)
        {
            // The totals are named as 'pool status' names them: images_used is the same quantity there.
            context.Reporter.WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WritePropertyName("images");
                view.WriteArray(writer, usage.Images);
                writer.WriteNumber("pool_size", usage.PoolSize);
                writer.WriteNumber("pool_used", usage.PoolUsed);
                writer.WriteNumber("pool_available", usage.PoolAvailable);
                writer.WriteNumber("images_used", usage.Allocated);
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        context.Reporter.Listing(usage.Images, view);
        if (!view.Scripted)
        {
            string Bytes(long bytes) => view.Parsable ? FieldValue.Exact(bytes) : Units.Size(bytes);
            context.Reporter.Done(
                $"images hold {Bytes(usage.Allocated)}; pool {Bytes(usage.PoolSize)}, used {Bytes(usage.PoolUsed)}, available {Bytes(usage.PoolAvailable)}");
        }

        return ExitCodes.Success;
    }
}
