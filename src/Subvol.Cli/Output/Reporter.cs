using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Subvol.Cli.Output;

/// <summary>
/// The one way verbs print: tables or JSON on standard output, messages on standard error, and
/// progress only when standard error is a terminal, so pipes and scripts see clean output.
/// </summary>
internal sealed class Reporter
{
    /// <summary>Characters of a JSON document written at once, within standard output's buffer.</summary>
    private const int JsonBlockLength = 16 * 1024;

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _json;

    public Reporter(TextWriter output, TextWriter error, bool json)
    {
        _output = output;
        _error = error;
        _json = json;
    }

    /// <summary>Prints rows as a table, as tab-separated lines (-H), or as a JSON array (--json).</summary>
    public void Listing<T>(IReadOnlyList<T> rows, ListingView<T> view)
    {
        if (_json)
        {
            WriteJson(writer => view.WriteArray(writer, rows));
            return;
        }

        var ordered = view.Order(rows);
        if (view.Scripted)
        {
            // One write for all rows: standard output flushes every write.
            var lines = new StringBuilder();
            foreach (var row in ordered)
            {
                lines.AppendJoin('\t', view.Columns.Select(column => view.Cell(column, row))).Append(Environment.NewLine);
            }

            _output.Write(lines.ToString());
            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_output),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
        });
        if (Console.IsOutputRedirected)
        {
            // A pipe has no width: never wrap rows that scripts will split on whitespace.
            console.Profile.Width = 4096;
        }

        // Numbers line up on the right, as in df and zfs list. Each field is read once, for its cell and its column's alignment.
        var rightAligned = new bool[view.Columns.Count];
        var cells = new List<string[]>(ordered.Count);
        // Sizes repeat down a column (every snapshot of a subvolume has its size), and writing one out was most of a cell's cost.
        var sizes = new Dictionary<long, string>();
        foreach (var row in ordered)
        {
            var line = new string[view.Columns.Count];
            for (var index = 0; index < line.Length; index++)
            {
                var column = view.Columns[index];
                var value = column.Value(row);
                rightAligned[index] = rightAligned[index] || FieldValue.IsNumber(value);
                if (value is long bytes && column.Human is null)
                {
                    ref var text = ref CollectionsMarshal.GetValueRefOrAddDefault(sizes, bytes, out _);
                    line[index] = text ??= view.Cell(column, row, value);
                }
                else
                {
                    line[index] = view.Cell(column, row, value);
                }
            }

            cells.Add(line);
        }

        // Only into a pipe or a file, where Spectre's layout was compared byte for byte; a terminal gets Spectre's own.
        if (Console.IsOutputRedirected && PlainTable.TryWrite(_output, view.Columns.Select(column => column.Heading).ToList(), rightAligned, cells, console.Profile.Width))
        {
            return;
        }

        var table = new Table().Border(TableBorder.None).HideRowSeparators();
        for (var index = 0; index < view.Columns.Count; index++)
        {
            var tableColumn = new TableColumn(view.Columns[index].Heading).PadLeft(0).PadRight(2).NoWrap();
            table.AddColumn(rightAligned[index] ? tableColumn.RightAligned() : tableColumn);
        }

        foreach (var row in cells)
        {
            table.AddRow(row.Select(cell => new Text(cell)).ToArray());
        }

        console.Write(table);
    }

    /// <summary>Prints one row, such as a pool's status: a table of one line, or a JSON object.</summary>
    public void Row<T>(T row, ListingView<T> view)
    {
        if (_json)
        {
            WriteJson(writer => view.WriteObject(writer, row));
            return;
        }

        Listing([row], view);
    }

    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        _output.WriteLine(JsonSerializer.Serialize(value, typeInfo));
    }

    /// <summary>Prints one JSON document that the caller writes, such as what a mutation did.</summary>
    public void WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        // Decoded a block at a time: the document of a listing of thousands of rows is not made one string twice its size.
        var decoder = Encoding.UTF8.GetDecoder();
        var block = new char[Math.Min(buffer.WrittenCount, JsonBlockLength)];
        var rest = buffer.WrittenSpan;
        while (!rest.IsEmpty)
        {
            decoder.Convert(rest, block, flush: true, out var bytesUsed, out var charsUsed, out _);
            _output.Write(block, 0, charsUsed);
            rest = rest[bytesUsed..];
        }

        _output.WriteLine();
    }

    /// <summary>Says what a mutation did, on standard output.</summary>
    public void Done(string message)
    {
        _output.WriteLine(message);
    }

    public void Warning(string message)
    {
        _error.WriteLine($"subvol: warning: {message}");
    }

    public void Note(string message)
    {
        _error.WriteLine($"subvol: note: {message}");
    }

    public void Error(string message)
    {
        _error.WriteLine($"subvol: error: {message}");
    }

    /// <summary>Runs a transfer with a progress bar (bytes, rate, time left) on a terminal, silently otherwise.</summary>
    public T Transfer<T>(string label, Func<IProgress<ReplicationProgress>?, T> transfer) => Transfer(label, show: true, transfer);

    /// <summary>
    /// Runs a transfer with a progress bar on standard error when <paramref name="show"/> is set and standard error is
    /// a terminal, even while standard input or output is a pipe (in 'send | receive' the bar is the only sign of life);
    /// silently otherwise.
    /// </summary>
    public T Transfer<T>(string label, bool show, Func<IProgress<ReplicationProgress>?, T> transfer)
    {
        if (!show || Console.IsErrorRedirected || _json)
        {
            return transfer(null);
        }

        // Spectre.Console takes a redirected standard input or output for a console that cannot redraw, and would
        // print the bar line by line; standard error is the terminal here, so it is told so.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_error),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context => transfer(new TransferProgress(context.AddTask(label))));
    }

    /// <summary>Runs a long step with a spinner on a terminal, silently otherwise.</summary>
    public T Progress<T>(string label, Func<T> step)
    {
        if (Console.IsErrorRedirected || _json)
        {
            return step();
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_error) });
        return console.Status().Start(label, _ => step());
    }
}
