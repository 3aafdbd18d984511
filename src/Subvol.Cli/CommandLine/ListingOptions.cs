using System.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.CommandLine;

/// <summary>The options of a listing, as 'zfs list' has them: -H, -p, -o COLUMNS, -s COLUMN and -S COLUMN.</summary>
internal sealed class ListingOptions<T>(Listing<T> listing)
{
    private readonly Option<bool> _scripted = new("-H") { Description = "No headings, and fields separated by one tab, for scripts" };
    private readonly Option<bool> _parsable = new("-p") { Description = "Exact numbers: bytes, and times as seconds since 1970" };
    private readonly Option<string?> _columns = new("-o")
    {
        Description = $"The columns to show, in order, separated by commas: {string.Join(",", listing.Columns.Select(column => column.Name))}",
        HelpName = "COLUMNS",
    };

    private readonly Option<string?> _sort = new("-s") { Description = "Sort by this column, ascending", HelpName = "COLUMN" };
    private readonly Option<string?> _sortDescending = new("-S") { Description = "Sort by this column, descending", HelpName = "COLUMN" };

    public void AddTo(Command command)
    {
        command.Add(_scripted);
        command.Add(_parsable);
        command.Add(_columns);
        command.Add(_sort);
        command.Add(_sortDescending);
    }

    /// <summary>The view the command line chose; a column the listing lacks is refused here, before anything is opened.</summary>
    public ListingView<T> View(CommandContext context, IReadOnlyList<string>? defaultColumns = null)
    {
        var ascending = context.Get(_sort);
        var descending = context.Get(_sortDescending);
        if (ascending is not null && descending is not null)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, "-s and -S both choose the order; give one of them");
        }

        return listing.View(
            context.Get(_columns),
            defaultColumns,
            ascending is not null ? ("-s", ascending) : descending is not null ? ("-S", descending) : null,
            descending is not null,
            context.Get(_scripted),
            context.Get(_parsable));
    }
}
