using Microsoft.Win32.SafeHandles;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Replication;

/// <summary>
/// The subvolume's next image: a reflink clone of the received image, made on a thread of its own the moment the
/// whole stream has verified, while the receive syncs what it wrote. Moving the subvolume to the received snapshot
/// is then a rename of an image already made. Cloning range by range as the stream arrived cost more than this
/// one clone, since it cloned the base first and then made a call per range, competing with the receive for the
/// CPU. The image is an unnamed file in incoming/, so nothing of it outlives a killed receive; whatever fails makes
/// it give up, and the receive then clones the published snapshot instead.
/// </summary>
internal sealed class NextImage : IDisposable
{
    private readonly SafeFileHandle _received;
    private readonly SafeFileHandle _image;
    private readonly string _description;
    private Thread? _worker;
    private volatile bool _made;

    private NextImage(SafeFileHandle received, SafeFileHandle image, string description)
    {
        _received = received;
        _image = image;
        _description = description;
    }

    /// <param name="receivedPath">The received image, as the receive writes it.</param>
    public static NextImage Open(PoolFiles files, string incomingDirectory, string receivedPath)
    {
        var received = files.OpenFile(receivedPath, FileAccess.Read);
        try
        {
            return new NextImage(received, files.CreateUnnamedFile(incomingDirectory), $"the next image of the subvolume in {incomingDirectory}");
        }
        catch
        {
            received.Dispose();
            throw;
        }
    }

    /// <summary>The received image holds the whole verified stream: start cloning it.</summary>
    public void Begin()
    {
        _worker = new Thread(Clone) { IsBackground = true, Name = "next image" };
        _worker.Start();
    }

    /// <summary>Waits for the clone; the image, still unnamed, if it was made, else null.</summary>
    public SafeFileHandle? Finish()
    {
        _worker?.Join();
        return _made ? _image : null;
    }

    public void Dispose()
    {
        _worker?.Join();
        _received.Dispose();
        _image.Dispose();
    }

    private void Clone()
    {
        try
        {
            // One FICLONE shares every extent of the image or fails; it writes back what the receive still has in flight first.
            Reflink.Clone(_received, _image, _description);
            _made = true;
        }
        catch (Exception)
        {
            // Giving up costs only time: the receive then clones the published snapshot, which reports its own errors;
            // an exception left to escape this thread would end the receive instead.
        }
    }
}
