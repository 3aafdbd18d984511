namespace Subvol.Stream.Age;

/// <summary>One recipient stanza of an age header: its type, its arguments and its body (a wrapped file key).</summary>
internal sealed record AgeStanza(string Type, IReadOnlyList<string> Arguments, byte[] Body);
