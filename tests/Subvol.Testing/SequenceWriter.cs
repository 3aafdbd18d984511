using System.Buffers.Binary;

namespace Subvol.Testing;

/// <summary>
/// Writes 1, 2, 3… in place to the first file and then to the second, without pause, until stopped: a snapshot of
/// both taken at one instant never shows the second ahead of the first, and one taken file by file can.
/// </summary>
public sealed class SequenceWriter : IDisposable
{
    private readonly Thread _thread;
    private readonly string _first;
    private readonly string _second;
    private volatile bool _stopping;
    private long _written;

    public SequenceWriter(string first, string second)
    {
        _first = first;
        _second = second;
        _thread = new Thread(Write) { IsBackground = true, Name = "sequence writer" };
        _thread.Start();
    }

    public long Written => Interlocked.Read(ref _written);

    public Exception? Failure { get; private set; }

    public void Stop()
    {
        _stopping = true;
        _thread.Join();
    }

    public void Dispose() => Stop();

    private void Write()
    {
        try
        {
            using var first = new FileStream(_first, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
            using var second = new FileStream(_second, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
            var bytes = new byte[8];
            for (long sequence = 1; !_stopping; sequence++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes, sequence);
                foreach (var file in new[] { first, second })
                {
                    file.Position = 0;
                    file.Write(bytes);
                    file.Flush();
                }

                Interlocked.Exchange(ref _written, sequence);
            }
        }
        catch (Exception exception)
        {
            Failure = exception;
        }
    }
}
