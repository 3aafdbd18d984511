namespace Subvol.Stream;

/// <summary>Every number that fixes the byte layout of the replication stream, grouped by format version.</summary>
/// <remarks>docs/stream-format.md is the prose form of this file; change both together, and never change a released version.</remarks>
internal static class StreamConstants
{
    /// <summary>"\x89SVS\r\n\x1a\n": the high byte and the line endings catch 7-bit and text-mode transports, as PNG's signature does.</summary>
    public static ReadOnlySpan<byte> Magic => [0x89, 0x53, 0x56, 0x53, 0x0D, 0x0A, 0x1A, 0x0A];

    public const int MagicLength = 8;

    /// <summary>The magic and the version come first in every version, so a reader can refuse what it does not know before parsing more.</summary>
    public const int PreambleLength = MagicLength + 4;

    /// <summary>The version written for a stream without a wrapped key; it stays 1 so that older receivers still read such streams.</summary>
    public const int CurrentVersion = V1.FormatVersion;

    /// <summary>The version written for a stream that carries a wrapped key: the newest this library writes.</summary>
    public const int EncryptedVersion = V2.FormatVersion;

    /// <summary>Format version 1.</summary>
    public static class V1
    {
        public const int FormatVersion = 1;

        // Header: fixed part, then the two names, then the header checksum.
        public const int HeaderFixedLength = 80;
        public const int HeaderVersionOffset = 8;
        public const int HeaderFlagsOffset = 12;
        public const int HeaderImageSizeOffset = 16;
        public const int HeaderBlockSizeOffset = 24;
        public const int HeaderTargetGuidOffset = 28;
        public const int HeaderBaseGuidOffset = 44;
        public const int HeaderFileSystemOffset = 60;
        public const int HeaderSubvolumeNameLengthOffset = 61;
        public const int HeaderSnapshotNameLengthOffset = 62;
        public const int HeaderReservedOffset = 63;
        public const int HeaderCreatedAtOffset = 64;
        public const int HeaderResumeOffsetOffset = 72;

        public const uint HeaderFlagZstd = 1;
        public const uint HeaderKnownFlags = HeaderFlagZstd;

        public const byte FileSystemXfs = 1;
        public const byte FileSystemExt4 = 2;

        /// <summary>NAME_MAX: a name must fit one directory entry on the receiver.</summary>
        public const int MaxNameBytes = 255;

        public const int MinBlockSize = 512;
        public const int MaxBlockSize = 65536;

        /// <summary>2^56 bytes (64 PiB) is beyond any loop image and leaves headroom so that sums of two sizes cannot overflow.</summary>
        public const long MaxImageSize = 1L << 56;

        // Record: a 24-byte head, the payload, then the chained checksum.
        public const int RecordHeadLength = 24;
        public const int RecordKindOffset = 0;
        public const int RecordFlagsOffset = 1;
        public const int RecordReservedOffset = 2;
        public const int RecordPayloadLengthOffset = 4;
        public const int RecordFirstOffset = 8;
        public const int RecordSecondOffset = 16;

        public const int ChecksumLength = 8;

        public const byte RecordFlagZstd = 1;

        /// <summary>The largest raw payload of one data record: the reader never allocates more than this for a record.</summary>
        public const int MaxDataPayload = 1 << 20;

        /// <summary>A data record's compressed frame may not ask for a window larger than its raw payload can need.</summary>
        public const int ZstdWindowLogMax = 20;

        /// <summary>The zstd level is the writer's choice, not part of the format; 3 is zstd's default balance.</summary>
        public const int ZstdLevel = 3;

        public const int EndPayloadLength = 4 * 8 + DigestLength;
        public const int EndDigestOffset = 4 * 8;

        /// <summary>SHA-256 of every stream byte before the digest field.</summary>
        public const int DigestLength = 32;

        /// <summary>The seed of the checksum chain: the header's checksum uses it; every later checksum is seeded with the one before.</summary>
        public const long ChainSeed = 0;
    }

    /// <summary>Format version 2: version 1 with a wrapped key between the snapshot name and the header checksum; records are unchanged.</summary>
    public static class V2
    {
        public const int FormatVersion = 2;

        /// <summary>The u16 length of the wrapped key follows the snapshot name.</summary>
        public const int WrappedKeyLengthLength = 2;

        /// <summary>A wrapped key is a few hundred bytes at most; the bound keeps a hostile header from asking for much memory.</summary>
        public const int MaxWrappedKeyBytes = 4096;
    }

    /// <summary>Resume token version 1.</summary>
    public static class ResumeTokenV1
    {
        public const byte TokenVersion = 1;
        public const byte FlagHasBase = 1;

        /// <summary>version, flags, target GUID, base GUID, offset, image size, XxHash3 checksum.</summary>
        public const int BinaryLength = 1 + 1 + 16 + 16 + 8 + 8 + 8;

        /// <summary>Unpadded base64url of <see cref="BinaryLength"/> bytes.</summary>
        public const int TextLength = (BinaryLength * 8 + 5) / 6;

        /// <summary>"SUBVTKN" in ASCII: seeds the token checksum apart from the stream chain, so that neither can stand in for the other.</summary>
        public const long ChecksumSeed = 0x53_5542_5654_4B4E;
    }
}
