using System.Text.Json;

namespace Subvol.Cli.Output;

/// <summary>
/// What a verb that changes something prints with --json: one object whose "changed" says whether
/// anything changed (false for a repeat that found it done), beside what it made or touched, each
/// in the shape its listing gives it.
/// </summary>
internal static class Mutation
{
    public static bool Changed(Outcome outcome) => outcome is Outcome.Created or Outcome.Deleted or Outcome.Changed;

    public static void Write(Reporter reporter, bool changed, Action<Utf8JsonWriter> fields) =>
        reporter.WriteJson(writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("changed", changed);
            fields(writer);
            writer.WriteEndObject();
        });

    /// <summary>A subvolume or snapshot, under "subvolume" or "snapshot" as its type says.</summary>
    public static void Image(Utf8JsonWriter writer, ImageRow row) => ImageRow.Listing.WriteObject(writer, row.Type, row);
}
