using Csi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Subvol.Daemon.Csi;
using Subvol.Daemon.Errors;
using Subvol.Daemon.Logging;
using RpcType = Csi.V1.ControllerServiceCapability.Types.RPC.Types.Type;

namespace Subvol.Daemon.Services;

/// <summary>CSI Controller: volumes and snapshots in this node's pool.</summary>
internal sealed class ControllerService(DaemonOptions options, PoolGate gate, ILogger<ControllerService> logger) : Controller.ControllerBase
{
    private static readonly RpcType[] Capabilities =
    [
        RpcType.CreateDeleteVolume, RpcType.GetCapacity, RpcType.CreateDeleteSnapshot, RpcType.ListSnapshots, RpcType.CloneVolume, RpcType.ExpandVolume,
        RpcType.ListVolumes, RpcType.ListVolumesPublishedNodes, RpcType.ModifyVolume,
    ];

    public override Task<ControllerGetCapabilitiesResponse> ControllerGetCapabilities(ControllerGetCapabilitiesRequest request, ServerCallContext context)
    {
        var response = new ControllerGetCapabilitiesResponse();
        response.Capabilities.AddRange(Capabilities.Select(type => new ControllerServiceCapability { Rpc = new ControllerServiceCapability.Types.RPC { Type = type } }));
        return Task.FromResult(response);
    }

    public override async Task<CreateVolumeResponse> CreateVolume(CreateVolumeRequest request, ServerCallContext context)
    {
        Require(request.Name, "name");
        if (request.VolumeCapabilities.Count == 0)
        {
            throw ErrorStatus.Missing("volume_capabilities");
        }

        var parameters = VolumeParameters.Parse(request.Parameters);

        // A VolumeAttributesClass named at creation overrides the StorageClass, as ControllerModifyVolume would later.
        var provisioning = request.MutableParameters.Count > 0 && SubvolumeSettings.Parse(request.MutableParameters).Provisioning is { } chosen ? chosen : parameters.Provisioning;
        foreach (var capability in request.VolumeCapabilities)
        {
            if (VolumeCapabilities.Problem(capability, parameters.FileSystem) is { } problem)
            {
                throw ErrorStatus.Invalid(problem);
            }
        }

        if (!NodeTopology.Allows(request.AccessibilityRequirements, options.NodeId))
        {
            throw ErrorStatus.ResourceExhausted($"this driver serves node {options.NodeId} only, which the requisite topology excludes");
        }

        var fileSystem = VolumeCapabilities.NamedFileSystem(request.VolumeCapabilities, parameters.FileSystem) ?? VolumeCapabilities.DefaultFileSystem(request.VolumeCapabilities);
        var name = VolumeNames.Subvolume(request.Name);
        var source = request.VolumeContentSource;
        var named = VolumeCapabilities.NamedFileSystem(request.VolumeCapabilities, parameters.FileSystem);
        var (outcome, volume) = await gate.Run(pool => Provision(pool, name, request.CapacityRange, named, fileSystem, provisioning, source), context.CancellationToken);
        logger.VolumeCreated(name, outcome, volume.Size);
        return new CreateVolumeResponse
        {
            Volume = new Volume
            {
                VolumeId = volume.Name,
                CapacityBytes = volume.Size,
                ContentSource = source,
                AccessibleTopology = { NodeTopology.For(options.NodeId) },
            },
        };
    }

    public override async Task<DeleteVolumeResponse> DeleteVolume(DeleteVolumeRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        if (VolumeNames.ParseVolumeId(request.VolumeId) is not { } name)
        {
            // An ID this driver could never have made names no volume; deleting it has nothing to do.
            return new DeleteVolumeResponse();
        }

        var outcome = await gate.Run(pool =>
        {
            if (pool.FindSubvolume(name) is { } volume && !IsOurs(volume.Creator))
            {
                throw ErrorStatus.FailedPrecondition(NotOurs($"volume {name}", $"subvol delete {name}"));
            }

            if (pool.FindAttachedDevice(name) is { } device)
            {
                throw ErrorStatus.FailedPrecondition($"volume {name} is attached to {device} as a block device; unstage it first");
            }

            return pool.DeleteSubvolume(name, recursive: false);
        }, context.CancellationToken);
        logger.VolumeDeleted(name, outcome);
        return new DeleteVolumeResponse();
    }

