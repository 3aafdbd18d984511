using Csi.V1;

namespace Subvol.Daemon.Csi;

/// <summary>Volumes are node-local: the topology has one segment, the node's name.</summary>
internal static class NodeTopology
{
    public const string Key = "topology.subvol.io/node";

    public static Topology For(string nodeId) => new() { Segments = { [Key] = nodeId } };

    /// <summary>Whether a topology the CO names includes this node; one that says nothing of our key does not exclude it.</summary>
    public static bool Includes(Topology topology, string nodeId) =>
        !topology.Segments.TryGetValue(Key, out var node) || node == nodeId;

    /// <summary>CSI: the volume must be accessible from at least one requisite topology; preferred ones are only wishes.</summary>
    public static bool Allows(TopologyRequirement? requirement, string nodeId) =>
        requirement is null || requirement.Requisite.Count == 0 || requirement.Requisite.Any(topology => Includes(topology, nodeId));
}
