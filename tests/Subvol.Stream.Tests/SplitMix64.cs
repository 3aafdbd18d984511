namespace Subvol.Stream.Tests;

/// <summary>A seeded generator whose sequence is fixed by its definition, so that fixtures and fuzz cases never change with the runtime's Random.</summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, bound).</summary>
    public int Below(int bound) => (int)(Next() % (ulong)bound);

    /// <summary>A number in [low, high].</summary>
    public int Between(int low, int high) => low + Below(high - low + 1);

    public bool Chance(int percent) => Below(100) < percent;

    public void Fill(Span<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)Next();
        }
    }

    /// <summary>Bytes that compress well: a short random pattern repeated.</summary>
    public void FillCompressible(Span<byte> bytes)
    {
        Span<byte> pattern = stackalloc byte[Between(1, 16)];
        Fill(pattern);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = pattern[i % pattern.Length];
        }
    }

    public Guid NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Fill(bytes);
        return new Guid(bytes, bigEndian: true);
    }
}
