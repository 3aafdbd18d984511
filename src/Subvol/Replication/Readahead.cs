using Microsoft.Win32.SafeHandles;
using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Asks the kernel for the data a send will read next, a window of bytes ahead of the reader.
/// Read one after another, scattered changed ranges wait for the device once each; advised
/// ahead, many of them are in flight together.
/// </summary>
internal sealed class Readahead(SafeFileHandle handle, string path, IEnumerable<ChangedRange> dataRanges)
{
    /// <summary>Large enough that a change of a few percent is all in flight at once, as a bare read of the changed ranges would have it; small beside any machine's memory.</summary>
    private const long Window = 256L << 20;

    private readonly IEnumerator<ChangedRange> _ranges = dataRanges.GetEnumerator();
    private ChangedRange? _current;
    private long _position;
    private long _read;
    private long _advised;

    /// <summary>The reader is about to read <paramref name="bytes"/> more; keep the window beyond them advised.</summary>
    public void Reading(long bytes)
    {
        _read += bytes;
        while (_advised < _read + Window)
        {
            if (_current is not { } range || _position >= range.End)
            {
                if (!_ranges.MoveNext())
                {
                    return;
                }

                _current = _ranges.Current;
                _position = _ranges.Current.Offset;
                continue;
            }

            var length = Math.Min(range.End - _position, _read + Window - _advised);
            FileAdvice.WillNeed(handle, path, _position, length);
            _position += length;
            _advised += length;
        }
    }
}