    public override async Task<ValidateVolumeCapabilitiesResponse> ValidateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        if (request.VolumeCapabilities.Count == 0)
        {
            throw ErrorStatus.Missing("volume_capabilities");
        }

        var volume = await gate.Run(pool => RequireVolume(pool, request.VolumeId), context.CancellationToken);
        var problems = request.VolumeCapabilities.Select(capability => VolumeCapabilities.Problem(capability, volume.FileSystem)).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            return new ValidateVolumeCapabilitiesResponse { Message = string.Join("; ", problems) };
        }

        return new ValidateVolumeCapabilitiesResponse
        {
            Confirmed = new ValidateVolumeCapabilitiesResponse.Types.Confirmed
            {
                VolumeContext = { request.VolumeContext },
                VolumeCapabilities = { request.VolumeCapabilities },
                Parameters = { request.Parameters },
            },
        };
    }

    public override async Task<ListVolumesResponse> ListVolumes(ListVolumesRequest request, ServerCallContext context)
    {
        if (request.MaxEntries < 0)
        {
            throw ErrorStatus.Invalid("max_entries cannot be negative");
        }

        string? after = null;
        if (request.StartingToken.Length > 0 && (after = VolumeListToken.TryDecode(request.StartingToken)) is null)
        {
            throw ErrorStatus.Aborted($"starting_token '{request.StartingToken}' is not one this driver gave out; list again from the start");
        }

        var limit = request.MaxEntries == 0 ? int.MaxValue : request.MaxEntries;
        var (page, more) = await gate.Run(pool => ListPage(pool, after, limit), context.CancellationToken);
        var response = new ListVolumesResponse();
        response.Entries.AddRange(page.Select(entry => new ListVolumesResponse.Types.Entry
        {
            Volume = new Volume
            {
                VolumeId = entry.Volume.Name,
                CapacityBytes = entry.Volume.Size,
                AccessibleTopology = { NodeTopology.For(options.NodeId) },
            },

            // The engine knows whether this node's kernel has the image mounted (staged or published) or attached as a
            // block device; a volume of this single-node driver can be in use on no other node, so that is the whole answer.
            Status = new ListVolumesResponse.Types.VolumeStatus { PublishedNodeIds = { entry.InUse ? [options.NodeId] : Array.Empty<string>() } },
        }));
        if (more && page.Count > 0)
        {
            response.NextToken = VolumeListToken.After(page[^1].Volume.Name);
        }

        return response;
    }

    public override async Task<GetCapacityResponse> GetCapacity(GetCapacityRequest request, ServerCallContext context)
    {
        var parameters = VolumeParameters.Parse(request.Parameters);
        var fileSystem = VolumeCapabilities.NamedFileSystem(request.VolumeCapabilities, parameters.FileSystem) ?? VolumeCapabilities.DefaultFileSystem(request.VolumeCapabilities);
        var minimum = FileSystemKind.MinimumSize(fileSystem);
        var unusable = request.VolumeCapabilities.Any(capability => VolumeCapabilities.Problem(capability, null) is not null)
            || (request.AccessibleTopology is { } topology && !NodeTopology.Includes(topology, options.NodeId));
        if (unusable)
        {
            return new GetCapacityResponse { AvailableCapacity = 0, MinimumVolumeSize = minimum };
        }

        var available = await gate.Run(pool => pool.Status().CapacityFor(parameters.Provisioning), context.CancellationToken);
        return new GetCapacityResponse
        {
            AvailableCapacity = available,
            MaximumVolumeSize = available,
            MinimumVolumeSize = minimum,
        };
    }

    public override async Task<ControllerExpandVolumeResponse> ControllerExpandVolume(ControllerExpandVolumeRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        if (request.CapacityRange is null)
        {
            throw ErrorStatus.Missing("capacity_range");
        }

        var (outcome, volume) = await gate.Run(pool => Expand(pool, request.VolumeId, request.CapacityRange), context.CancellationToken);
        logger.VolumeExpanded(volume.Name, outcome, volume.Size);

        // The engine grows the filesystem too, online where it is mounted: the node has nothing left to do.
        return new ControllerExpandVolumeResponse { CapacityBytes = volume.Size, NodeExpansionRequired = false };
    }

    public override async Task<ControllerModifyVolumeResponse> ControllerModifyVolume(ControllerModifyVolumeRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        if (request.MutableParameters.Count == 0)
        {
            throw ErrorStatus.Missing("mutable_parameters");
        }

        // Read whole before the pool is touched: one unknown key or value changes nothing.
        var settings = SubvolumeSettings.Parse(request.MutableParameters);
        await gate.Run(pool =>
        {
            RequireVolume(pool, request.VolumeId);
            return pool.ChangeSubvolume(request.VolumeId, settings);
        }, context.CancellationToken);
        return new ControllerModifyVolumeResponse();
    }

    public override async Task<CreateSnapshotResponse> CreateSnapshot(CreateSnapshotRequest request, ServerCallContext context)
    {
        Require(request.SourceVolumeId, "source_volume_id");
        Require(request.Name, "name");
        var name = VolumeNames.Snapshot(request.Name);
        var (outcome, snapshot) = await gate.Run(pool =>
        {
            RequireVolume(pool, request.SourceVolumeId);
            return pool.EnsureSnapshot(request.SourceVolumeId, name, IdentityService.DriverName);
        }, context.CancellationToken);
        logger.SnapshotCreated(snapshot.FullName, outcome);
        return new CreateSnapshotResponse { Snapshot = Describe(snapshot) };
    }

    public override async Task<DeleteSnapshotResponse> DeleteSnapshot(DeleteSnapshotRequest request, ServerCallContext context)
    {
        Require(request.SnapshotId, "snapshot_id");
        if (VolumeNames.ParseSnapshotId(request.SnapshotId) is not { } reference)
        {
            return new DeleteSnapshotResponse();
        }

        var outcome = await gate.Run(pool =>
        {
            if (pool.FindSnapshots(reference.Subvolume, reference.Snapshot) is not [var snapshot, ..])
            {
                return Outcome.AlreadyGone;
            }

            return IsOurs(snapshot.Creator)
                ? pool.DestroySnapshot(reference)
                : throw ErrorStatus.FailedPrecondition(NotOurs($"snapshot {reference}", $"subvol destroy {reference}"));
        }, context.CancellationToken);
        logger.SnapshotDeleted(reference.ToString(), outcome);
        return new DeleteSnapshotResponse();
    }

    public override async Task<ListSnapshotsResponse> ListSnapshots(ListSnapshotsRequest request, ServerCallContext context)
    {
        if (request.MaxEntries < 0)
        {
            throw ErrorStatus.Invalid("max_entries cannot be negative");
        }

        var snapshots = await gate.Run(pool => Select(pool, request), context.CancellationToken);
        var start = 0;
        if (request.StartingToken.Length > 0
            && (!int.TryParse(request.StartingToken, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out start) || start > snapshots.Count))
        {
            throw ErrorStatus.Aborted($"starting_token '{request.StartingToken}' is not one this driver gave out; list again from the start");
        }

        var page = snapshots.Skip(start).Take(request.MaxEntries == 0 ? int.MaxValue : request.MaxEntries).ToList();
        var response = new ListSnapshotsResponse();
        response.Entries.AddRange(page.Select(snapshot => new ListSnapshotsResponse.Types.Entry { Snapshot = Describe(snapshot) }));
        if (start + page.Count < snapshots.Count)
        {
            response.NextToken = (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return response;
    }

    /// <summary>Creates the subvolume, empty or from a snapshot or a volume, or finds the one an earlier call made.</summary>
    private static (Outcome Outcome, SubvolumeInfo Volume) Provision(Pool pool, string name, CapacityRange? range, string? namedFileSystem, string defaultFileSystem, Provisioning provisioning, VolumeContentSource? source)
    {
        var snapshotSource = source?.Snapshot is { } snapshotRequest ? RequireSnapshot(pool, snapshotRequest.SnapshotId) : null;
        var volumeSource = source?.Volume is { } volumeRequest ? SourceInfo.Of(RequireVolume(pool, volumeRequest.VolumeId)) : null;
        var origin = snapshotSource ?? volumeSource;
        if (origin is not null && namedFileSystem is not null && namedFileSystem != origin.FileSystem)
        {
            throw ErrorStatus.Invalid($"the source holds {origin.FileSystem}, but {namedFileSystem} was asked for");
        }

        var fileSystem = origin?.FileSystem ?? defaultFileSystem;
        if (pool.FindSubvolume(name) is { } existing)
        {
            return (Outcome.AlreadyExisted, Compatible(existing, range, fileSystem, source, snapshotSource));
        }

        if (origin is null)
        {
            var created = pool.CreateSubvolume(name, Capacity.Resolve(range, fileSystem), fileSystem, provisioning, IdentityService.DriverName);
            return (created.Outcome, created.Value);
        }

        var size = Capacity.Resolve(range, origin.FileSystem, floor: origin.Size);
        var clone = snapshotSource?.Reference is { } reference
            ? pool.CloneSnapshot(reference, name, provisioning, IdentityService.DriverName)
            : pool.CloneSubvolume(volumeSource!.Name, name, provisioning, IdentityService.DriverName);

        // A clone has its source's size; a larger request is honoured by growing it (CSI: capacity "MUST always be honored").
        var volume = size > origin.Size ? pool.Grow(name, size).Value : clone.Value;
        return (clone.Outcome, volume);
    }

    /// <summary>A repeated CreateVolume must ask for what exists; anything else is ALREADY_EXISTS.</summary>
    private static SubvolumeInfo Compatible(SubvolumeInfo existing, CapacityRange? range, string fileSystem, VolumeContentSource? source, SourceInfo? snapshotSource)
    {
        var problem =
            !IsOurs(existing.Creator) ? $"it was not created by the CSI driver {IdentityService.DriverName}, which does not adopt it"
            : !Capacity.Satisfies(range, existing.Size) ? $"it has {existing.Size} bytes, outside the requested range"
            : existing.FileSystem != fileSystem ? $"it holds {existing.FileSystem}, not {fileSystem}"
            : source is null or { TypeCase: VolumeContentSource.TypeOneofCase.None } && existing.OriginSnapshot is not null ? "it was made from a source, and this request names none"
            : source is { TypeCase: not VolumeContentSource.TypeOneofCase.None } && existing.OriginSnapshot is null ? "it was made empty, and this request names a source"
            : snapshotSource is not null && existing.OriginSnapshot != snapshotSource.Guid ? "it was made from another snapshot"
            : null;
        return problem is null ? existing : throw ErrorStatus.AlreadyExists($"volume {existing.Name} already exists and differs: {problem}");
    }

    private static (Outcome, SubvolumeInfo) Expand(Pool pool, string volumeId, CapacityRange range)
    {
        var volume = RequireVolume(pool, volumeId);
        if (range.LimitBytes > 0 && range.LimitBytes < volume.Size)
        {
            throw ErrorStatus.OutOfRange($"volume {volumeId} has {volume.Size} bytes already, above the limit of {range.LimitBytes}; volumes do not shrink");
        }

        var size = Capacity.Resolve(range, volume.FileSystem, floor: volume.Size);
        var result = pool.Grow(volumeId, size);
        return (result.Outcome, result.Value);
    }

    /// <summary>
    /// The driver's volumes after <paramref name="after"/> in ordinal order, up to <paramref name="limit"/>, and whether
    /// any name is left after them. Only the page's volumes are described, which costs a look at the kernel's mounts each.
    /// </summary>
    private static (List<(SubvolumeInfo Volume, bool InUse)> Page, bool More) ListPage(Pool pool, string? after, int limit)
    {
        var names = pool.SubvolumeNames()
            .Where(name => after is null || string.CompareOrdinal(name, after) > 0)
            .Order(StringComparer.Ordinal)
            .ToList();
        var page = new List<(SubvolumeInfo Volume, bool InUse)>();
        var index = 0;
        for (; index < names.Count && page.Count < limit; index++)
        {
            // A volume made with the command line is no CSI volume: the driver neither deletes nor adopts it.
            if (pool.FindSubvolume(names[index]) is { } volume && IsOurs(volume.Creator))
            {
                page.Add((volume, volume.MountPoint is not null || pool.FindAttachedDevice(volume.Name) is not null));
            }
        }

        return (page, index < names.Count);
    }

    private static List<SnapshotInfo> Select(Pool pool, ListSnapshotsRequest request)
    {
        IEnumerable<SnapshotInfo> snapshots;
        if (request.SnapshotId.Length > 0)
        {
            snapshots = VolumeNames.ParseSnapshotId(request.SnapshotId) is { } reference
                ? pool.FindSnapshots(reference.Subvolume, reference.Snapshot)
                : [];
        }
        else if (request.SourceVolumeId.Length > 0)
        {
            snapshots = VolumeNames.ParseVolumeId(request.SourceVolumeId) is { } volume ? pool.FindSnapshots(volume) : [];
        }
        else
        {
            snapshots = pool.FindSnapshots();
        }

        return snapshots
            .Where(snapshot => request.SourceVolumeId.Length == 0 || snapshot.Subvolume == request.SourceVolumeId)
            .Where(snapshot => !CloneSnapshotNames.IsCloneSnapshot(snapshot.Name))
            .OrderBy(snapshot => snapshot.FullName, StringComparer.Ordinal)
            .ToList();
    }

    private static SubvolumeInfo RequireVolume(Pool pool, string volumeId) =>
        (VolumeNames.ParseVolumeId(volumeId) is { } name ? pool.FindSubvolume(name) : null)
        ?? throw ErrorStatus.NotFound($"no volume {volumeId} in pool {pool.Path}; volumes are node-local, so a source on another node cannot be used here");

    private static SourceInfo RequireSnapshot(Pool pool, string snapshotId)
    {
        var snapshot = (VolumeNames.ParseSnapshotId(snapshotId) is { } reference ? pool.FindSnapshots(reference.Subvolume, reference.Snapshot).FirstOrDefault() : null)
            ?? throw ErrorStatus.NotFound($"no snapshot {snapshotId} in pool {pool.Path}; snapshots are node-local, so one on another node cannot be restored here");
        return new SourceInfo(snapshot.Subvolume, snapshot.Size, snapshot.FileSystem, snapshot.Guid, new SnapshotReference(snapshot.Subvolume, snapshot.Name));
    }

    /// <summary>A snapshot as CSI describes it; a member of a group snapshot names its group, as the group's own description must.</summary>
    internal static Snapshot Describe(SnapshotInfo snapshot) => new()
    {
        SnapshotId = VolumeNames.SnapshotId(snapshot),
        SourceVolumeId = snapshot.Subvolume,
        SizeBytes = snapshot.Size,
        CreationTime = Timestamp.FromDateTimeOffset(snapshot.Created),
        ReadyToUse = true,
        GroupSnapshotId = snapshot.Group ?? "",
    };

    /// <summary>
    /// The driver deletes only what it created: a subvolume made with the command line (or by a subvold from before
    /// creators were recorded) may hold data nobody asked Kubernetes to manage.
    /// </summary>
    private string NotOurs(string what, string command) =>
        $"{what} was not created by the CSI driver {IdentityService.DriverName} (it was made with the subvol command, or by a subvold that did not record its volumes), " +
        $"so the driver does not delete it; if it is no longer needed, remove it by hand on node {options.NodeId} with '{command}', and the deletion then succeeds";

    private static void Require(string value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw ErrorStatus.Missing(field);
        }
    }

    /// <summary>What a clone needs to know of its source, a snapshot or a volume.</summary>
    private sealed record SourceInfo(string Name, long Size, string FileSystem, Guid Guid, SnapshotReference? Reference)
    {
        public static SourceInfo Of(SubvolumeInfo volume) => new(volume.Name, volume.Size, volume.FileSystem, volume.Guid, null);
    }

    /// <summary>Whether the driver made it: the only volumes and snapshots it may delete or take as its own.</summary>
    private static bool IsOurs(string? creator) => creator == IdentityService.DriverName;
}
