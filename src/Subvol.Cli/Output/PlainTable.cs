using System.Text;

namespace Subvol.Cli.Output;

/// <summary>
/// Writes a listing's table into a pipe or a file as Spectre.Console lays out a borderless table of
/// columns that never wrap, without its per-cell rendering, which cost most of a listing of thousands
/// of snapshots. It takes only tables of plain ASCII text that fit the width, whose layout is simple;
/// the rest go to Spectre.
/// </summary>
internal static class PlainTable
{
    /// <summary>Spaces after every column but the last, as the table's PadRight(2).</summary>
    private const int Gap = 2;

    /// <summary>Characters written at once, within standard output's buffer.</summary>
    private const int BlockLength = 16 * 1024;

    /// <returns>False, having written nothing, when the table is not one it lays out.</returns>
    public static bool TryWrite(TextWriter output, IReadOnlyList<string> headings, IReadOnlyList<bool> rightAligned, IReadOnlyList<string[]> rows, int width)
    {
        var widths = new int[headings.Count];
        for (var column = 0; column < headings.Count; column++)
        {
            if (!IsPlain(headings[column]))
            {
                return false;
            }

            widths[column] = headings[column].Length;
        }

        foreach (var row in rows)
        {
            for (var column = 0; column < row.Length; column++)
            {
                if (!IsPlain(row[column]))
                {
                    return false;
                }

                widths[column] = Math.Max(widths[column], row[column].Length);
            }
        }

        if (widths.Sum() + (Gap * (widths.Length - 1)) > width)
        {
            return false;
        }

        // A block of lines at a time through one buffer: standard output flushes every write, so a line at a time cost a
        // system call per row, and the whole table as one string cost its size twice over in memory never used again.
        var lineLength = widths.Sum() + (Gap * (widths.Length - 1)) + Environment.NewLine.Length;
        var block = new StringBuilder(BlockLength + lineLength);
        AppendLine(block, headings, widths, rightAligned);
        foreach (var row in rows)
        {
            AppendLine(block, row, widths, rightAligned);
            if (block.Length >= BlockLength)
            {
                output.Write(block);
                block.Clear();
            }
        }

        output.Write(block);
        return true;
    }

    private static void AppendLine(StringBuilder line, IReadOnlyList<string> cells, int[] widths, IReadOnlyList<bool> rightAligned)
    {
        for (var column = 0; column < cells.Count; column++)
        {
            var padding = widths[column] - cells[column].Length;
            if (rightAligned[column])
            {
                line.Append(' ', padding).Append(cells[column]);
            }
            else
            {
                line.Append(cells[column]).Append(' ', padding);
            }

            if (column < cells.Count - 1)
            {
                line.Append(' ', Gap);
            }
        }

        line.Append(Environment.NewLine);
    }

    /// <summary>Printable ASCII, one terminal cell per character; Spectre measures anything else its own way.</summary>
    private static bool IsPlain(string text) => !text.AsSpan().ContainsAnyExceptInRange(' ', '~');
}
