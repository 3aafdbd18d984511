using System.Globalization;
using Csi.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

/// <summary>
/// Two nodes, each a subvold on its own pool, peered over mutual TLS with a private CA: a SnapshotMetadata request
/// that reaches the node without the volume is answered by the node with it, stream and errors alike, and nothing
/// without a certificate of that CA is served or believed.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class SnapshotMetadataForwardingTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;
    private const string OtherNode = "node-b";

    [RootFact]
    public void ANodeWithoutTheVolumeRelaysTheAnswerOfTheNodeThatHasIt()
    {
        using var nodes = new TwoNodes(fixture);
        var (baseline, target, size) = SnapshotsOn(nodes.Second, nodes.SecondPool);

        var direct = Delta(nodes.Second, baseline, target, 0, 0);
        var forwarded = MetadataStream.Delta(nodes.First.SnapshotMetadata, baseline, target, 0, 2);

        Assert.NotEmpty(direct);
        Assert.All(forwarded, message => Assert.True(message.BlockMetadata.Count <= 2));
        Assert.All(forwarded, message => Assert.Equal(size, message.VolumeCapacityBytes));
        Assert.Equal(direct, forwarded.SelectMany(message => message.BlockMetadata));
        Assert.Equal(
            MetadataStream.Allocated(nodes.Second.SnapshotMetadata, target).SelectMany(message => message.BlockMetadata),
            MetadataStream.Allocated(nodes.First.SnapshotMetadata, target).SelectMany(message => message.BlockMetadata));
        var resumeAt = direct[^1].ByteOffset + 1;
        Assert.Equal(Delta(nodes.Second, baseline, target, resumeAt, 0), Delta(nodes.First, baseline, target, resumeAt, 0));

        // The other node's errors come back with their codes, saying which node answered.
        var outOfRange = Expect.Status(StatusCode.OutOfRange, () => MetadataStream.Delta(nodes.First.SnapshotMetadata, baseline, target, size + 1));
        Assert.Contains(OtherNode, outOfRange.Status.Detail, StringComparison.Ordinal);
        Expect.Status(StatusCode.NotFound, () => MetadataStream.Allocated(nodes.First.SnapshotMetadata, "pvc-nowhere@snapshot-nowhere"));
        Expect.Status(StatusCode.NotFound, () => MetadataStream.Allocated(nodes.Second.SnapshotMetadata, "pvc-nowhere@snapshot-nowhere"));
    }

    [RootFact]
    public void ThePeerPortRefusesStrangersAndServesNothingButSnapshotMetadata()
    {
        using var nodes = new TwoNodes(fixture);
        var (_, target, _) = SnapshotsOn(nodes.Second, nodes.SecondPool);

        // A node whose certificate another CA signed is refused by the node with the volume, and cannot say it is not there.
        var strangers = new TestCertificates(Path.Combine(nodes.Directory, "strangers"), "another CA");
        var (certificate, key) = strangers.Issue("stranger");
        using var stranger = new DaemonProcess(
            Path.Combine(nodes.Directory, "stranger.sock"), fixture.PoolPath, "stranger",
            "--peer", $"{OtherNode}=https://127.0.0.1:{nodes.SecondPort}", "--peer-certificate", certificate, "--peer-key", key, "--peer-ca", strangers.AuthorityFile);
        var refused = Expect.Status(StatusCode.Unavailable, () => MetadataStream.Allocated(stranger.SnapshotMetadata, target));
        Assert.Contains(OtherNode, refused.Status.Detail, StringComparison.Ordinal);

        // A client with the right certificate reaches SnapshotMetadata on the peer port, and nothing else.
        var (ours, ourKey) = nodes.Certificates.Issue("client");
        using var client = X509Channel(nodes.SecondPort, ours, ourKey, nodes.Certificates.AuthorityFile);
        Assert.NotEmpty(MetadataStream.Allocated(new SnapshotMetadata.SnapshotMetadataClient(client), target).SelectMany(message => message.BlockMetadata));
        Expect.Status(StatusCode.Unimplemented, () => new Controller.ControllerClient(client).ListVolumes(new ListVolumesRequest()));
        Expect.Status(StatusCode.Unimplemented, () => new Identity.IdentityClient(client).Probe(new ProbeRequest()));

        // Without a client certificate the connection is closed: under TLS 1.3 the client learns it during the
        // handshake or at its first HTTP/2 frame, which gRPC reports as UNAVAILABLE or INTERNAL.
        using var anonymous = X509Channel(nodes.SecondPort, null, null, nodes.Certificates.AuthorityFile);
        var closed = Assert.Throws<RpcException>(() => MetadataStream.Allocated(new SnapshotMetadata.SnapshotMetadataClient(anonymous), target));
        Assert.True(closed.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"got {closed.StatusCode}: {closed.Status.Detail}");
    }

    [Fact]
    public void PeersNeedTlsFilesAndAnAddressOfTheirOwnForm()
    {
        var (exitCode, _, error) = DaemonProcess.RunToExit("--endpoint", "unix:///nonexistent/csi.sock", "--pool", "/nonexistent", "--peer", "node-b=https://10.0.0.2:9820");
        Assert.Equal(2, exitCode);
        Assert.Contains("--peer-certificate", error, StringComparison.Ordinal);

        (exitCode, _, error) = DaemonProcess.RunToExit("--endpoint", "unix:///nonexistent/csi.sock", "--pool", "/nonexistent", "--peer", "http://10.0.0.2:9820");
        Assert.Equal(2, exitCode);
        Assert.Contains("NODE=https://HOST:PORT", error, StringComparison.Ordinal);
    }

    private static List<BlockMetadata> Delta(DaemonProcess node, string baseline, string target, long offset, int maxResults) =>
        MetadataStream.Delta(node.SnapshotMetadata, baseline, target, offset, maxResults).SelectMany(message => message.BlockMetadata).ToList();

    /// <summary>A volume made on <paramref name="node"/>, snapshotted, written straight into its image, snapshotted again.</summary>
    private (string Baseline, string Target, long Size) SnapshotsOn(DaemonProcess node, string pool)
    {
        var size = 32 * MiB;
        var volume = node.Controller.CreateVolume(DaemonFixture.CreateRequest(fixture.Unique("pvc-forwarded"), size, thin: true)).Volume;
        var baseline = node.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-forwarded"), SourceVolumeId = volume.VolumeId }).Snapshot.SnapshotId;
        var random = new Random(8);
        using (var image = File.OpenHandle(Path.Combine(pool, "subvolumes", volume.VolumeId + ".img"), FileMode.Open, FileAccess.Write))
        {
            for (var i = 0; i < 12; i++)
            {
                var bytes = new byte[random.Next(1, 16) * 4096];
                random.NextBytes(bytes);
                RandomAccess.Write(image, bytes, random.Next(1, (int)(size / 4096) - 16) * 4096L);
            }
        }

        var target = node.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-forwarded"), SourceVolumeId = volume.VolumeId }).Snapshot.SnapshotId;
        return (baseline, target, size);
    }

    private static GrpcChannel X509Channel(int port, string? certificate, string? key, string authority)
    {
        var trusted = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(authority);
        var handler = new SocketsHttpHandler();
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, key)];
        }

        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
        {
            using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
            chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trusted);
            chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            return presented is not null && chain.Build(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
        };
        return GrpcChannel.ForAddress($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", new GrpcChannelOptions { HttpHandler = handler });
    }

    /// <summary>
    /// The fixture's pool served by a subvold peered with a second subvold on a second pool, each listening for the
    /// other on the loopback. Dispose stops both and exports the second pool.
    /// </summary>
    private sealed class TwoNodes : IDisposable
    {
        public TwoNodes(DaemonFixture fixture)
        {
            Directory = Path.Combine(fixture.Root, fixture.Unique("peers"));
            SecondPool = Path.Combine(Directory, "pool");
            Certificates = new TestCertificates(Path.Combine(Directory, "tls"), "subvol peers");
            var firstPort = TestCertificates.FreePort();
            SecondPort = TestCertificates.FreePort();
            var peers = new[] { "--peer", $"{DaemonFixture.NodeId}=https://127.0.0.1:{firstPort}", "--peer", $"{OtherNode}=https://127.0.0.1:{SecondPort}" };
            _registry = new PoolRegistry(Path.Combine(Directory, "config"));
            Pool.Create(SecondPool, Path.Combine(Directory, "pool.img"), 2L << 30, _registry, sparse: true);
            try
            {
                var (firstCertificate, firstKey) = Certificates.Issue(DaemonFixture.NodeId);
                var (secondCertificate, secondKey) = Certificates.Issue(OtherNode);
                First = new DaemonProcess(
                    Path.Combine(Directory, "first.sock"), fixture.PoolPath, DaemonFixture.NodeId,
                    [.. peers, "--peer-listen", $"127.0.0.1:{firstPort}", "--peer-certificate", firstCertificate, "--peer-key", firstKey, "--peer-ca", Certificates.AuthorityFile]);
                Second = new DaemonProcess(
                    Path.Combine(Directory, "second.sock"), SecondPool, OtherNode,
                    [.. peers, "--peer-listen", $"127.0.0.1:{SecondPort}", "--peer-certificate", secondCertificate, "--peer-key", secondKey, "--peer-ca", Certificates.AuthorityFile]);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        private readonly PoolRegistry _registry;

        public string Directory { get; }

        public string SecondPool { get; }

        public int SecondPort { get; }

        public TestCertificates Certificates { get; }

        public DaemonProcess First { get; private set; } = null!;

        public DaemonProcess Second { get; private set; } = null!;

        public void Dispose()
        {
            First?.Dispose();
            Second?.Dispose();
            if (Pool.Exists(SecondPool))
            {
                Pool.Export(SecondPool, _registry);
            }
        }
    }
}
