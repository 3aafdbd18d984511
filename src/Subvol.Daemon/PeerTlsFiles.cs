namespace Subvol.Daemon;

/// <summary>The PEM files of peer TLS: this node's certificate and its key, and the CA that signs every node's certificate.</summary>
internal sealed record PeerTlsFiles(string Certificate, string Key, string CertificateAuthority)
{
    /// <summary>All three, or none when neither peers nor a peer address are given; throws ArgumentException naming what is missing.</summary>
    public static PeerTlsFiles? From(string? certificate, string? key, string? authority, bool needed)
    {
        if (!needed)
        {
            return certificate is null && key is null && authority is null
                ? null
                : throw new ArgumentException("--peer-certificate, --peer-key and --peer-ca are for peers: give --peer or --peer-listen with them");
        }

        if (certificate is null || key is null || authority is null)
        {
            throw new ArgumentException("--peer and --peer-listen need TLS: give --peer-certificate FILE, --peer-key FILE and --peer-ca FILE");
        }

        return new PeerTlsFiles(Path.GetFullPath(certificate), Path.GetFullPath(key), Path.GetFullPath(authority));
    }
}
