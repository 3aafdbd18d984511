namespace Subvol.Cli.Output;

/// <summary>
/// One field of a listing: its name, which is at once the JSON field, the -o and -s column and, in
/// upper case, the table heading, so the three never disagree; and how to read it from a row. A
/// value is text, a byte count (long), a count (int), a ratio (double), a flag, a time, a GUID, a
/// list of texts (an array in JSON, comma-separated in a table) or null; Human, when given, says it
/// differently in a table meant for people.
/// </summary>
internal sealed record Column<T>(string Name, Func<T, object?> Value, Func<T, string>? Human = null)
{
    public string Heading => Name.ToUpperInvariant();
}
