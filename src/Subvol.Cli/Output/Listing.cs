using System.Text.Json;

namespace Subvol.Cli.Output;

/// <summary>Everything a listing can show about a row, and the columns a table shows when -o does not choose.</summary>
internal sealed class Listing<T>(IReadOnlyList<Column<T>> columns, IReadOnlyList<string> defaultColumns)
{
    public IReadOnlyList<Column<T>> Columns { get; } = columns;

    /// <summary>A row with every field, as a mutation's --json shows what it made or touched.</summary>
    public void WriteObject(Utf8JsonWriter writer, string property, T row)
    {
        writer.WritePropertyName(property);
        Everything.WriteObject(writer, row);
    }

    public void WriteArray(Utf8JsonWriter writer, string property, IEnumerable<T> rows)
    {
        writer.WritePropertyName(property);
        Everything.WriteArray(writer, rows);
    }

    private ListingView<T> Everything => new(Columns, Columns, null, false, false, false);

    /// <summary>Resolves -o, -s and -S against the columns; a name that is none of them is one error listing them all.</summary>
    public ListingView<T> View(string? chosen, IReadOnlyList<string>? defaults, (string Option, string Name)? sortBy, bool descending, bool scripted, bool parsable)
    {
        var selected = chosen is null
            ? null
            : chosen.Split(',', StringSplitOptions.TrimEntries).Select(name => Find("-o", name)).ToList();
        var shown = selected ?? (defaults ?? defaultColumns).Select(name => Find("-o", name)).ToList();
        return new ListingView<T>(
            shown,
            selected ?? Columns,
            sortBy is { } sort ? Find(sort.Option, sort.Name) : null,
            descending,
            scripted,
            parsable);
    }

    private Column<T> Find(string option, string name) =>
        Columns.FirstOrDefault(column => string.Equals(column.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new SubvolException(
            SubvolErrorCode.InvalidArgument,
            $"{option} has no column {Printable.Quote(name)}; choose from {string.Join(", ", Columns.Select(column => column.Name))}");
}
