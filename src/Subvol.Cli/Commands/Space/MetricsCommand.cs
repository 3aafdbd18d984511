using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Space;

/// <summary>
/// subvol metrics: the pool's gauges in the Prometheus text format, the same ones subvold serves,
/// on standard output or as DIR/subvol.prom for node_exporter's textfile collector.
/// </summary>
internal static class MetricsCommand
{
    /// <summary>The file the textfile collector reads; it reads only names ending in .prom.</summary>
    public const string FileName = "subvol.prom";

    private static readonly Option<string?> TextfileOption = new("--textfile")
    {
        Description = $"Write the metrics to DIR/{FileName}, replacing it whole, for node_exporter's textfile collector (--collector.textfile.directory)",
        HelpName = "DIR",
    };

    public static Command Create()
    {
        var command = new Command("metrics", "Print the pool's space and snapshot gauges in the Prometheus text format") { TextfileOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var textfile = context.Get(TextfileOption) is { } directory ? Path.Combine(Path.GetFullPath(directory), FileName) : null;
        PoolGauges gauges;
        try
        {
            using var pool = context.OpenPool();
            gauges = PoolGauges.Read(pool);
        }
        catch (Exception exception) when (textfile is not null && exception is SubvolException or IOException)
        {
            // The collector would go on serving the last figures written as current: they are replaced by the pool being down.
            Replace(textfile, GaugeExposition.RenderDown(context.PoolPath()));
            throw;
        }

        var text = GaugeExposition.Render(gauges);
        if (textfile is null)
        {
            Console.Out.Write(text);
            return ExitCodes.Success;
        }

        Replace(textfile, text);
        if (context.Json)
        {
            context.Reporter.WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("path", textfile);
                writer.WriteNumber("volumes", gauges.Volumes.Count);
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        context.Reporter.Done($"wrote {textfile}: pool {gauges.Pool}, {gauges.Volumes.Count} subvolumes");
        return ExitCodes.Success;
    }

    /// <summary>Writes a temporary file beside the target and renames it over, so the collector never reads half a file.</summary>
    private static void Replace(string path, string text)
    {
        // Not ending in .prom, so the collector skips it if it is ever left behind.
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            throw ErrorTranslation.Translate(exception, path);
        }
    }
}
