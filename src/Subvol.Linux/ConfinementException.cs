namespace Subvol.Linux;

/// <summary>A path beneath a <see cref="ConfinedDirectory"/> is a symbolic link, passes through one, or is not the kind of file asked for.</summary>
public sealed class ConfinementException(string path, string reason) : IOException($"{path} {reason}")
{
    public string Path { get; } = path;

    public string Reason { get; } = reason;
}
