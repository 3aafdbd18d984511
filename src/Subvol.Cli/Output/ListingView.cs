using System.Text.Json;

namespace Subvol.Cli.Output;

/// <summary>
/// A listing as the command line asked for it: the table's columns, the JSON fields (every field
/// unless -o chose), the order, and whether it is for a script (-H) or wants exact numbers (-p).
/// </summary>
internal sealed record ListingView<T>(
    IReadOnlyList<Column<T>> Columns,
    IReadOnlyList<Column<T>> JsonColumns,
    Column<T>? SortBy,
    bool Descending,
    bool Scripted,
    bool Parsable)
{
    /// <summary>The rows in the order asked for; a stable sort, so rows that tie keep the engine's order.</summary>
    public IReadOnlyList<T> Order(IEnumerable<T> rows)
    {
        if (SortBy is not { } column)
        {
            return rows.ToList();
        }

        var comparer = Comparer<object?>.Create(FieldValue.Compare);
        return Descending
            ? rows.OrderByDescending(column.Value, comparer).ToList()
            : rows.OrderBy(column.Value, comparer).ToList();
    }

    public string Cell(Column<T> column, T row) => Cell(column, row, column.Value(row));

    /// <summary>The cell of a field whose value the caller has read already.</summary>
    public string Cell(Column<T> column, T row, object? value)
    {
        if (Parsable)
        {
            return FieldValue.Exact(value);
        }

        return column.Human is { } human ? human(row) : FieldValue.Human(value);
    }

    public void WriteObject(Utf8JsonWriter writer, T row)
    {
        writer.WriteStartObject();
        foreach (var column in JsonColumns)
        {
            FieldValue.Write(writer, column.Name, column.Value(row));
        }

        writer.WriteEndObject();
    }

    public void WriteArray(Utf8JsonWriter writer, IEnumerable<T> rows)
    {
        writer.WriteStartArray();
        foreach (var row in Order(rows))
        {
            WriteObject(writer, row);
        }

        writer.WriteEndArray();
    }
}
