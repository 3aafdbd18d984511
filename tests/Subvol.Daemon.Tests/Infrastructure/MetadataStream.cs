using Csi.V1;
using Grpc.Core;

namespace Subvol.Daemon.Tests.Infrastructure;

/// <summary>Reads a SnapshotMetadata stream to its end, so that an error status surfaces as the RpcException of the call.</summary>
internal static class MetadataStream
{
    public static List<GetMetadataAllocatedResponse> Allocated(SnapshotMetadata.SnapshotMetadataClient client, string snapshotId, long startingOffset = 0, int maxResults = 0) =>
        ReadAll(client.GetMetadataAllocated(new GetMetadataAllocatedRequest { SnapshotId = snapshotId, StartingOffset = startingOffset, MaxResults = maxResults }));

    public static List<GetMetadataDeltaResponse> Delta(SnapshotMetadata.SnapshotMetadataClient client, string baseId, string targetId, long startingOffset = 0, int maxResults = 0) =>
        ReadAll(client.GetMetadataDelta(new GetMetadataDeltaRequest { BaseSnapshotId = baseId, TargetSnapshotId = targetId, StartingOffset = startingOffset, MaxResults = maxResults }));

    private static List<T> ReadAll<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            var messages = new List<T>();
            while (call.ResponseStream.MoveNext(CancellationToken.None).GetAwaiter().GetResult())
            {
                messages.Add(call.ResponseStream.Current);
            }

            return messages;
        }
    }
}
