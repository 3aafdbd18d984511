using Csi.V1;

namespace Subvol.Daemon.Tests.Infrastructure;

/// <summary>
/// A file-backed pool of 4 GiB (sparse) under a temporary directory named subvol-test-*, and subvold
/// serving it on a socket in that directory. Dispose stops the daemon, unmounts and detaches whatever
/// the tests left, exports the pool, and asserts that no mount and no loop device of the directory survived.
/// </summary>
public sealed class DaemonFixture : IDisposable
{
    public const string NodeId = "test-node";
    public const string TopologyKey = "topology.subvol.io/node";
    public const long MiB = 1 << 20;

    private readonly DirectoryInfo? _directory;
    private int _counter;

    public DaemonFixture()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            return;
        }

        _directory = Directory.CreateTempSubdirectory("subvol-test-");
        try
        {
            Pool.Create(PoolPath, ImagePath, 4L << 30, Registry, sparse: true);
            Daemon = new DaemonProcess(SocketPath, PoolPath, NodeId);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Root => _directory?.FullName ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public string PoolPath => Path.Combine(Root, "pool");

    public string ImagePath => Path.Combine(Root, "pool.img");

    public string SocketPath => Path.Combine(Root, "csi", "csi.sock");

    public PoolRegistry Registry => new(Path.Combine(Root, "config"));

    public DaemonProcess? Daemon { get; private set; }

    public Identity.IdentityClient Identity => Daemon!.Identity;

    public Controller.ControllerClient Controller => Daemon!.Controller;

    public Node.NodeClient Node => Daemon!.Node;

    public GroupController.GroupControllerClient GroupController => Daemon!.GroupController;

    public SnapshotMetadata.SnapshotMetadataClient SnapshotMetadata => Daemon!.SnapshotMetadata;

    public string SubvolumeImage(string volumeId) => Path.Combine(PoolPath, "subvolumes", volumeId + ".img");

    /// <summary>A name no other test uses, for volumes, snapshots and paths.</summary>
    public string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}";

    /// <summary>A path under the test directory whose parent exists, as the CO guarantees for a target path.</summary>
    public string NewPath(string name)
    {
        var parent = Path.Combine(Root, "kubelet", Unique(name));
        Directory.CreateDirectory(parent);
        return Path.Combine(parent, "mount");
    }

    /// <summary>A staging directory that exists, as the CO guarantees.</summary>
    public string NewStagingDirectory()
    {
        var path = NewPath("staging");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Stops subvold and starts a new one on the same socket and pool.</summary>
    public void Restart()
    {
        Daemon?.Dispose();
        Daemon = new DaemonProcess(SocketPath, PoolPath, NodeId);
    }

    /// <summary>A second subvold on its own socket, for tests of a daemon whose pool is missing.</summary>
    public DaemonProcess StartOther(string pool, params string[] moreArguments) => new(Path.Combine(Root, "other", Unique("csi") + ".sock"), pool, NodeId, moreArguments);

    public static VolumeCapability MountCapability(string fsType = "", VolumeCapability.Types.AccessMode.Types.Mode mode = VolumeCapability.Types.AccessMode.Types.Mode.SingleNodeWriter, params string[] flags)
    {
        var mount = new VolumeCapability.Types.MountVolume { FsType = fsType };
        mount.MountFlags.AddRange(flags);
        return new VolumeCapability { Mount = mount, AccessMode = new VolumeCapability.Types.AccessMode { Mode = mode } };
    }

    public static VolumeCapability BlockCapability(VolumeCapability.Types.AccessMode.Types.Mode mode = VolumeCapability.Types.AccessMode.Types.Mode.SingleNodeWriter) =>
        new() { Block = new VolumeCapability.Types.BlockVolume(), AccessMode = new VolumeCapability.Types.AccessMode { Mode = mode } };

    public static CreateVolumeRequest CreateRequest(string name, long requiredBytes, string fsType = "ext4", bool thin = false)
    {
        var request = new CreateVolumeRequest
        {
            Name = name,
            CapacityRange = new CapacityRange { RequiredBytes = requiredBytes },
            VolumeCapabilities = { MountCapability(fsType) },
        };
        if (thin)
        {
            request.Parameters["provisioning"] = "thin";
        }

        // Secrets travel with requests; the daemon must neither need nor log them.
        request.Secrets["password"] = SecretValue;
        return request;
    }

    /// <summary>A value that must never appear in the daemon's output.</summary>
    public const string SecretValue = "s3cr3t-value-never-logged";

    public Volume CreateVolume(string name, long requiredBytes, string fsType = "ext4", bool thin = false) =>
        Controller.CreateVolume(CreateRequest(name, requiredBytes, fsType, thin)).Volume;

    /// <summary>Stages and publishes a mount volume read-write, and returns the published path.</summary>
    public (string Staging, string Target) StageAndPublish(string volumeId, string fsType = "")
    {
        var staging = NewStagingDirectory();
        var target = NewPath("target");
        StageAndPublishAt(volumeId, staging, target, fsType);
        return (staging, target);
    }

    public void StageAndPublishAt(string volumeId, string staging, string target, string fsType = "")
    {
        var capability = MountCapability(fsType);
        Node.NodeStageVolume(new NodeStageVolumeRequest { VolumeId = volumeId, StagingTargetPath = staging, VolumeCapability = capability });
        Node.NodePublishVolume(new NodePublishVolumeRequest { VolumeId = volumeId, StagingTargetPath = staging, TargetPath = target, VolumeCapability = capability });
    }

    public void UnpublishAndUnstage(string volumeId, string staging, string target)
    {
        Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = volumeId, TargetPath = target });
        Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = volumeId, StagingTargetPath = staging });
    }

    public void Dispose()
    {
        if (_directory is null)
        {
            return;
        }

        var root = _directory.FullName;
        var cleanUp = new DirectoryCleanUp(root);
        cleanUp.Attempt("stopping subvold", () =>
        {
            var output = Daemon?.Output ?? "";
            Daemon?.Dispose();
            Daemon = null;
            if (output.Contains(SecretValue, StringComparison.Ordinal))
            {
                cleanUp.Report("subvold logged a secret");
            }
        });

        // What the tests left staged or published outside the pool: unmount deepest first.
        cleanUp.Attempt("unstaging leftovers", () =>
        {
            foreach (var target in Kernel.MountsUnder(root).Select(mount => mount.Target).Where(target => !Kernel.IsUnder(target, PoolPath)).OrderByDescending(target => target.Length))
            {
                cleanUp.Report($"left mounted by the tests: {target}");
                if (Tools.Run("umount", target).ExitCode != 0)
                {
                    Tools.Run("umount", "-l", target);
                }
            }
        });

        // Export unmounts every subvolume, detaches their loop devices, and unmounts the pool.
        cleanUp.Attempt("exporting", () =>
        {
            if (File.Exists(Path.Combine(PoolPath, ".subvol", "pool.db")))
            {
                Pool.Export(PoolPath, Registry);
            }
        });

        cleanUp.WaitUntilReleased();
        cleanUp.Report(Kernel.MountsUnder(root).Select(mount => $"still mounted after export: {mount.Target}"));
        cleanUp.Report(Kernel.LoopsUnder(root).Select(loop => $"still attached after export: {loop.DevicePath} ({loop.BackingFile})"));
        cleanUp.ReleaseLeftovers();
        cleanUp.DeleteDirectory();
        cleanUp.AssertNothingLeft();
    }
}

[CollectionDefinition(Name)]
public sealed class DaemonCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "subvold";
}
