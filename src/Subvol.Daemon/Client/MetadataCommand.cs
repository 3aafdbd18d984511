using System.CommandLine;
using System.Globalization;
using Csi.V1;
using Grpc.Core;
using Subvol.Errors;

namespace Subvol.Daemon.Client;

/// <summary>
/// subvold metadata allocated|delta: a small client of the SnapshotMetadata service on a subvold socket, for an
/// operator checking a node and for benchmarks. It prints a summary line, or every range with --ranges.
/// </summary>
internal static class MetadataCommand
{
    public static Command Create(Func<string?> endpointVariable, TextWriter output, TextWriter error)
    {
        var endpoint = new Option<string?>("--endpoint") { Description = "The subvold socket (default: $CSI_ENDPOINT)", HelpName = "unix:///PATH/csi.sock" };
        var startingOffset = new Option<long>("--starting-offset") { Description = "The byte to start from, to resume an interrupted read", HelpName = "BYTES" };
        var maxResults = new Option<int>("--max-results") { Description = "Ranges a message may hold (default: the driver's choice)", HelpName = "N" };
        var ranges = new Option<bool>("--ranges") { Description = "Print every range as OFFSET LENGTH, one a line" };
        var snapshot = new Argument<string>("SNAPSHOT_ID");
        var baseline = new Argument<string>("BASE_SNAPSHOT_ID");
        var target = new Argument<string>("TARGET_SNAPSHOT_ID");

        var allocated = new Command("allocated", "The ranges of a snapshot that hold data") { snapshot, endpoint, startingOffset, maxResults, ranges };
        allocated.SetAction(parsed => Run(parsed.GetValue(endpoint) ?? endpointVariable(), output, error, parsed.GetValue(ranges), client =>
            client.GetMetadataAllocated(new GetMetadataAllocatedRequest { SnapshotId = parsed.GetValue(snapshot), StartingOffset = parsed.GetValue(startingOffset), MaxResults = parsed.GetValue(maxResults) })
                .ResponseStream.ReadAllAsync().Select(message => (message.VolumeCapacityBytes, (IReadOnlyList<BlockMetadata>)message.BlockMetadata))));

        var delta = new Command("delta", "The ranges that changed between two snapshots of one volume") { baseline, target, endpoint, startingOffset, maxResults, ranges };
        delta.SetAction(parsed => Run(parsed.GetValue(endpoint) ?? endpointVariable(), output, error, parsed.GetValue(ranges), client =>
            client.GetMetadataDelta(new GetMetadataDeltaRequest { BaseSnapshotId = parsed.GetValue(baseline), TargetSnapshotId = parsed.GetValue(target), StartingOffset = parsed.GetValue(startingOffset), MaxResults = parsed.GetValue(maxResults) })
                .ResponseStream.ReadAllAsync().Select(message => (message.VolumeCapacityBytes, (IReadOnlyList<BlockMetadata>)message.BlockMetadata))));

        return new Command("metadata", "Ask a subvold's SnapshotMetadata service which ranges are allocated or changed") { allocated, delta };
    }

    private static int Run(string? endpoint, TextWriter output, TextWriter error, bool printRanges, Func<SnapshotMetadata.SnapshotMetadataClient, IAsyncEnumerable<(long Capacity, IReadOnlyList<BlockMetadata> Tuples)>> call)
    {
        string socket;
        try
        {
            socket = DaemonOptions.SocketPathOf(endpoint ?? throw new ArgumentException("no endpoint: give --endpoint unix:///PATH/csi.sock or set CSI_ENDPOINT"));
        }
        catch (ArgumentException exception)
        {
            error.WriteLine($"subvold: error: {exception.Message}");
            return ExitCodes.Usage;
        }

        using var channel = CsiChannels.ForUnixSocket(socket);
        long messages = 0, tuples = 0, bytes = 0, capacity = 0;
        try
        {
            var stream = call(new SnapshotMetadata.SnapshotMetadataClient(channel)).GetAsyncEnumerator();
            try
            {
                while (stream.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    var (messageCapacity, page) = stream.Current;
                    messages++;
                    capacity = messageCapacity;
                    foreach (var tuple in page)
                    {
                        tuples++;
                        bytes += tuple.SizeBytes;
                        if (printRanges)
                        {
                            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tuple.ByteOffset} {tuple.SizeBytes}"));
                        }
                    }
                }
            }
            finally
            {
                stream.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Unavailable)
        {
            // gRPC's detail for a socket nobody answers on is .NET's own text; the socket and the cure are what matter.
            error.WriteLine($"subvold: error: no subvold answers on {socket}; start subvold there, or give the socket of one that runs with --endpoint");
            return ExitCodes.Failure;
        }
        catch (RpcException exception)
        {
            error.WriteLine($"subvold: error: {exception.StatusCode}: {exception.Status.Detail}");
            return exception.StatusCode == StatusCode.NotFound ? ExitCodes.NotFound : ExitCodes.Failure;
        }

        if (!printRanges)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tuples} ranges, {bytes} bytes of {capacity}, in {messages} messages"));
        }

        return ExitCodes.Success;
    }
}
