namespace Subvol.Accounting;

/// <summary>One reading of every image of the pool: the figures of each image present, by NAME or NAME@SNAP, and the host bytes they hold between them.</summary>
internal sealed record UsageReading(IReadOnlyDictionary<string, ImageFigures> Images, long Allocated);
