using Subvol.Errors;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Replication;

/// <summary>
/// Where 'subvol replicate' sends: a local pool path, or ssh://[user@]host[:port]/POOL, which
/// runs 'subvol receive' on that host through the system's ssh.
/// </summary>
internal sealed record DestinationAddress(string Pool, string? Host, string? User, int? Port)
{
    public bool IsRemote => Host is not null;

    public override string ToString() =>
        Host is null ? Pool : $"ssh://{(User is null ? "" : User + "@")}{Host}{(Port is null ? "" : ":" + Port)}{Pool}";

    public static DestinationAddress Parse(string text)
    {
        if (!text.StartsWith("ssh://", StringComparison.Ordinal))
        {
            if (text.Contains("://", StringComparison.Ordinal))
            {
                throw SubvolException.Invalid($"unsupported destination {Printable.Quote(text)}: give a pool path or ssh://[user@]host[:port]/POOL");
            }

            return new DestinationAddress(PoolRegistry.Normalize(text), null, null, null);
        }

        var rest = text["ssh://".Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1)
        {
            throw SubvolException.Invalid($"{Printable.Quote(text)} names no pool; write ssh://[user@]host[:port]/POOL, for example ssh://backup@nas/srv/pool");
        }

        var authority = rest[..slash];
        var pool = rest[slash..];
        string? user = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            user = authority[..at];
            authority = authority[(at + 1)..];
        }

        int? port = null;
        var colon = authority.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(authority.AsSpan(colon + 1), out var parsed) || parsed is < 1 or > 65535)
            {
                throw SubvolException.Invalid($"{Printable.Quote(text)} has an invalid port");
            }

            port = parsed;
            authority = authority[..colon];
        }

        // A host or user that starts with '-' would reach ssh as an option.
        if (!IsSafe(authority) || (user is not null && !IsSafe(user)))
        {
            throw SubvolException.Invalid($"{Printable.Quote(text)} has an invalid user or host name");
        }

        return new DestinationAddress(pool, authority, user, port);
    }

    private static bool IsSafe(string part) =>
        part.Length > 0 && part[0] != '-' && part.All(character => char.IsAsciiLetterOrDigit(character) || character is '.' or '-' or '_' or '[' or ']' or ':');
}
