namespace Subvol.Linux.Tests;

/// <summary>Tests that share one loop-mounted XFS with reflink; they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class XfsPoolCollection : ICollectionFixture<XfsPoolFixture>
{
    public const string Name = "XFS pool";
}
