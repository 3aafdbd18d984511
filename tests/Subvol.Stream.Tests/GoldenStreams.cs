using System.Runtime.CompilerServices;

namespace Subvol.Stream.Tests;

/// <summary>The fixed, deterministic generator of the committed version 1 and 2 fixtures under Fixtures/.</summary>
/// <remarks>The fixtures are what the tests read; this generator only made them, and must never be changed to match a new format.</remarks>
internal static class GoldenStreams
{
    public const string Full = "v1-full";
    public const string Incremental = "v1-incremental";
    public const string Compressed = "v1-compressed";
    public const string EncryptedFull = "v2-encrypted-full";
    public const string EncryptedIncremental = "v2-encrypted-incremental";

    /// <summary>Every fixture, in the order a base comes before what applies to it.</summary>
    public static readonly string[] All = [Full, Incremental, Compressed, EncryptedFull, EncryptedIncremental];

    public static readonly Guid FullGuid = new("11111111-2222-4333-8444-555555555555");
    public static readonly Guid IncrementalGuid = new("66666666-7777-4888-9999-aaaaaaaaaaaa");
    public static readonly Guid CompressedGuid = new("bbbbbbbb-cccc-4ddd-aeee-ffffffffffff");
    public static readonly Guid EncryptedFullGuid = new("c0ffee00-1234-4567-89ab-cdef01234567");
    public static readonly Guid EncryptedIncrementalGuid = new("deadbeef-7654-4321-8fed-cba987654321");

    private static readonly DateTimeOffset Taken = new(2025, 11, 28, 9, 30, 15, 123, 456, TimeSpan.Zero);

    /// <summary>The folder the tests read the fixtures from (copied next to the test assembly).</summary>
    public static string OutputFolder => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static byte[] Generate(string name) => name switch
    {
        Full => Samples.Write(new StreamHeader(1, 32768, 4096, FullGuid, null, "xfs", "home", "2025-11-28", Taken, 0, StreamCompression.None), writer =>
        {
            var random = new SplitMix64(1001);
            writer.WriteData(0, Bytes(random, 3000, compressible: false));
            writer.WriteHole(4096, 4096);
            writer.WriteData(8192, Bytes(random, 2048, compressible: true));
            writer.WriteData(16384, Bytes(random, 1000, compressible: false));
            writer.WriteHole(28672, 4096);
        }),
        Incremental => Samples.Write(new StreamHeader(1, 32768, 4096, IncrementalGuid, FullGuid, "xfs", "home", "2025-11-29", Taken.AddDays(1), 0, StreamCompression.None), writer =>
        {
            var random = new SplitMix64(1002);
            writer.WriteSizeChange(49152);
            writer.WriteData(1000, Bytes(random, 500, compressible: false));
            writer.WriteHole(8192, 4096);
            writer.WriteData(40000, Bytes(random, 1500, compressible: false));
        }),
        Compressed => Samples.Write(new StreamHeader(1, 65536, 512, CompressedGuid, null, "ext4", "var-lib", "hourly.0", Taken, 0, StreamCompression.Zstd), writer =>
        {
            var random = new SplitMix64(1003);
            writer.WriteData(0, Bytes(random, 16384, compressible: true));
            writer.WriteData(20480, Bytes(random, 1024, compressible: false));
            writer.WriteHole(32768, 32768);
        }),
        // The incremental one carries a different wrapped key, as after 'subvol key change': the receiver must take the newer one.
        EncryptedFull => Samples.Write(new StreamHeader(2, 32768, 4096, EncryptedFullGuid, null, "ext4", "vault", "2025-11-28", Taken, 0, StreamCompression.None) { WrappedKey = Bytes(new SplitMix64(2001), 96, compressible: false) }, writer =>
        {
            var random = new SplitMix64(1004);
            writer.WriteData(0, Bytes(random, 4096, compressible: false));
            writer.WriteHole(4096, 8192);
            writer.WriteData(20480, Bytes(random, 2048, compressible: false));
        }),
        EncryptedIncremental => Samples.Write(new StreamHeader(2, 32768, 4096, EncryptedIncrementalGuid, EncryptedFullGuid, "ext4", "vault", "2025-11-29", Taken.AddDays(1), 0, StreamCompression.None) { WrappedKey = Bytes(new SplitMix64(2002), 112, compressible: false) }, writer =>
        {
            var random = new SplitMix64(1005);
            writer.WriteData(4096, Bytes(random, 4096, compressible: false));
            writer.WriteHole(20480, 4096);
        }),
        _ => throw new ArgumentException($"no fixture {name}", nameof(name)),
    };

    /// <summary>The image a fixture starts from: the incremental fixture applies to what the full one rebuilds.</summary>
    public static string? BaseOf(string name) => name switch
    {
        Incremental => Full,
        EncryptedIncremental => EncryptedFull,
        _ => null,
    };

    /// <summary>Writes the named fixtures (with their bases' images), their dumps and their image hashes into the source tree.</summary>
    /// <remarks>Called by hand, once, when a format version is released, naming only that version's fixtures; rewriting released fixtures would hide exactly the breakage they exist to catch.</remarks>
    public static void WriteToSource(IReadOnlyCollection<string> names, [CallerFilePath] string here = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(here)!, "Fixtures");
        var images = new Dictionary<string, byte[]>();
        foreach (var name in All)
        {
            if (!names.Contains(name) && !names.Any(named => BaseOf(named) == name))
            {
                continue;
            }

            var stream = Generate(name);
            var text = new StringWriter();
            var image = new ImageSink(BaseOf(name) is { } baseName ? (byte[])images[baseName].Clone() : null);
            Samples.Read(stream, new TeeSink(new DumpSink(text, json: false), image));
            images[name] = image.Image!;
            if (!names.Contains(name))
            {
                continue;
            }

            File.WriteAllBytes(Path.Combine(folder, name + ".stream"), stream);
            File.WriteAllText(Path.Combine(folder, name + ".dump"), text.ToString());
            File.WriteAllText(Path.Combine(folder, name + ".image.sha256"), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(image.Image!)) + "\n");
        }
    }

    private static byte[] Bytes(SplitMix64 random, int length, bool compressible)
    {
        var bytes = new byte[length];
        if (compressible)
        {
            random.FillCompressible(bytes);
        }
        else
        {
            random.Fill(bytes);
        }

        return bytes;
    }
}
