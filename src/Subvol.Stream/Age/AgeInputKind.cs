namespace Subvol.Stream.Age;

/// <summary>What the first bytes of an input are, as far as age is concerned.</summary>
public enum AgeInputKind
{
    /// <summary>Not age at all (a replication stream, for one).</summary>
    None,

    /// <summary>An age v1 file in its binary form, which Subvol reads.</summary>
    Binary,

    /// <summary>An age file in ASCII armor, which <c>age -d</c> reads.</summary>
    Armored,

    /// <summary>A version of age after v1.</summary>
    OtherVersion,
}
