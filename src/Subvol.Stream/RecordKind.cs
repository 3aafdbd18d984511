namespace Subvol.Stream;

/// <summary>The first byte of every record.</summary>
internal enum RecordKind : byte
{
    Data = 1,
    Hole = 2,
    SizeChange = 3,
    End = 4,
}
