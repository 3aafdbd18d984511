namespace Subvol.Cli.Output;

/// <summary>One column of a listing: its heading and how to print a row's cell.</summary>
internal sealed record Column<T>(string Heading, Func<T, string> Cell, bool AlignRight = false);
