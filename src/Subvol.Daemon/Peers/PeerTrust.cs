using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Subvol.Daemon.Peers;

/// <summary>
/// Mutual TLS between the nodes' subvold: each presents its certificate, and each accepts only a certificate that
/// chains to the peers' own CA. The CA is the trust: a private CA made for the driver signs nothing else, so host
/// names are not checked (nodes are reached by address, and a certificate per address would have to follow every
/// node change).
/// </summary>
internal sealed class PeerTrust : IDisposable
{
    private readonly X509Certificate2 _authority;

    private PeerTrust(X509Certificate2 certificate, X509Certificate2 authority)
    {
        Certificate = certificate;
        _authority = authority;
    }

    /// <summary>This node's certificate with its private key, for both ends of a connection.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Reads the PEM files; a file that cannot be read is an ArgumentException naming it and the option.</summary>
    public static PeerTrust Load(PeerTlsFiles files)
    {
        X509Certificate2 certificate, authority;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(files.Certificate, files.Key);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"--peer-certificate {files.Certificate} with --peer-key {files.Key} cannot be used: {exception.Message}");
        }

        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(files.CertificateAuthority);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            certificate.Dispose();
            throw new ArgumentException($"--peer-ca {files.CertificateAuthority} cannot be read: {exception.Message}");
        }

        return new PeerTrust(certificate, authority);
    }

    /// <summary>Whether <paramref name="presented"/> chains to the peers' CA; what the platform's own trust says does not count.</summary>
    public bool Accepts(X509Certificate? presented)
    {
        if (presented is null)
        {
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>For a client: the server's certificate is judged by <see cref="Accepts"/> alone, host name aside.</summary>
    public bool AcceptsServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => Accepts(certificate);

    public void Dispose()
    {
        Certificate.Dispose();
        _authority.Dispose();
    }
}
